"""Ops see on Today the handoff about to breach, then return another one to its sender for a
ready item missing from the spec's checklist; the sender resubmits and the receiver's clock
runs again, its deadline moved on by exactly the business hours it waited.

The live server runs in its own thread on the real clock, so the data is built relative to now
on the 24x7 calendar (business hours = elapsed hours) and the expected deadline is computed from
the instants the server recorded."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from seams.business_time import add_business_hours, business_time_between
from seams.models import HandoffSpec, Membership
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory
from tests.metrics.at_risk_data import always_seam, submitted

pytestmark = pytest.mark.e2e
CHECKLIST = ["Use case", "Sample payload", "CRM link"]


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


# Long: one journey, two people, checked on screen and in the database at each step.
@pytest.mark.django_db(transaction=True)
def test_ops_return_a_handoff_to_its_sender_who_resubmits_it(live_server, page: Page):
    UserFactory(username="opal", first_name="Opal", last_name="Ops", roles=["ops"])
    sales = TeamFactory(name="Sales")
    sam = UserFactory(username="sam", first_name="Sam", last_name="Sender")
    MembershipFactory(team=sales, user=sam, role=Membership.Role.OWNER)
    seam = always_seam("Security sign-off", sales, TeamFactory(name="Security"))
    HandoffSpec.objects.filter(seam=seam).update(definition_of_ready=CHECKLIST)
    # Response SLA 10 h: 8 h waiting is at risk (about 2 h left), 1 h is not.
    submitted(seam, timezone.now() - timedelta(hours=8), "Acme SSO review", "SEC-101")
    globex = submitted(seam, timezone.now() - timedelta(hours=1), "Globex pen test", "SEC-102")
    deadline_before = globex.sla_deadline
    assert deadline_before is not None

    # Ops land on Today and see the handoff about to breach, with its time left.
    _sign_in(page, live_server.url, "opal")
    expect(page).to_have_url(live_server.url + "/today/")
    at_risk = page.get_by_role("region", name=re.compile("At risk"))
    acme = at_risk.get_by_role("row", name=re.compile("Acme SSO review"))
    expect(acme).to_contain_text(re.compile(r"Breaches in (2|1\.9\d) h"))
    expect(at_risk).not_to_contain_text("Globex pen test")

    # On the handoffs list they return the other one: the Return control opened with the
    # mouse, the missing ready item chosen with the keyboard, the form sent with Tab and Enter.
    page.goto(live_server.url + "/handoffs/")
    row = page.get_by_role("row", name=re.compile("Globex pen test"))
    expect(row.get_by_text("Waiting", exact=True)).to_be_visible()
    row.get_by_text("Return", exact=True).click()
    row.get_by_label("Why").fill("No sample payload attached")
    missing = row.get_by_label("Missing from the definition of ready")
    missing.focus()
    for key in ("ArrowDown", "ArrowDown"):  # None of them → Use case → Sample payload
        page.keyboard.press(key)
    expect(missing).to_have_value("Sample payload")
    row.get_by_label(re.compile("If other, what is missing")).focus()
    page.keyboard.press("Tab")
    expect(row.get_by_role("button", name="Return to sender")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_contain_text("Globex pen test")
    row = page.get_by_role("row", name=re.compile("Globex pen test"))
    expect(row.get_by_text("With sender", exact=True)).to_be_visible()
    expect(row).to_contain_text("Waiting on Sales since")
    expect(row).to_contain_text("missing: Sample payload")
    expect(row).to_contain_text("Paused: with its sender")
    globex.refresh_from_db()
    assert globex.waiting_since is not None
    assert globex.sla_deadline is None
    back = globex.returns.get()
    assert (back.missing_item, back.pauses, back.resubmitted_at) == ("Sample payload", True, None)

    # The sender, an owner of Sales, signs in and resubmits it with the mouse.
    page.context.clear_cookies()
    _sign_in(page, live_server.url, "sam")
    page.goto(live_server.url + "/handoffs/")
    row = page.get_by_role("row", name=re.compile("Globex pen test"))
    expect(row.get_by_text("With sender", exact=True)).to_be_visible()
    row.get_by_role("button", name="Resubmit").click()

    expect(page.get_by_role("status").first).to_contain_text("Globex pen test")
    row = page.get_by_role("row", name=re.compile("Globex pen test"))
    expect(row.get_by_text("With sender", exact=True)).to_have_count(0)
    expect(row.get_by_text("Waiting", exact=True)).to_be_visible()
    expect(row).not_to_contain_text("Waiting on Sales since")
    expect(row).not_to_contain_text("Paused: with its sender")

    # The clock runs again: the deadline moved on by exactly the business hours paused.
    globex.refresh_from_db()
    back.refresh_from_db()
    assert globex.waiting_since is None
    assert back.resubmitted_at is not None
    assert back.resubmitted_at > back.returned_at
    rules = seam.calendar.working_time()
    waited = business_time_between(rules, back.returned_at, back.resubmitted_at)
    assert waited == back.resubmitted_at - back.returned_at  # 24x7: every hour is working
    hours = Decimal(str(waited.total_seconds() / 3600)).quantize(Decimal("0.0001"))
    assert back.pause_hours == hours
    assert globex.sla_deadline == add_business_hours(rules, deadline_before, waited)
    assert globex.sla_deadline == deadline_before + waited
    assert globex.sla_deadline > deadline_before
    assert globex.paused_hours == hours
