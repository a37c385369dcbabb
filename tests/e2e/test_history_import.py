"""Ops bring their decision log from a spreadsheet: they open the import from the decision log,
choose the file and "import the valid rows" with the mouse and the keyboard, and read the
report: what was imported, and each rejected row with its line and reason."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from decisions.models import Decision, HistoryImport
from seams.demo import DEMO_PASSWORD
from tests.e2e.review_data import shots

pytestmark = pytest.mark.e2e

HEADER = (
    "seam,contract,question,decision_type,requested_by,requested_at,decider,decided_at,"
    "outcome,rationale,reopened_at,decided_again_at,withdrawn_at"
)
ROWS = [
    # Asked a week back, decided, reopened, decided again: from the old spreadsheet.
    "custom-integration-intake,,Build the Acme connector?,Integration scope,"
    "olivia.park@northwind.example,2026-01-05T10:00,,2026-01-06T11:00,Yes,Fits,"
    "2026-01-07T09:00,2026-01-08T15:00,",
    "custom-integration-intake,,Drop the legacy API?,Integration scope,"
    "olivia.park@northwind.example,2026-01-12T10:00,,,,,,,2026-01-13T10:00",
    "no-such-seam,,Where does this go?,Integration scope,"
    "olivia.park@northwind.example,2026-01-12T10:00,,,,,,,",
]


@pytest.mark.django_db(transaction=True)
def test_ops_import_a_decision_log_and_read_the_report(
    live_server, page: Page, tmp_path, celery_eager
):
    call_command("seed_demo", verbosity=0)
    before = Decision.objects.count()
    csv_file = tmp_path / "decision-log.csv"
    csv_file.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")

    _sign_in_with_the_keyboard(page, live_server.url)
    page.goto(live_server.url + "/decisions/")
    page.get_by_role("link", name="Import a CSV").click()
    expect(page.get_by_role("heading", name="Import decisions from another tool")).to_be_visible()
    # The kind choice: escalations, then back to decisions, by mouse.
    page.get_by_role("navigation", name="What to import").get_by_role(
        "link", name="Escalations"
    ).click()
    expect(page.get_by_role("heading", name="Import escalations from another tool")).to_be_visible()
    page.get_by_role("navigation", name="What to import").get_by_role(
        "link", name="Decisions"
    ).click()

    page.get_by_label("CSV file").set_input_files(str(csv_file))
    # The keyboard picks "import the valid rows": focus the radio group and move to it.
    page.get_by_label("All or nothing").focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Import the valid rows")).to_be_checked()
    page.screenshot(path=str(shots(tmp_path) / "history-import-form.png"), full_page=True)
    page.get_by_role("button", name="Upload and import").click()

    expect(page.get_by_role("heading", name="Import of decision-log.csv")).to_be_visible()
    report = page.locator("#import-progress")
    expect(report).to_contain_text(
        "Imported 2 new decisions: 0 imported before and left as they were, 1 rejected."
    )
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody tr")).to_contain_text("4")
    expect(report.locator("tbody tr")).to_contain_text("seam: No seam “no-such-seam”.")
    page.screenshot(path=str(shots(tmp_path) / "history-import-report.png"), full_page=True)

    _check_the_database(before)

    # "See the decisions" leads back to the log, where the imported one is listed.
    page.get_by_role("link", name="See the decisions").click()
    expect(page.get_by_role("heading", name="Decision log")).to_be_visible()


def _sign_in_with_the_keyboard(page: Page, url: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(lambda at: "/accounts/login/" not in at)


def _check_the_database(before: int) -> None:
    job = HistoryImport.objects.get()
    assert (job.kind, job.status, job.created, job.rejected, job.partial) == (
        "decisions",
        "done",
        2,
        1,
        True,
    )
    assert Decision.objects.count() == before + 2
    acme = Decision.objects.get(question="Build the Acme connector?")
    assert (acme.status, acme.times_reopened, acme.outcome) == ("decided", 1, "Yes")
    assert [e.kind for e in acme.events.all()] == ["logged", "decided", "reopened", "decided"]
    assert Decision.objects.get(question="Drop the legacy API?").status == "withdrawn"
