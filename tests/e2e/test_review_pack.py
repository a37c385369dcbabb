"""The review pack as a person prints it from the browser: Chromium's PDF of the review page in
print media, on A4 and on Letter, landscape, with the paper chosen by the printer (not by the
page's CSS). A 10-seam contract fits two pages; 300 seams continue the table across pages with
its header row repeated; every page has the pack's header and a "Page n of N" footer."""

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from contracts import catalogue
from metrics import dashboard, engine
from tests.e2e.review_data import a_leader, at, review_contract, shots, sign_in

pypdf = pytest.importorskip(
    "pypdf", reason="pypdf (a dev dependency) reads the printed pack's pages and text"
)

pytestmark = pytest.mark.e2e

HEADER = "SEAMLINE · MONTHLY SEAM REVIEW PACK"
PAPERS = ["A4", "Letter"]
SEAM_NAME = re.compile(r"Seam \d{3} intake")
LAST_COLUMN = "Queue p85, 12 months"  # the table's header row ends with it


def print_pack(page: Page, path: Path, paper: str, pages: list[int] | None = None) -> list[str]:
    """The page printed to `path` on `paper`, landscape; the text of each page (or of those in
    `pages`), spaces collapsed and ligatures (the "fi" of "confidential") undone."""
    page.emulate_media(media="print")
    page.pdf(path=str(path), format=paper, landscape=True, prefer_css_page_size=False)
    page.emulate_media(media=None)
    printed = pypdf.PdfReader(path).pages
    chosen = [printed[i] for i in pages] if pages is not None else printed
    return [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in chosen]


def rows_of(text: str) -> str:
    """A printed page's table rows: after the table's header row, before the seam map (whose
    arrows name red and amber seams)."""
    return text.split(LAST_COLUMN, 1)[-1].split("Seam map", 1)[0] if LAST_COLUMN in text else ""


def save_pages(pdf: Path, page: Page, folder: Path, name: str, last: int = 0) -> None:
    """Each printed page as a PNG beside the mockup (pdftoppm where installed; else the page in
    print media, in one long screenshot)."""
    if shutil.which("pdftoppm"):
        pages = ["-l", str(last)] if last else []
        subprocess.run(
            ["pdftoppm", "-r", "110", *pages, "-png", str(pdf), str(folder / name)], check=True
        )
    else:
        page.emulate_media(media="print")
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        page.emulate_media(media=None)


def assert_header_and_footer_on_every_page(texts: list[str], scope: str) -> None:
    for number, text in enumerate(texts, start=1):
        assert HEADER in text, number
        assert scope in text, number
        assert f"Page {number} of {len(texts)}" in text, number
        assert f"Seamline · {scope} review pack · confidential" in text, number


# Long: one printout, checked page by page.
@pytest.mark.parametrize("day", [1, 3, 28])
@pytest.mark.django_db(transaction=True)
def test_it_prints_a_10_seam_contract_on_two_landscape_pages(live_server, page, tmp_path, day):
    with time_machine.travel(at(day), tick=True):
        month = engine.month_under_review()
        leader = a_leader()
        contract = review_contract(10, month=month, leader=leader)
        sign_in(page, live_server, leader.username)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{live_server.url}/review/?month={month:%Y-%m}&contract={contract.slug}")
        expect(page.get_by_role("heading", name="Seam review")).to_be_visible()
        scope = f"Enterprise Launch FY26 · {month:%B %Y}"
        names = {f"Seam {i:03d} intake" for i in range(1, 11)}
        for paper in PAPERS:
            pdf = tmp_path / f"review-pack-{paper}.pdf"
            texts = print_pack(page, pdf, paper)
            assert len(texts) == 2, paper
            assert_header_and_footer_on_every_page(texts, scope)
            first, second = texts
            # Page 1: the summary and the whole table; page 2: the agenda, the meeting box, the
            # map and the actions. Nothing spills over, nothing is left on a page of its own.
            assert "Seams, worst first" in first
            assert set(SEAM_NAME.findall(first)) == names
            assert "3 of 10 seams red" in first
            assert not SEAM_NAME.search(second.split("Seam map", 1)[0])
            for panel in (
                "Decisions to make",
                "Constraints to remove",
                "Agreed in the meeting",
                "Seam map",
                "corrective actions move anything?",
                "Redline template library",
                "Fund two more staging environments",
            ):
                assert panel in second, (paper, panel)
            # No disclosure toggles, no screen-only controls on paper.
            for control in ("Figures", "Show 7 more", "Export CSV", "Print review pack"):
                assert control not in first + second, (paper, control)
            if paper == "A4":
                save_pages(pdf, page, shots(tmp_path), f"review-pack-print-{day}")

        # Charts sized for paper: at the A4 page's width in print media, no chart is wider
        # than its card, and the map keeps to a third of the page's height.
        page.set_viewport_size({"width": 1047, "height": 700})
        page.emulate_media(media="print")
        overflowing = page.eval_on_selector_all(
            "svg.sparkline, svg.seam-map",
            """svgs => svgs.filter(svg => {
                const card = svg.closest('.card').getBoundingClientRect();
                const box = svg.getBoundingClientRect();
                return box.width > 0 && (box.left < card.left || box.right > card.right);
            }).length""",
        )
        assert overflowing == 0
        map_height = page.locator("svg.seam-map").bounding_box()["height"]
        assert 120 < map_height <= 215  # 56 mm


