"""The review on a 390 px phone: about as long as the mockup (the three worst seams, then "Show N
more", which the mouse, the keyboard and a browser without script all open), the constraints,
the seam map and the escalations as links, and no chart wider than the screen."""

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from contracts.models import ContractSeam
from metrics import engine
from metrics.models import MonthlySeamMetrics
from tests.e2e.review_data import a_leader, at, review_contract, shots, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
# dashboard-mobile.png is 390 × 3072 pixels: drawn at one pixel per CSS pixel, 3072 CSS px long.
MOCKUP_HEIGHT = 3072
SHOW_MORE = "Show 7 more seams (3 amber, 4 green)"


def open_review(page: Page, live_server, contract, month) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/review/?month={month:%Y-%m}&contract={contract.slug}")
    expect(page.get_by_role("heading", name="Seam review")).to_be_visible()


def shown_seams(page: Page) -> list[str]:
    rows = page.locator(".review-table tbody tr")
    return [
        rows.nth(i).locator(".seam-link").inner_text()
        for i in range(rows.count())
        if rows.nth(i).is_visible()
    ]


def red_seams(month) -> list[str]:
    """The seams whose month is red, from the database, by name."""
    return sorted(
        MonthlySeamMetrics.objects.filter(month=month, queue_time_p85_hours__gt=24 * 1.2)
        .order_by("seam__name")
        .values_list("seam__name", flat=True)
    )


def svgs_wider_than_the_screen(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "svg",
        """(svgs) => svgs.filter((svg) => {
            const box = svg.getBoundingClientRect();
            return box.width > 0 && (box.left < 0 || box.right > window.innerWidth);
        }).map((svg) => svg.getAttribute('class') || svg.outerHTML.slice(0, 60))""",
    )


# Long: one journey a step at a time; split, it would hide the order the user sees.
@pytest.mark.parametrize("day", [1, 3, 28])
@pytest.mark.django_db(transaction=True)
def test_it_fits_a_phone_with_the_three_worst_seams_then_show_more(
    live_server, page, tmp_path, day
):
    with time_machine.travel(at(day), tick=True):
        month = engine.month_under_review()
        leader = a_leader()
        contract = review_contract(10, month=month, leader=leader)
        sign_in(page, live_server, leader.username)
        open_review(page, live_server, contract, month)
        page.screenshot(path=str(shots(tmp_path) / f"review-phone-{day}.png"), full_page=True)

        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= 1.2 * MOCKUP_HEIGHT
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # The three worst seams, the red ones in the database.
        reds = red_seams(month)
        assert len(reds) == 3
        assert sorted(shown_seams(page)) == reds
        # The constraints and the seam map are links, not panels, on a phone.
        expect(page.get_by_role("heading", name="Constraints to remove")).to_be_hidden()
        expect(page.get_by_role("heading", name="Seam map")).to_be_hidden()
        expect(page.get_by_role("heading", name="Escalations in")).to_be_hidden()
        links = page.get_by_role("navigation", name="More of the review")
        constraints = links.get_by_role("link", name="Constraints to remove")
        expect(constraints).to_have_attribute("href", reverse("decisions:constraints"))
        expect(constraints).to_contain_text("3 open")
        expect(links.get_by_role("link", name="Escalations in February")).to_be_visible()
        # The decisions and the last review's actions stay, as on the mockup.
        expect(page.get_by_role("heading", name="Decisions to make")).to_be_visible()
        expect(
            page.get_by_role("heading", name="corrective actions move anything?")
        ).to_be_visible()
        assert svgs_wider_than_the_screen(page) == []

        # With the mouse: "Show 7 more" shows every seam and goes away.
        more = page.get_by_role("link", name=SHOW_MORE)
        more.click()
        expect(page.locator(".review-table tbody tr:visible")).to_have_count(10)
        expect(more).to_be_hidden()
        assert svgs_wider_than_the_screen(page) == []

        # The map opens in place, drawn to the screen's width.
        links.get_by_role("link", name="Seam map").click()
        seam_map = page.locator("svg.seam-map")
        expect(seam_map).to_be_visible()
        assert seam_map.bounding_box()["width"] <= PHONE["width"]
        assert svgs_wider_than_the_screen(page) == []
        page.screenshot(path=str(shots(tmp_path) / f"review-phone-map-{day}.png"), full_page=True)

        # With the keyboard, on a fresh page: Tab to "Show 7 more" and press Enter.
        open_review(page, live_server, contract, month)
        expect(page.locator(".review-table tbody tr:visible")).to_have_count(3)
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == SHOW_MORE:
                break
        else:
            pytest.fail(f"Tab never reached “{SHOW_MORE}”")
        page.keyboard.press("Enter")
        expect(page.locator(".review-table tbody tr:visible")).to_have_count(10)
        assert len(shown_seams(page)) == ContractSeam.objects.filter(contract=contract).count()


@pytest.mark.django_db(transaction=True)
def test_show_more_and_the_map_work_without_script(live_server, browser):
    with time_machine.travel(at(3), tick=True):
        month = engine.month_under_review()
        leader = a_leader()
        contract = review_contract(10, month=month, leader=leader)
        context = browser.new_context(java_script_enabled=False, viewport=PHONE)
        page = context.new_page()
        try:
            sign_in(page, live_server, leader.username)
            open_review(page, live_server, contract, month)
            expect(page.locator(".review-table tbody tr:visible")).to_have_count(3)
            page.get_by_role("link", name=SHOW_MORE).click()
            expect(page.locator(".review-table tbody tr:visible")).to_have_count(10)
            page.get_by_role("link", name="Seam map").click()
            expect(page.locator("svg.seam-map")).to_be_visible()
        finally:
            context.close()
