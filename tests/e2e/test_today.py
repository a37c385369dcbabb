"""Ops open Today and see the handoff about to breach, with the business hours left."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.metrics.at_risk_data import always_seam, submitted

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_ops_land_on_today_and_see_the_at_risk_handoff(live_server, page: Page):
    UserFactory(username="opal", first_name="Opal", last_name="Ops", roles=["ops"])
    seam = always_seam("Security sign-off", TeamFactory(name="Sales"), TeamFactory(name="Security"))
    # 24x7, response SLA 10 h, 8 h waiting: at risk, about 2 h left.
    submitted(seam, timezone.now() - timedelta(hours=8), "Acme SSO review", "SEC-101")
    submitted(seam, timezone.now() - timedelta(hours=1), "Globex pen test", "SEC-102")

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("opal")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server.url + "/today/")
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    at_risk = page.get_by_role("region", name=re.compile("At risk"))
    row = at_risk.get_by_role("row", name=re.compile("Acme SSO review"))
    expect(row).to_contain_text(re.compile(r"Breaches in (2|1\.9\d) h"))
    expect(row.get_by_role("link", name="Security sign-off")).to_have_attribute(
        "href", "/review/seams/security-sign-off/"
    )
    expect(at_risk).not_to_contain_text("Globex pen test")  # 1 of 10 h used: not at risk
    expect(page.get_by_role("region", name=re.compile("Decisions due today"))).to_contain_text(
        "No decision falls due today."
    )
