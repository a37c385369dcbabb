"""A new leadership team's first sitting, in Chromium: an empty organisation (no demo data),
the guided start from ten recent misses to a piloted contract, handed from one leader to
another halfway, and then everything it made, found on its ordinary pages."""

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import Browser, Page, expect

from contracts.models import Contract, SpecTemplate
from decisions.models import Escalation
from tests.e2e.review_data import shots
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

MISSES_CSV = """summary,date,cause,from_team,to_team
Acme integration scoped twice: sold features Product had not agreed,,missing inputs,Sales,Security
Globex security review waited 9 days for a data-flow diagram,,missing inputs,Sales,Security
Initech questionnaire answered from last year's template,,other,Sales,Security
Umbrella pen-test report lost between two inboxes,,SLA breach,Sales,Security
Hooli DPA redlines came back after the quarter closed,,SLA breach,Sales,Legal
Soylent MSA sent without the security addendum,,missing inputs,Sales,Legal
"""
MISSES_TYPED = [
    "Vandelay pen-test scheduled before the environment existed",
    "Stark deal waited for a security owner nobody named",
    "Wayne contract went out with the old liability cap",
    "Pied Piper staging environment took three weeks",
]


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def ship_templates() -> None:
    """The template library, as its migration ships it (a transactional test before this one
    may have emptied the tables)."""
    if not SpecTemplate.objects.exists():
        migration = importlib.import_module("contracts.migrations.0003_load_spec_templates")
        migration.load_templates(apps, None)


def tag(page: Page, summary: str, *, seam: str = "", sender: str = "", receiver: str = "") -> None:
    row = page.locator(".miss-row", has_text=summary)
    if seam:
        row.get_by_label("Seam").select_option(label=seam)
    else:
        row.get_by_label("From team").fill(sender)
        row.get_by_label("To team").fill(receiver)
    row.get_by_role("button", name=re.compile("^Tag")).click()
    expect(page.locator(".miss-row", has_text=summary).locator(".tag-accent")).to_be_visible()


