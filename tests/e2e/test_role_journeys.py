"""Each role's week in Chromium on the demo, with the clock on the 1st, the 3rd and the 28th of
a month: where they land, and the work they came for.

- The leader lands on the month under review, finds why the worst seam is red on its
  drill-down, records a root cause (keyboard) and an action (mouse), and prints the pack.
- The team owner lands on My seams: their seams and the actions they own.
- Ops land on the decision log and move dependency cards by mouse and by keyboard.
- The viewer lands on the review and finds nothing to change.
"""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Page, expect

from decisions.models import Dependency
from metrics import engine
from metrics.models import CorrectiveAction, Review, RootCause
from seams.demo import DEMO_PASSWORD
from seams.models import Seam, User

pytestmark = pytest.mark.e2e

LONDON = ZoneInfo("Europe/London")
DAYS = [
    pytest.param(datetime(2027, 3, 1, 9, 30, tzinfo=LONDON), id="1st"),
    pytest.param(datetime(2027, 3, 3, 9, 30, tzinfo=LONDON), id="3rd"),
    pytest.param(datetime(2027, 3, 28, 9, 30, tzinfo=LONDON), id="28th"),
]


def _sign_in(page: Page, base: str, username: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


# Long: one journey a step at a time; split, it would hide the order the user sees.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("today", DAYS)
def test_the_leader_reviews_the_month_records_why_and_prints_the_pack(live_server, page, today):
    with time_machine.travel(today, tick=True):
        call_command("seed_demo", verbosity=0)
        reviewed = engine.month_under_review()
        assert reviewed.month == 2  # February, whichever day of March it is

        _sign_in(page, live_server.url, "elena")
        expect(page).to_have_url(re.compile(rf"/review/\?month={reviewed:%Y-%m}$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Seam review {reviewed:%B %Y}")

        # The worst seam, first in the table, is red; its drill-down says why.
        worst = page.locator(".review-table tbody tr").first
        expect(worst.locator(".badge").first).to_have_text("Red")
        name = worst.locator("th a").inner_text()
        worst.locator("th a").click()
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        why = page.get_by_role("region", name="Why it is red")
        expect(why).to_contain_text(f"in {reviewed:%B}")
        seam = Seam.objects.get(name=name)

        # Record root cause: it starts the month's meeting, on this seam.
        page.get_by_role("button", name="Record root cause").click()
        expect(page).to_have_url(re.compile(rf"/reviews/\d+/#seam-{seam.slug}$"))
        review = Review.objects.get(month=reviewed, contract=None)
        block = page.locator(f"#seam-{seam.slug}")
        # The keyboard: the root cause typed and sent with Enter.
        block.locator(f"#cause-{seam.slug}").focus()
        page.keyboard.type("Requests arrive without the sample payload the spec asks for")
        page.keyboard.press("Enter")
        expect(page.locator(f"#seam-{seam.slug} .cause-text")).to_have_text(
            "Requests arrive without the sample payload the spec asks for"
        )
        # The mouse: an owner-led action against the metric that should move.
        block = page.locator(f"#seam-{seam.slug}")
        block.locator("input[name=title]").fill("Make the sample payload a required field")
        block.locator("select[name=owner]").select_option(index=1)
        block.locator("input[name=due_on]").fill(f"{engine.next_month(today.date()):%Y-%m}-15")
        block.get_by_role("button", name="Add action").click()
        expect(page.locator(f"#seam-{seam.slug} .action-lines")).to_contain_text(
            "Make the sample payload"
        )
        assert RootCause.objects.get(review=review, seam=seam).text.startswith("Requests arrive")
        action = CorrectiveAction.objects.get(review=review, seam=seam)
        assert action.title == "Make the sample payload a required field"

        # The pack, printed on A4 landscape as the browser prints it: two pages.
        page.goto(f"{live_server.url}/review/?month={reviewed:%Y-%m}&pack=1")
        page.emulate_media(media="print")
        pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", landscape=True)))
        assert len(pdf.pages) == 2
        assert f"{reviewed:%B %Y}" in pdf.pages[0].extract_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("today", DAYS)
def test_the_owner_lands_on_their_seams(live_server, page, today):
    with time_machine.travel(today, tick=True):
        call_command("seed_demo", verbosity=0)
        priya = User.objects.get(username="priya")
        theirs = Seam.objects.filter(
            from_team__memberships__user=priya, from_team__memberships__role="owner"
        ) | Seam.objects.filter(
            to_team__memberships__user=priya, to_team__memberships__role="owner"
        )
        assert theirs.exists()
        _sign_in(page, live_server.url, "priya")
        expect(page).to_have_url(re.compile(r"/my-seams/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("My seams")
        for seam in theirs.distinct():
            expect(page.get_by_role("link", name=seam.name).first).to_be_visible()
        # Their spec is a click away, and editable by them.
        seam = theirs.distinct().order_by("name").first()
        page.goto(f"{live_server.url}/seams/{seam.slug}/spec/")
        expect(page.get_by_role("link", name="Edit SLA")).to_be_visible()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("today", DAYS)
def test_ops_land_on_today_and_move_cards_by_mouse_and_keyboard(live_server, page, today):
    with time_machine.travel(today, tick=True):
        call_command("seed_demo", verbosity=0)
        _sign_in(page, live_server.url, "olivia")
        expect(page).to_have_url(re.compile(r"/today/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Today")

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Dependencies").click()
        requested = list(Dependency.objects.filter(status="requested").order_by("pk")[:2])
        assert len(requested) == 2
        dragged, keyed = requested
        board = page.locator("#board")
        # The mouse: drag onto Committed.
        board.locator("article", has_text=dragged.title).drag_to(
            board.locator("[data-status=committed] h2")
        )
        expect(page.locator("#board-said")).to_have_text(f"Moved “{dragged.title}” to Committed.")
        dragged.refresh_from_db()
        assert dragged.status == "committed"
        # The keyboard: the card's menu, a column chosen by typing, Enter on Move.
        menu = page.locator(f"#move-{keyed.pk}")
        menu.focus()
        page.keyboard.type("In progress")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("#board-said")).to_have_text(f"Moved “{keyed.title}” to In progress.")
        expect(
            board.locator("[data-status=in_progress] article", has_text=keyed.title)
        ).to_be_visible()
        keyed.refresh_from_db()
        assert keyed.status == "in_progress"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("today", DAYS)
def test_the_viewer_reads_the_review_and_changes_nothing(live_server, page, today):
    with time_machine.travel(today, tick=True):
        call_command("seed_demo", verbosity=0)
        reviewed = engine.month_under_review()
        _sign_in(page, live_server.url, "victor")
        expect(page).to_have_url(re.compile(rf"/review/\?month={reviewed:%Y-%m}$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Seam review {reviewed:%B %Y}")
        expect(page.get_by_role("button", name=re.compile("review meeting"))).to_have_count(0)
        page.locator(".review-table tbody tr").first.locator("th a").click()
        expect(page.get_by_role("region", name="Why it is red")).to_be_visible()
        for action in ("Record root cause", "Log escalation", "Add corrective action"):
            expect(page.get_by_role("button", name=action)).to_have_count(0)
            expect(page.get_by_role("link", name=action)).to_have_count(0)
