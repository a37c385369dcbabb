"""On a 390 px phone, no main page scrolls sideways: wide tables scroll inside their card."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from seams.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PAGES = [
    "/",
    "/seams/",
    "/seams/custom-integration-intake/spec/",
    "/seams/custom-integration-intake/spec/versions/",
    "/contracts/",
    "/contracts/enterprise-launch-fy26/",
    "/initiatives/eu-enterprise-launch/",
    "/decisions/",
    "/escalations/",
    "/dependencies/",
    "/decisions/agenda/",
    "/review/seams/security-sign-off/",  # the drill-down and its flow charts
    "/today/",
    "/my-seams/",
]


@pytest.mark.django_db(transaction=True)
def test_main_pages_fit_a_phone(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("elena")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/review/\?month=\d{4}-\d{2}$"))  # leaders land on the review
    too_wide = {}
    for path in PAGES:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    assert too_wide == {}
