"""The month under review in Chromium, with the clock on the 3rd of March: a leader lands on
February's review, looks at March so far with the picker (mouse and keyboard), and starts
February's meeting, where "Should move" already holds each seam's worst metric."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from metrics import dashboard
from metrics.models import CorrectiveAction, Review

pytestmark = pytest.mark.e2e

TODAY = datetime(2027, 3, 3, 10, tzinfo=ZoneInfo("Europe/London"))
FEBRUARY = date(2027, 2, 1)


# Long: one journey a step at a time; split, it would hide the order the user sees.
@pytest.mark.django_db(transaction=True)
def test_a_leader_reviews_the_last_full_month_and_looks_at_this_one_so_far(live_server, page):
    with time_machine.travel(TODAY, tick=True):
        call_command("seed_demo", verbosity=0)
        # The demo holds last month's meeting already: this February's is still to hold.
        for review in Review.objects.filter(month=FEBRUARY):
            CorrectiveAction.objects.filter(review=review).delete()
            review.delete()
        hurting = [r for r in dashboard.build(FEBRUARY).rows if r.status in ("red", "amber")]
        assert len(hurting) >= 2

        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "elena")
        page.fill("#id_password", "seamline-demo")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()

        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("Seam review February 2027")
        expect(page.locator(".so-far")).to_have_count(0)
        expect(page.locator(".tile-provisional")).to_have_count(0)

        # The mouse: the picker's next month is March, so far and provisional.
        page.get_by_role("link", name="Next month").click()
        expect(heading).to_have_text("Seam review March 2027 so far (day 3 of 31)")
        expect(page.locator(".provisional-note")).to_contain_text("Provisional.")
        word = page.locator(".tile-provisional [aria-hidden=true]").first
        expect(word).to_be_visible()
        expect(word).to_have_text("provisional")
        assert "month=2027-03" in page.url

        # The keyboard: the month field, a month back, Enter; then forward again.
        page.locator("#month").focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(heading).to_have_text("Seam review February 2027")
        assert "month=2027-02" in page.url
        page.locator("#month").focus()
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Enter")
        expect(heading).to_have_text("Seam review March 2027 so far (day 3 of 31)")

        # From March, the meeting button holds February, the last full month.
        page.get_by_role("button", name="Start the February review meeting").click()
        expect(heading).to_have_text("Review of February 2027")
        assert Review.objects.get(month=FEBRUARY, contract=None).is_open

        first, second = hurting[0], hurting[1]
        for row in (first, second):
            block = page.locator(f"#seam-{row.seam.slug}")
            expect(block.locator("select[name=metric]")).to_have_value(row.worst_metric)

        # The mouse: an action on the first seam keeps the metric chosen for it.
        block = page.locator(f"#seam-{first.seam.slug}")
        block.locator("input[name=title]").fill("Make the sample payload a required field")
        block.locator("select[name=owner]").select_option(index=1)
        block.locator("input[name=due_on]").fill("2027-03-31")
        block.get_by_role("button", name="Add action").click()
        expect(page.locator(f"#seam-{first.seam.slug} .action-lines")).to_contain_text(
            "Make the sample payload"
        )

        # The keyboard: the second seam's action, sent with Enter from the button.
        block = page.locator(f"#seam-{second.seam.slug}")
        block.locator("input[name=title]").focus()
        page.keyboard.type("Name one triage owner")
        page.keyboard.press("Tab")
        page.keyboard.press("ArrowDown")  # the first person
        page.keyboard.press("Tab")
        block.locator("input[name=due_on]").fill("2027-03-31")
        block.get_by_role("button", name="Add action").focus()
        page.keyboard.press("Enter")
        expect(page.locator(f"#seam-{second.seam.slug} .action-lines")).to_contain_text(
            "Name one triage owner"
        )

        actions = {
            a.seam_id: a.metric
            for a in CorrectiveAction.objects.filter(review__month=FEBRUARY, review__contract=None)
        }
        assert actions == {first.seam.pk: first.worst_metric, second.seam.pk: second.worst_metric}