# Long: one journey through all five steps; split, it would hide the order the user sees.
@pytest.mark.django_db(transaction=True)
def test_leaders_go_from_ten_misses_to_a_piloted_contract(
    live_server, page: Page, browser: Browser, tmp_path, celery_eager
):
    # Metrics are computed as the targets are set (on workers in production; here, in-process,
    # as with no broker), so the piloted seam is on the dashboard at once.
    ship_templates()
    UserFactory(
        username="elena", first_name="Elena", last_name="Park", job_title="COO", roles=["leader"]
    )
    UserFactory(
        username="maya", first_name="Maya", last_name="Singh", job_title="CRO", roles=["leader"]
    )
    folder = shots(tmp_path)
    page.set_viewport_size({"width": 1440, "height": 900})

    # An organisation without a contract: the leader lands on "Start here".
    sign_in(page, live_server, "elena")
    expect(page).to_have_url(live_server.url + "/start/")
    expect(page.get_by_role("heading", name="From ten recent misses")).to_be_visible()
    expect(page.locator(".guide-step")).to_have_count(5)
    page.screenshot(path=str(folder / "guide-start.png"), full_page=True)
    page.get_by_role("button", name="Begin with step 1").click()

    # Step 1: six misses as a small CSV (tagged on the way in), four typed and tagged by hand.
    expect(page.get_by_role("heading", name="Find your seams")).to_be_visible()
    page.get_by_role("textbox", name="Recent misses").fill(MISSES_CSV)
    page.get_by_role("button", name="Add misses").click()
    expect(page.locator(".miss-row")).to_have_count(6)
    page.get_by_role("textbox", name="Recent misses").fill(
        "\n".join(f"- {miss}" for miss in MISSES_TYPED)
    )
    page.get_by_role("button", name="Add misses").click()
    expect(page.locator(".miss-row")).to_have_count(10)
    tag(page, MISSES_TYPED[0], sender="Engineering", receiver="Platform")
    tag(page, MISSES_TYPED[1], seam="Sales → Security")
    tag(page, MISSES_TYPED[2], sender="sales", receiver="legal")  # the teams it already knows
    tag(page, MISSES_TYPED[3], sender="Engineering", receiver="Platform")
    # The live Pareto: 5 + 3 of 10 misses are 80 %, so the two seams are preselected.
    pareto = page.locator(".guide-pareto")
    expect(pareto).to_contain_text("2 of 3 seams explain 80 % of 10 tagged misses")
    expect(pareto.get_by_label(re.compile("Sales → Security"))).to_be_checked()
    expect(pareto.get_by_label(re.compile("Sales → Legal"))).to_be_checked()
    expect(pareto.get_by_label(re.compile("Engineering → Platform"))).not_to_be_checked()
    page.screenshot(path=str(folder / "guide-1-seams.png"), full_page=True)
    pareto.get_by_role("button", name="Continue with these seams").click()

    # Step 2: the first agenda.
    expect(page.get_by_role("heading", name="Set the decision cadence")).to_be_visible()
    page.get_by_label("Decision to make").fill("Who decides what an integration's scope is?")
    page.get_by_role("button", name="Add the decision").click()
    agenda = page.locator(".guide-agenda")
    expect(agenda).to_contain_text("Who decides what an integration's scope is?")
    page.get_by_label("Constraint to remove").fill("One security reviewer for every region")
    page.get_by_role("button", name="Add the constraint").click()
    expect(agenda).to_contain_text("One security reviewer for every region")
    page.screenshot(path=str(folder / "guide-2-cadence.png"), full_page=True)
    agenda.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Write the spec")).to_be_visible()

    # Elena leaves; Maya, another leader, lands on "Start here" and resumes at step 3.
    maya = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(maya, live_server, "maya")
    expect(maya).to_have_url(live_server.url + "/start/")
    expect(maya.get_by_text("Begun by Elena Park")).to_be_visible()
    expect(maya.locator(".guide-step.is-done")).to_have_count(2)
    maya.get_by_role("link", name="Continue: step 3, write the spec").click()
    page = maya

    # Step 3: the spec of the top seam, from the security sign-off template.
    expect(page.get_by_role("heading", name="One-page spec of Sales → Security")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Security sign-off")).click()
    template = SpecTemplate.objects.get(slug="security-sign-off")
    expect(page.get_by_label("Definition of ready")).to_have_value(
        "\n".join(template.definition_of_ready)
    )
    expect(page.get_by_label("Response SLA (business hours)")).to_have_value(
        f"{template.response_sla_hours.normalize():f}"
    )
    page.get_by_label("Owner", exact=True).select_option(label="Maya Singh · CRO")
    page.screenshot(path=str(folder / "guide-3-spec.png"), full_page=True)
    page.get_by_role("button", name="Save the spec and continue").click()

    # Step 4: the Jira webhook, with a signed test delivery.
    expect(page.get_by_role("heading", name="Measure queue time")).to_be_visible()
    page.get_by_label("Jira webhook").check()
    page.get_by_role("button", name="Use this").click()
    expect(page.locator("#webhook-url")).to_contain_text("/api/v1/hooks/handoffs/jira-")
    page.get_by_role("button", name="Send a test delivery").click()
    expect(page.locator(".messages")).to_contain_text("Signed test delivery accepted")
    page.screenshot(path=str(folder / "guide-4-data.png"), full_page=True)
    page.get_by_role("button", name="Continue").click()

    # Step 5: three metrics suggested by the template, and the review day.
    expect(page.get_by_role("heading", name="Review three metrics monthly")).to_be_visible()
    expect(page.get_by_label("Metric 1")).to_have_value("queue_time_p85_hours")
    expect(page.locator("#id_target_1")).to_have_value(
        f"{template.response_sla_hours.normalize():f}"
    )
    page.get_by_label("Title").fill("Security sign-off pilot")
    page.get_by_label("Review day of the month").fill("12")
    page.screenshot(path=str(folder / "guide-5-metrics.png"), full_page=True)
    page.get_by_role("button", name="Finish: start the pilot").click()
    expect(page.get_by_role("heading", name="Your first contract is in pilot")).to_be_visible()
    page.screenshot(path=str(folder / "guide-done.png"), full_page=True)

    # What it made is ordinary data, on the ordinary pages.
    contract = Contract.objects.get()
    assert contract.status == Contract.Status.PILOT
    page.get_by_role("link", name="Security sign-off pilot").click()
    expect(page.locator(".page-header")).to_contain_text("Pilot")
    expect(page.locator("body")).to_contain_text("Queue time p85")
    assert contract.targets.count() == 3

    page.goto(live_server.url + "/seams/sales-security/spec/")
    expect(page.locator("body")).to_contain_text(template.definition_of_ready[0])
    expect(page.locator(".pilot-banner")).to_be_visible()

    page.goto(live_server.url + "/escalations/")
    for summary in MISSES_TYPED:
        expect(page.locator("body")).to_contain_text(summary)
    assert Escalation.objects.count() == 10

    page.goto(live_server.url + "/decisions/agenda/")
    expect(page.locator("body")).to_contain_text("Who decides what an integration's scope is?")
    expect(page.locator("body")).to_contain_text("One security reviewer for every region")

    page.goto(live_server.url + "/review/")
    expect(page.locator(".review-table")).to_contain_text("Sales → Security")
