"""A team owner's morning: sign in, land on "My seams", open a spec, change the SLA inline
from the keyboard while the worked example follows, then move the seam's calendar with the
mouse; the header's version badge and compare link follow each save."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from seams.demo import DEMO_PASSWORD
from seams.models import HandoffSpec, Seam

pytestmark = pytest.mark.e2e

SLUG = "custom-integration-intake"


def wait_for_htmx(page: Page, selector: str) -> None:
    """Until htmx has wired up the element swapped in (it does so as the swap settles)."""
    page.wait_for_function(
        "s => { const e = document.querySelector(s);"
        " return !!(e && e['htmx-internal-data'] && e['htmx-internal-data'].initHash); }",
        arg=selector,
    )


# Long: one journey a step at a time; split, it would hide the order the user sees.
@pytest.mark.django_db(transaction=True)
def test_an_owner_lands_on_their_seams_and_edits_the_sla_inline(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    before = HandoffSpec.objects.get(seam__slug=SLUG).version
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Lands on My seams: her seams with pilot state and version, and her actions.
    expect(page).to_have_url(live_server.url + "/my-seams/")
    expect(page.get_by_role("heading", name="My seams", exact=True)).to_be_visible()
    row = page.locator(
        ".my-seams tr", has=page.get_by_role("link", name="Custom integration intake")
    )
    expect(row).to_contain_text(f"v{before}")
    expect(row).to_contain_text("Pilot")
    expect(
        page.get_by_role("heading", name=re.compile("Corrective actions you own"))
    ).to_be_visible()
    row.get_by_role("link", name="Custom integration intake").click()  # the mouse
    expect(page).to_have_url(live_server.url + f"/seams/{SLUG}/spec/")
    expect(page.locator("#spec-meta .version-badge")).to_have_text(f"v{before}")
    expect(page.locator("#spec-actions")).to_contain_text(f"Compare with v{before - 1}")

    # The keyboard: focus "Edit sla", Enter opens the editor in place.
    sla = page.locator("#section-sla")
    sla.get_by_role("link", name="Edit sla").focus()
    page.keyboard.press("Enter")
    hours = sla.get_by_label("Response SLA (business hours)")
    expect(hours).to_be_visible()
    wait_for_htmx(page, "#section-sla .sla-fields")
    example = page.locator("#sla-example")
    expect(example).to_contain_text("Example with a 16 h response SLA")
    hours.focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("4.5")
    # The worked example follows the number as it is typed, on the seam's calendar.
    expect(example).to_contain_text("Example with a 4.5 h response SLA")
    expect(example).to_contain_text(re.compile(r"Submitted Fri \d+ \w+ 16:00 → response due Mon"))
    expect(example).to_contain_text("due 12:00")
    note = sla.get_by_label("Change note")
    note.focus()
    page.keyboard.type("Pilot data: half a day is achievable")
    page.keyboard.press("Enter")  # submits the section form

    expect(sla).to_contain_text(f"Saved as v{before + 1}.")
    expect(page).to_have_url(live_server.url + f"/seams/{SLUG}/spec/")  # in place
    expect(page.locator("#spec-meta .version-badge")).to_have_text(f"v{before + 1}")
    compare = page.locator("#spec-actions").get_by_role("link", name=re.compile("Compare with"))
    expect(compare).to_have_text(f"Compare with v{before}")
    expect(compare).to_have_attribute("href", re.compile(rf"a={before}&b={before + 1}$"))
    spec = HandoffSpec.objects.get(seam__slug=SLUG)
    assert (spec.version, float(spec.response_sla_hours)) == (before + 1, 4.5)
    assert spec.versions.first().note == "Pilot data: half a day is achievable"
    page.screenshot(path="/tmp/f/owner-spec-saved.png", full_page=True)

    # The mouse: open the SLA again, pick another calendar, see the example move, save.
    sla.get_by_role("link", name="Edit sla").click()
    wait_for_htmx(page, "#section-sla .sla-fields")  # (a robot picks faster than htmx settles)
    sla.get_by_label("Calendar").select_option("24x7")
    expect(example).to_contain_text("On 24×7")
    expect(example).not_to_contain_text("not working")
    sla.get_by_label("Change note").fill("Round the clock during the launch")
    sla.get_by_role("button", name=re.compile(r"Save as v\d+")).click()
    expect(page.locator("#spec-meta .version-badge")).to_have_text(f"v{before + 2}")
    expect(page.locator("#spec-meta")).to_contain_text("24×7")
    expect(page.locator("#spec-actions")).to_contain_text(f"Compare with v{before + 1}")
    assert Seam.objects.get(slug=SLUG).calendar.slug == "24x7"
    assert HandoffSpec.objects.get(seam__slug=SLUG).version == before + 2

    # The compare link leads to the two latest versions.
    page.locator("#spec-actions").get_by_role("link", name=re.compile("Compare with")).click()
    expect(page).to_have_url(re.compile(rf"compare/\?a={before + 1}&b={before + 2}$"))