# Long: one printout, checked page by page.
@pytest.mark.django_db(transaction=True)
def test_it_continues_300_seams_across_pages_with_the_header_row_repeated(
    live_server, page, tmp_path
):
    with time_machine.travel(at(3), tick=True):
        month = engine.month_under_review()
        leader = a_leader()
        contract = review_contract(300, month=month, leader=leader)
        sign_in(page, live_server, leader.username)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{live_server.url}/review/?month={month:%Y-%m}&contract={contract.slug}&pack=1")
        expect(page.locator(".review-table tbody tr")).to_have_count(300)
        scope = f"Enterprise Launch FY26 · {month:%B %Y}"
        labels = [catalogue.BY_NAME[m].label for m in dashboard.TILES]
        pdf = tmp_path / "review-pack-300-A4.pdf"
        texts = print_pack(page, pdf, "A4")
        assert_header_and_footer_on_every_page(texts, scope)
        table_pages = [t for t in texts if SEAM_NAME.search(rows_of(t))]
        # Every seam once, none cut between two pages (its teams print beside its name).
        printed = [name for t in table_pages for name in SEAM_NAME.findall(rows_of(t))]
        assert len(printed) == len(set(printed)) == 300
        assert len(table_pages) >= 10
        for number, text in enumerate(table_pages, start=1):
            # The header row comes first on every page of the table, then the rows.
            head, _, _rows = text.partition(LAST_COLUMN)
            assert not SEAM_NAME.search(head.split("Seams, worst first")[-1])
            for label in ["Status", "Seam", *labels]:
                assert label in head[-200:], (number, label)
            if number < len(table_pages):  # full pages, not a few rows and white space
                least = 10 if number == 1 else 14  # page 1 also holds the summary
                assert len(SEAM_NAME.findall(rows_of(text))) >= least, number
        assert "Seams, worst first" in table_pages[0]
        assert not any("Seams, worst first" in t for t in table_pages[1:])
        # Then the agenda, the meeting box, the map and the actions: one page after the table.
        assert texts[: len(table_pages)] == table_pages
        assert len(texts) == len(table_pages) + 1
        assert "Decisions to make" in texts[-1]
        assert "Seam map" in texts[-1]
        save_pages(pdf, page, shots(tmp_path), "review-pack-300", last=3)

        # Letter: about as many pages; reading every page's text again would only be slower,
        # so the first two and the last (the repeated header row, the numbered footer).
        letter = tmp_path / "review-pack-300-Letter.pdf"
        texts = print_pack(page, letter, "Letter", pages=[0, 1, -1])
        total = len(pypdf.PdfReader(letter).pages)
        assert abs(total - len(table_pages) - 1) <= 3
        first, second, last = texts
        assert f"Page 1 of {total}" in first
        assert f"Page 2 of {total}" in second
        assert f"Page {total} of {total}" in last
        assert all(label in second.partition(LAST_COLUMN)[0] for label in labels)
        assert "Decisions to make" in last
