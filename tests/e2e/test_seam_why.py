"""A leader asks "why is it red?" on the demo data, in Chromium: the worst seam from the review,
its why panel, the month picker with the mouse and the keyboard, Log escalation with the seam
already chosen, and Record root cause starting the month's review meeting on that seam."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from decisions.models import Escalation
from metrics import engine
from metrics.models import Review
from seams.models import Seam
from tests.e2e.test_review_journey import shots

pytestmark = pytest.mark.e2e


# Long: one journey a step at a time; split, it would hide the order the user sees.
@pytest.mark.django_db(transaction=True)
def test_a_leader_finds_out_why_a_seam_is_red(live_server, page, tmp_path):
    call_command("seed_demo", verbosity=0)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "elena")
    page.fill("#id_password", "seamline-demo")
    page.get_by_role("button", name="Sign in").click()

    reviewed = engine.month_under_review()
    page.goto(f"{live_server.url}/review/?month={reviewed:%Y-%m}")
    worst = page.locator(".review-table tbody tr").first.locator("th a")
    name = worst.inner_text()
    worst.click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    seam = Seam.objects.get(name=name)
    # It opens on the month under review, with its tiles and the why panel.
    expect(page.locator("#month-picker")).to_have_value(f"{reviewed:%Y-%m}")
    expect(page.locator(".kpi-tile")).to_have_count(6)
    why = page.get_by_role("region", name="Why it is red")
    expect(why).to_be_visible()
    expect(why).to_contain_text(f"in {reviewed:%B}")
    page.screenshot(path=str(shots(tmp_path) / "seam-why.png"), full_page=True)

    # The month picker with the mouse: the previous month, then back with the select.
    earlier = engine.previous_month(reviewed)
    page.get_by_role("link", name=f"Previous month: {earlier:%B %Y}").click()
    expect(page).to_have_url(re.compile(rf"month={earlier:%Y-%m}"))
    expect(page.locator("#month-picker")).to_have_value(f"{earlier:%Y-%m}")
    page.locator("#month-picker").select_option(f"{reviewed:%Y-%m}")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(rf"month={reviewed:%Y-%m}"))

    # With the keyboard: up the list to the current month, Tab to Show, Enter.
    current = engine.current_month()
    page.locator("#month-picker").focus()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#month-picker")).to_have_value(f"{current:%Y-%m}")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"month={current:%Y-%m}"))
    expect(page.locator(".provisional-note")).to_contain_text("so far (day")

    # No meeting for the current month yet: Record root cause starts it, on this seam.
    assert not Review.objects.filter(month=current).exists()
    page.get_by_role("button", name="Record root cause").click()
    expect(page).to_have_url(re.compile(rf"/reviews/\d+/#seam-{seam.slug}$"))
    assert Review.objects.filter(month=current, contract=None).count() == 1
    page.go_back()
    page.reload()
    expect(page.get_by_role("link", name="Record root cause")).to_be_visible()

    # Log escalation: the form opens with the seam chosen; logged with the keyboard.
    page.get_by_role("link", name="Log escalation").first.click()
    expect(page.locator("#id_seam")).to_have_value(str(seam.pk))
    expect(page.locator("#id_summary")).to_be_visible()
    page.locator("#id_cause").select_option("missing_inputs")
    page.locator("#id_summary").fill("Sample payload missing again")
    page.locator("#id_summary").press("Enter")
    expect(page.get_by_text(f"Escalation logged on {seam.name}.")).to_be_visible()
    logged = Escalation.objects.get(summary="Sample payload missing again")
    assert logged.seam == seam

    # Back on the seam, the screenshot compared with the design (seam.png), at 1440.
    page.goto(f"{live_server.url}/review/seams/{seam.slug}/")
    page.screenshot(path=str(shots(tmp_path) / "seam.png"), full_page=True)
