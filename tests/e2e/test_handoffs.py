"""Ops log a handoff from the quick-add form, with the mouse and the keyboard: a double click
records one handoff, not two, and the next form shown records the next one."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from seams.demo import DEMO_PASSWORD
from seams.models import Handoff, Seam

pytestmark = pytest.mark.e2e


def _sign_in(page: Page, url: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_twice_records_one_handoff(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    seam = Seam.objects.get(name="Custom integration intake")
    _sign_in(page, live_server.url)
    page.goto(live_server.url + "/handoffs/")
    page.get_by_label("Handoff", exact=True).fill("Globex SSO connector")
    page.get_by_label("Seam", exact=True).first.select_option(label=str(seam))
    form = page.locator("form.quick-add")
    sent = {
        name: form.locator(f"[name={name}]").input_value()
        for name in ("csrfmiddlewaretoken", "submission", "seam", "title", "approval_type")
    }
    page.get_by_role("button", name="Submit", exact=True).dblclick()
    expect(page.get_by_role("status").first).to_contain_text("Globex SSO connector")
    handoff = Handoff.objects.get(title="Globex SSO connector")
    assert handoff.external_id == f"app-{sent['submission'].replace('-', '')}"
    # The same form sent again, as a browser retrying a slow request sends it: still one.
    again = page.request.post(
        live_server.url + "/handoffs/submit/",
        form=sent,
        headers={"Referer": live_server.url + "/handoffs/"},
    )
    assert again.ok
    assert "was already submitted" in again.text()
    assert Handoff.objects.filter(title="Globex SSO connector").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_keyboard_submits_once_and_the_next_form_records_the_next(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    seam = Seam.objects.get(name="Custom integration intake")
    _sign_in(page, live_server.url)
    page.goto(live_server.url + "/handoffs/")
    page.get_by_label("Seam", exact=True).first.select_option(label=str(seam))
    title = page.get_by_label("Handoff", exact=True)
    title.fill("Initech data residency review")
    title.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Initech data residency review")
    assert Handoff.objects.filter(title="Initech data residency review").count() == 1
    # The page shown afterwards carries a fresh form: the next handoff is recorded.
    page.get_by_label("Seam", exact=True).first.select_option(label=str(seam))
    page.get_by_label("Handoff", exact=True).fill("Initech second request")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Initech second request")
    assert Handoff.objects.filter(title="Initech second request").count() == 1


@pytest.mark.django_db(transaction=True)
def test_typing_a_handoff_title_does_not_fire_the_filter(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    _sign_in(page, live_server.url)
    page.goto(live_server.url + "/handoffs/")
    filtered: list[str] = []
    page.on(
        "request",
        lambda request: (
            filtered.append(request.url)
            if request.headers.get("hx-request") and "/handoffs/" in request.url
            else None
        ),
    )
    page.get_by_label("Handoff", exact=True).press_sequentially("Globex SSO connector")
    page.get_by_label("Seam", exact=True).first.select_option(index=1)
    page.wait_for_timeout(800)  # past the filter's 300 ms delay
    assert filtered == []
    # The filter's own search box does filter.
    # Its answer is awaited too: a request still open when the test ends would hold the
    # database while the next test's is flushed.
    with page.expect_response(lambda response: "q=Acme" in response.url) as answered:
        page.get_by_label("Search").press_sequentially("Acme")
    assert answered.value.ok
    page.wait_for_load_state("networkidle")
