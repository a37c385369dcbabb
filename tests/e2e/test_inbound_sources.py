"""Ops connect Jira: create a source, add and order its rules, name statuses, rotate the secret
and send a test delivery, with the mouse and the keyboard; screen and database agree."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from connections.models import Delivery, Source
from seams.demo import DEMO_PASSWORD
from seams.models import Handoff, Seam
from tests.e2e.test_handoffs import _sign_in

pytestmark = pytest.mark.e2e


# Long: one journey, mouse then keyboard, checked on screen and in the database.
@pytest.mark.django_db(transaction=True)
def test_ops_connect_jira_and_send_a_test_delivery(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    seam = Seam.objects.get(name="Custom integration intake")
    _sign_in(page, live_server.url)
    assert DEMO_PASSWORD
    page.goto(live_server.url + "/connections/sources/")
    page.get_by_role("link", name="New source").click()

    # The form by keyboard: choose the tool, type, Tab on, Enter to create.
    page.get_by_label("Tool").select_option("jira")
    page.get_by_label("Name").fill("Jira Cloud")
    page.keyboard.press("Tab")
    page.keyboard.type("jira-cloud")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Jira Cloud")).to_be_visible()
    source = Source.objects.get(slug="jira-cloud")
    (first,) = source.live_secrets()
    expect(page.locator("#source-secret")).to_have_text(first)
    expect(page.locator("#source-url")).to_contain_text("/api/v1/hooks/handoffs/jira-cloud/")

    # Two rules by mouse; the second moved up by keyboard, then the first removed.
    for field, value in [("label", "customer"), ("project", "INT")]:
        page.get_by_label("When").select_option(field)
        page.get_by_label("is (optional)").fill(value)
        page.get_by_label("the seam is").select_option(label=str(seam))
        page.get_by_role("button", name="Add the rule").click()
        expect(page.locator(".messages")).to_contain_text("Added the rule")
    assert list(source.rules.values_list("value", flat=True)) == ["customer", "INT"]
    page.get_by_role("button", name="Move rule 2 up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#rules tbody tr").first).to_contain_text("INT")
    assert list(source.rules.values_list("value", flat=True)) == ["INT", "customer"]
    page.get_by_role("button", name="Remove rule 2").click()
    expect(page.locator("#rules tbody tr")).to_have_count(1)
    assert list(source.rules.values_list("value", flat=True)) == ["INT"]

    # Named statuses, then a wrong overlap refused and a right one taken by keyboard.
    page.get_by_label("Statuses that mean started").fill("In Progress")
    page.get_by_label("Statuses that mean done").fill("Done")
    page.get_by_role("button", name="Save statuses").click()
    expect(page.locator(".messages")).to_contain_text("Saved the statuses")
    source.refresh_from_db()
    assert (source.started_statuses, source.done_statuses) == ("In Progress", "Done")
    overlap = page.get_by_label("Keep the old secret working for (hours)")
    overlap.fill("12")
    overlap.press("Enter")
    expect(page.locator(".messages")).to_contain_text("keeps working for 12 hours")
    current = source.live_secrets()[0]
    assert current != first
    assert set(source.live_secrets()) == {current, first}
    expect(page.locator("#source-secret")).to_have_text(current)
    expect(page.locator("#secrets")).to_contain_text("Overlap")

    # The test delivery, through the real path, keeps nothing but its line.
    page.get_by_role("button", name="Send a test delivery").click()
    expect(page.locator(".messages")).to_contain_text("Signed test delivery accepted")
    expect(page.locator("#deliveries tbody tr").first).to_contain_text("Applied")
    expect(page.locator("#deliveries tbody tr").first).to_contain_text(seam.name)
    assert not Handoff.objects.filter(source="jira-cloud").exists()
    delivery = Delivery.objects.get(source=source)
    assert (delivery.status, delivery.reason, delivery.seam) == ("applied", "test", seam)
    assert re.match(r"TEST-[0-9A-F]{6}", delivery.external_id)
    page.screenshot(path="/tmp/inbound-shots/e2e-source.png", full_page=True)
