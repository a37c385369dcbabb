"""Ops at work: log a decision and an escalation from the quick-add forms."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from decisions.models import Decision, Escalation
from seams.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_ops_logs_a_decision_and_an_escalation_and_sees_them_listed(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(live_server.url + "/decisions/")
    page.get_by_label("Decision needed").fill(
        "Can Solutions Engineering scope standard connectors?"
    )
    page.get_by_label("Seam").first.select_option(
        label="Sales → Product: Custom integration intake"
    )
    page.get_by_label("Type", exact=True).first.fill("Integration scope")
    page.get_by_role("button", name="Log decision").click()

    row = page.locator("#decision-table tr", has_text="Can Solutions Engineering scope")
    expect(row).to_contain_text("Just logged")
    expect(row).to_contain_text("Maya Chen")  # the decider, from the decision right
    decision = Decision.objects.get(question__startswith="Can Solutions Engineering")
    assert decision.due_at is not None

    page.goto(live_server.url + "/escalations/")
    page.get_by_label("What happened").fill("Sandbox request arrived without a payload")
    page.get_by_label("Seam", exact=True).select_option(
        label="Sales → Product: Custom integration intake"
    )
    page.get_by_label("Cause", exact=True).select_option(label="Missing inputs")
    page.get_by_role("button", name="Log escalation").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Escalation logged on Custom integration intake"
    )
    expect(page.locator("table").last).to_contain_text("Sandbox request arrived without a payload")
    assert Escalation.objects.filter(
        summary__startswith="Sandbox request", raised_by__username="olivia"
    ).exists()
