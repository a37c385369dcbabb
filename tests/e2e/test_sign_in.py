"""A new user's first minute: sign in with a demo login and see the organisation."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from seams.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_it_signs_in_as_a_demo_user_and_lands_on_their_seams(live_server, page: Page):
    call_command("seed_demo", verbosity=0)

    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # A team owner lands on "My seams", first in their navigation.
    expect(page.get_by_role("heading", name="My seams", exact=True)).to_be_visible()
    expect(page).to_have_url(live_server.url + "/my-seams/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        [
            "My seams",
            "Today",
            "Review",
            "Metrics",
            "Seams",
            "Contracts",
            "Decisions",
            "Dependencies",
            "Handoffs",
            "Teams",
        ]
    )
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", name="Teams and people")).to_be_visible()
    product = page.get_by_role("article", name="Product")
    expect(product).to_contain_text("Priya Nair")
    expect(product).to_contain_text("Maya Chen")
    expect(page.get_by_role("article")).to_have_count(8)
    expect(page.locator(".user-meta")).to_contain_text("Team owner")


@pytest.mark.django_db(transaction=True)
def test_it_keeps_a_wrong_password_on_the_sign_in_page(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_data_quality_check_with_htmx(live_server, page: Page, celery_eager):
    call_command("seed_demo", verbosity=0)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/today/")  # ops land on Today
    page.goto(live_server.url + "/teams/")
    card = page.locator("#data-quality")
    expect(card).to_contain_text("Not checked yet")
    page.get_by_role("button", name="Run the check now").click()
    # The demo's launch initiative has assumptions nobody owns: the check finds them.
    expect(card).to_contain_text("EU enterprise launch: 2 assumptions have no owner.")
    expect(page).to_have_url(live_server.url + "/teams/")  # swapped in place, no reload


@pytest.mark.django_db(transaction=True)
def test_it_works_from_the_keyboard_alone(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    page.goto(live_server.url + "/accounts/login/")
    # The username field has the focus; type, Tab to the password, Enter submits.
    expect(page.get_by_label("Username")).to_be_focused()  # (a key before it would be lost)
    page.keyboard.type("victor")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Seam review")).to_be_visible()  # viewers' landing

    # The first Tab reaches a visible "Skip to content" link, which moves focus to the page.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    # Focus is always visible: the next focused link shows an outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
