"""Ops at the dependency board and the decision log, in Chromium: a card moved by dragging it
with the mouse and by the keyboard alone, each seen on screen and in the database; a decision
logged with the mouse and with the keyboard, confirmed and shown first."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from decisions.models import Decision, Dependency, DependencyMove
from seams.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

DRAGGED = "Pricing sign-off for the Initech renewal"
KEYED = "Data-processing addendum for Globex"


def sign_in(page: Page, url: str, username: str = "olivia") -> None:
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def column(page: Page, status: str):
    return page.locator(f"#board [data-status={status}]")


def card(page: Page, title: str):
    return page.locator("#board article", has_text=title)


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


# Long: one journey, mouse then keyboard, checked on screen and in the database.
@pytest.mark.django_db(transaction=True)
def test_ops_move_cards_by_drag_and_drop_and_by_keyboard(live_server, page: Page, tmp_path):
    call_command("seed_demo", verbosity=0)
    dragged = Dependency.objects.get(title=DRAGGED)
    keyed = Dependency.objects.get(title=KEYED)
    assert (dragged.status, keyed.status) == ("requested", "requested")
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/dependencies/")
    summary = page.locator("#board-summary")
    expect(summary).to_contain_text("Due in")
    at_risk_before = int(summary.locator("div", has_text="At risk").locator("dd").inner_text())

    # The mouse: drag the card onto the Committed column.
    expect(card(page, DRAGGED)).to_have_attribute("draggable", "true")
    card(page, DRAGGED).drag_to(column(page, "committed").locator("h2"))
    expect(page.locator("#board-said")).to_have_text(f"Moved “{DRAGGED}” to Committed.")
    expect(column(page, "committed").locator("article", has_text=DRAGGED)).to_be_visible()
    expect(column(page, "requested").locator("article", has_text=DRAGGED)).to_have_count(0)
    dragged.refresh_from_db()
    assert dragged.status == "committed"
    # It was flagged "not committed"; committed now, the summary counts one fewer at risk.
    expect(summary.locator("div", has_text="At risk").locator("dd")).to_have_text(
        str(at_risk_before - 1)
    )

    # The keyboard alone: Tab to the card's menu, choose a column, Tab to Move, Enter.
    page.locator("#board-filters button").focus()
    tab_to(page, f"#move-{keyed.pk}")
    page.keyboard.type("In progress")  # picks the option by its name, as typing in a list does
    expect(page.locator(f"#move-{keyed.pk}")).to_have_value("in_progress")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Move"
    page.keyboard.press("Enter")
    expect(page.locator("#board-said")).to_have_text(f"Moved “{KEYED}” to In progress.")
    expect(column(page, "in_progress").locator("article", has_text=KEYED)).to_be_visible()
    keyed.refresh_from_db()
    assert keyed.status == "in_progress"
    # The focus comes back to the moved card's menu, now on its new column.
    expect(page.locator(f"#move-{keyed.pk}")).to_be_focused()
    expect(page.locator(f"#move-{keyed.pk}")).to_have_value("in_progress")

    # Space on the Move button works as well; the filter never took the card's choice.
    page.keyboard.type("At risk")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("#board-said")).to_have_text(f"Moved “{KEYED}” to At risk.")
    keyed.refresh_from_db()
    assert keyed.status == "at_risk"
    assert "team=" not in page.url
    assert "seam=" not in page.url
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)

    # A filtered board: choosing a team reloads it; a move there keeps the filter.
    page.locator("#filter_team").select_option(label=keyed.provider.name)
    expect(page).to_have_url(re.compile(rf"/dependencies/\?team={keyed.provider.slug}\b"))
    expect(card(page, KEYED)).to_be_visible()
    page.locator(f"#move-{keyed.pk}").select_option("committed")
    card(page, KEYED).get_by_role("button", name="Move").click()
    expect(page.locator("#board-said")).to_have_text(f"Moved “{KEYED}” to Committed.")
    expect(page.locator("#filter_team")).to_have_value(keyed.provider.slug)
    keyed.refresh_from_db()
    assert keyed.status == "committed"
    assert list(
        DependencyMove.objects.filter(dependency=keyed).values_list("to_status", flat=True)
    ) == ["in_progress", "at_risk", "committed"]


@pytest.mark.django_db(transaction=True)
def test_ops_log_decisions_with_the_mouse_and_the_keyboard(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/decisions/")
    quick_add = page.locator("form.quick-add")

    # The mouse. Choosing the quick-add's seam does not filter the log.
    quick_add.get_by_label("Decision needed").fill("Can Solutions Engineering scope connectors?")
    quick_add.get_by_label("Seam").select_option(label="Sales → Product: Custom integration intake")
    page.wait_for_timeout(400)
    assert "seam=" not in page.url
    quick_add.get_by_label("Type").fill("Integration scope")
    quick_add.get_by_role("button", name="Log decision").click()
    confirmation = page.locator("#decision-log .log-confirmation")
    expect(confirmation).to_contain_text("Logged “Can Solutions Engineering scope connectors?”.")
    expect(confirmation).to_contain_text("Maya Chen decides, due")
    first_row = page.locator("#decision-table tbody tr").first
    expect(first_row).to_contain_text("Can Solutions Engineering scope connectors?")
    expect(first_row).to_contain_text("Just logged")
    assert Decision.objects.filter(question__startswith="Can Solutions Engineering").exists()

    # The keyboard: type, Tab through, Enter.
    page.locator("#id_question").focus()
    page.keyboard.type("Who signs off the Acme sandbox?")
    page.keyboard.press("Tab")
    page.keyboard.type("Sales")  # the seam, by its name: Sales → Product is the only one
    expect(quick_add.get_by_label("Seam")).to_have_value(
        str(Decision.objects.get(question__startswith="Can Solutions").seam_id)
    )
    page.keyboard.press("Tab")
    page.keyboard.type("Integration scope")
    page.keyboard.press("Escape")  # closes the list of known types the field suggests
    page.keyboard.press("Enter")
    expect(confirmation).to_contain_text("Logged “Who signs off the Acme sandbox?”.")
    first_row = page.locator("#decision-table tbody tr").first
    expect(first_row).to_contain_text("Who signs off the Acme sandbox?")
    expect(first_row).to_contain_text("Just logged")
    expect(page.locator("#decision-table")).to_contain_text(
        "Can Solutions Engineering scope connectors?"
    )
    assert page.locator("#decision-table", has_text="Just logged").count() == 1
    decision = Decision.objects.get(question="Who signs off the Acme sandbox?")
    assert decision.seam.name == "Custom integration intake"
    assert decision.decider.display_name == "Maya Chen"  # from the decision right
