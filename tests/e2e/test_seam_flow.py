"""A leader reads a seam's flow on the demo data, in Chromium: the aging chart, the cycle-time
scatterplot and the cumulative flow draw a point per open item, per completed handoff and three
bands, on a desktop and on a 390 px phone without scrolling sideways."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from metrics import engine, flow, signals
from seams.demo import DEMO_PASSWORD
from seams.models import Seam
from tests.e2e.review_data import shots

pytestmark = pytest.mark.e2e

SLUG = "security-sign-off"  # the demo seam with the most open work


@pytest.mark.django_db(transaction=True)
def test_a_leader_sees_the_seams_flow(live_server, page: Page, tmp_path):
    call_command("seed_demo", verbosity=0)
    seam = Seam.objects.select_related("calendar").get(slug=SLUG)
    month = engine.month_under_review()
    at = flow.cut_off(month, timezone.now())
    open_count = len(signals.signals_for([seam], at)[seam.pk].open_items)
    done_count = len(flow.completions(seam, month))
    assert open_count
    assert done_count

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("elena")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/review/"))
    page.goto(f"{live_server.url}/review/seams/{SLUG}/")

    aging = page.get_by_role("region", name="Work item age")
    expect(aging.get_by_role("img")).to_have_attribute(
        "aria-label", re.compile(rf"^Work item age at the end of {month:%B}: ")
    )
    expect(aging.locator("svg circle")).to_have_count(open_count)
    aging.get_by_text("Figures").click()
    expect(aging.locator("tbody tr")).to_have_count(open_count)
    cycle = page.get_by_role("region", name="Cycle time")
    expect(cycle.locator("svg circle")).to_have_count(done_count)
    expect(cycle.get_by_role("img")).to_have_attribute(
        "aria-label", re.compile(rf"^Lead time of the {done_count} handoffs completed in")
    )
    cfd = page.get_by_role("region", name="Cumulative flow")
    expect(cfd.locator("svg polygon")).to_have_count(3)
    page.locator(".flow-grid").screenshot(path=str(shots(tmp_path) / "seam-flow.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator(".flow-grid svg[role=img]")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".flow-grid").screenshot(path=str(shots(tmp_path) / "seam-flow-phone.png"))
