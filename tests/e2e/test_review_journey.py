"""A leader's monthly review on the demo data, in Chromium: the last full month with red seams
first, a drill-down, a corrective action added inline, the review closed, and the pack
printed."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from metrics import engine
from metrics.models import CorrectiveAction, Review
from tests.e2e.review_data import shots

pytestmark = pytest.mark.e2e


# Long: one journey a step at a time; split, it would hide the order the user sees.
@pytest.mark.django_db(transaction=True)
def test_a_leader_runs_the_monthly_review(live_server, page, tmp_path):
    call_command("seed_demo", verbosity=0)
    # The review opens on the month under review, whose meeting the demo has held already:
    # this journey holds it afresh.
    for review in Review.objects.filter(month=engine.month_under_review(), contract=None):
        CorrectiveAction.objects.filter(review=review).delete()
        review.delete()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "elena")
    page.fill("#id_password", "seamline-demo")
    page.get_by_role("button", name="Sign in").click()

    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="Seam review")).to_be_visible()
    page.screenshot(path=str(shots(tmp_path) / "dashboard.png"), full_page=True)
    page.locator(".map-card").screenshot(path=str(shots(tmp_path) / "seam-map.png"))
    # The status badge itself (a drift badge may sit under it).
    statuses = page.locator(".review-table tbody tr td:first-child > .badge").all_inner_texts()
    ranks = {"Red": 0, "Amber": 1, "Green": 2, "No data": 3, "No target": 4}
    assert statuses
    assert statuses[0] == "Red"
    assert [ranks[s] for s in statuses] == sorted(ranks[s] for s in statuses)

    first_red = page.locator(".review-table tbody tr").first.locator("th a")
    seam_name = first_red.inner_text()
    first_red.click()
    expect(page.get_by_role("heading", name=seam_name)).to_be_visible()
    expect(page.get_by_role("img", name="Queue time", exact=False).first).to_be_visible()
    page.screenshot(path=str(shots(tmp_path) / "seam.png"), full_page=True)
    page.go_back()

    page.get_by_role("button", name="Start review meeting").click()
    block = page.locator(".review-seam").first
    block.locator("input[name=text]").fill("Requests arrive without a sample payload")
    block.get_by_role("button", name="Record root cause").click()
    expect(page.locator(".review-seam").first).to_contain_text("Requests arrive without")
    block = page.locator(".review-seam").first
    block.locator("input[name=title]").fill("Make the sample payload a required field")
    block.locator("select[name=owner]").select_option(index=1)
    block.locator("input[name=due_on]").fill("2099-01-15")
    block.get_by_role("button", name="Add action").click()
    expect(page.locator(".review-seam").first).to_contain_text("Make the sample payload")
    page.fill("#notes", "Payload first; revisit in December.")
    page.get_by_role("button", name="Close the review").click()
    expect(page.get_by_text("Closed", exact=True)).to_be_visible()

    # Back on the dashboard, the seam's why is now the recorded root cause.
    page.goto(f"{live_server.url}/review/")
    row = page.locator(".review-table tbody tr", has_text=seam_name)
    expect(row.locator(".why")).to_contain_text("Root cause Requests arrive without a sample")

    # The button opens the browser's print dialog (static/js/seamline.js; no inline script).
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="Print review pack").click()
    assert page.evaluate("window.printed") == 1
    pdf = tmp_path / "review-pack.pdf"
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()  # the pack is the page without the chrome
    expect(page.get_by_role("region", name="Agreed in the meeting")).to_be_visible()
    page.pdf(path=str(pdf), format="A4", landscape=True)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 20_000
