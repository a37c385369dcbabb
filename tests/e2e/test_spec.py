"""The handoff spec in a real browser: inline editing with htmx, and printing."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from seams.demo import DEMO_PASSWORD
from seams.models import HandoffSpec
from tests.e2e.test_owner_journey import wait_for_htmx

pytestmark = pytest.mark.e2e

SPEC = "/seams/custom-integration-intake/spec/"


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Owners land on their seams, viewers on the review.
    expect(page.get_by_role("heading", name=re.compile("My seams|Seam review"))).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_an_owner_edits_a_field_inline_and_sees_the_new_version(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    before = HandoffSpec.objects.get(seam__slug="custom-integration-intake").version
    sign_in(page, live_server, "priya")
    page.goto(live_server.url + SPEC)

    sla = page.locator("#section-sla")
    sla.get_by_role("link", name="Edit sla").click()
    field = sla.get_by_label("Response SLA (business hours)")
    expect(field).to_be_visible()
    wait_for_htmx(page, "#section-sla form")  # (a robot types faster than htmx settles)
    expect(page).to_have_url(live_server.url + SPEC)  # edited in place, no navigation
    field.fill("0")
    sla.get_by_label("Change note").fill("Pilot data: 12 h is achievable")
    sla.get_by_role("button", name=re.compile(r"Save as v\d+")).click()
    expect(sla).to_contain_text("Use a positive number of hours.")  # the error, in place

    sla.get_by_label("Response SLA (business hours)").fill("12")
    sla.get_by_role("button", name=re.compile(r"Save as v\d+")).click()

    expect(sla).to_contain_text(f"Saved as v{before + 1}")
    expect(sla).to_contain_text("12")
    history = page.locator("#spec-history")
    expect(history).to_contain_text("Pilot data: 12 h is achievable")
    expect(history.locator(".version-badge").first).to_have_text(f"v{before + 1}")
    expect(page.locator("#spec-meta")).to_contain_text(f"v{before + 1}")
    spec = HandoffSpec.objects.get(seam__slug="custom-integration-intake")
    assert (spec.version, str(spec.response_sla_hours)) == (before + 1, "12.00")


@pytest.mark.django_db(transaction=True)
def test_a_second_editor_of_the_same_version_sees_the_conflict_in_place(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    sign_in(page, live_server, "priya")
    page.goto(live_server.url + SPEC)
    notes = page.locator("#section-notes")
    notes.get_by_role("link", name="Edit notes").click()
    notes.get_by_label("Notes").fill("Priya's note")
    notes.get_by_label("Change note").fill("Add a note")

    # Meanwhile Dana (owner of Sales) saves a new version.
    from seams.models import User
    from seams.services import save_spec

    spec = HandoffSpec.objects.get(seam__slug="custom-integration-intake")
    save_spec(
        spec=spec,
        changes={"notes": "Dana's note"},
        base_version=spec.version,
        by=User.objects.get(username="dana"),
        note="Dana was first",
    )

    notes.get_by_role("button", name=re.compile(r"Save as v\d+")).click()
    conflict = page.get_by_role("alert")
    expect(conflict).to_contain_text("someone else saved first")
    expect(conflict).to_contain_text("Dana was first")
    expect(conflict).to_contain_text("Priya's note")
    assert HandoffSpec.objects.get(pk=spec.pk).notes == "Dana's note"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_print_view_fits_one_page(live_server, page: Page, paper, tmp_path):
    call_command("seed_demo", verbosity=0)
    sign_in(page, live_server, "victor")
    page.goto(live_server.url + SPEC.replace("spec/", "spec/print/"))
    pdf = tmp_path / "spec.pdf"
    page.pdf(path=str(pdf), format=paper, print_background=True)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())
    assert len(pages) == 1
