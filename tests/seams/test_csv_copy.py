"""PostgreSQL's COPY path for the CSV import agrees with the row-by-row reader, value for value:
the same times (offsets, naive times in the organisation's zone, DST), the same SLA deadlines
and business-hour durations from the seam's calendar, the same messages."""

import datetime as dt
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

import seams.csv_import as csv_import
from seams.csv_import import import_csv
from seams.handoff_rules import CSV_COLUMNS
from seams.models import Calendar, CalendarHoliday, Handoff
from tests.factories import SeamFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")

LONDON = ZoneInfo("Europe/London")
ROWS = [
    # plain shapes SQL reads itself
    ("A-1", "2026-03-27T16:30:00", "2026-03-30T10:15:00", "2026-03-31T09:00:00"),
    ("A-2", "2026-03-28 08:00", "2026-03-30T09:00:00Z", ""),  # a Saturday submission
    ("A-3", "2026-10-23T17:59:59+02:00", "2026-10-26T08:00:00.250000+00:00", ""),
    ("A-4", "2026-10-25T01:30:00", "2026-10-25T01:45:00", ""),  # repeated hour in London
    ("A-5", "2026-03-29T01:30:00", "2026-03-30T09:00:00", ""),  # hour that doesn't exist
    ("A-6", "2025-12-24", "2025-12-29T12:00:00", "2025-12-29T12:00:00"),  # over Christmas
    # other spellings: Python's parser reads them
    ("A-7", "2026-11-02T09", "2026-11-2T12:00", ""),
    ("A-8", "2026-11-03 10:15:00 +01:00", "2026-11-03T10:30:00+0000", ""),
    ("A-9", "2026-11-04T10:00:00.1234567", "", ""),
]


def csv_bytes(rows, slug: str) -> bytes:
    lines = [",".join(CSV_COLUMNS)]
    for key, submitted, started, completed in rows:
        lines.append(f"{slug},{key},Title {key},standard,{submitted},{started},{completed},1")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def business_seam(db):
    calendar = Calendar.objects.create(
        slug="london-office",
        name="London office",
        time_zone="Europe/London",
        working_weekdays=[1, 2, 3, 4, 5],
        day_start=dt.time(9),
        day_end=dt.time(17, 30),
    )
    for day in (dt.date(2025, 12, 25), dt.date(2025, 12, 26)):
        CalendarHoliday.objects.create(calendar=calendar, date=day, name="Holiday")
    seam = SeamFactory(calendar=calendar)
    seam.spec.response_sla_hours = Decimal("12.50")
    seam.spec.save()
    return seam


def stored(source: str) -> dict:
    fields = ["submitted_at", "started_at", "completed_at", "sla_hours", "sla_deadline"]
    fields += ["queue_hours", "lead_hours", "returned_count", "title"]
    return {
        h["external_id"]: {name: h[name] for name in fields}
        for h in Handoff.objects.filter(source=source).values("external_id", *fields)
    }


def run(content: bytes, source: str, monkeypatch, *, copy: bool, partial=False):
    monkeypatch.setattr(csv_import, "use_copy", lambda: copy)
    return import_csv(BytesIO(content), source=source, partial=partial)


def test_copy_and_the_row_reader_store_the_same_values(business_seam, monkeypatch):
    content = csv_bytes(ROWS, business_seam.slug)
    by_rows = run(content, "rows", monkeypatch, copy=False)
    by_copy = run(content, "copy", monkeypatch, copy=True)
    assert [e.message for e in by_rows.errors] == []
    assert (by_copy.created, by_copy.rejected) == (by_rows.created, by_rows.rejected) == (9, 0)
    assert stored("copy") == stored("rows")
    a4 = stored("copy")["A-4"]
    # 01:30 on the night the clocks go back is read as its first occurrence (still BST).
    assert a4["submitted_at"] == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert stored("copy")["A-6"]["queue_hours"] == Decimal("11.5000")  # 24th–29th, 2 holidays


def test_a_second_copy_updates_and_keeps_the_first_deadline(business_seam, monkeypatch):
    content = csv_bytes(ROWS[:2], business_seam.slug)
    run(content, "copy", monkeypatch, copy=True)
    first = stored("copy")
    business_seam.spec.response_sla_hours = Decimal("1")
    business_seam.spec.save()
    again = run(content.replace(b"Title", b"Renamed"), "copy", monkeypatch, copy=True)
    assert (again.created, again.updated) == (0, 2)
    after = stored("copy")
    assert after["A-1"]["title"] == "Renamed A-1"
    assert after["A-1"]["sla_deadline"] == first["A-1"]["sla_deadline"]
    assert after["A-1"]["sla_hours"] == Decimal("12.50")
    assert Handoff.objects.filter(source="copy").count() == 2


BAD = [
    ("B-1", "2026-02-30T10:00:00", "", ""),
    ("B-2", "2026-11-02T24:00", "", ""),
    ("B-3", "yesterday", "", ""),
    ("B-4", "2099-01-01T00:00:00", "", ""),
    ("B-5", "2026-11-02T10:00:00", "2026-11-02T09:00:00", ""),
    ("B-6", "2026-11-02T10:00:00", "", "2026-11-02T11:00:00"),
    ("B-7", "2026-11-02T10:00:00", "2026-11-02T11:00:00", "2026-11-02T10:30:00"),
    ("B-8", "", "", ""),
    ("B-9", "2026-11-02T10:00:00", "2026-11-02T11:00:00+25:00", ""),
]


def test_copy_refuses_what_the_row_reader_refuses_in_the_same_words(business_seam, monkeypatch):
    content = csv_bytes(BAD, business_seam.slug)
    content += (
        b"nope,B-10,T,x,2026-11-02T10:00,,,-1\n"
        + b"%s,B-1,T,x,2026-11-02T10:00,,,99999999999\n" % business_seam.slug.encode()
    )
    by_rows = run(content, "rows", monkeypatch, copy=False, partial=True)
    by_copy = run(content, "copy", monkeypatch, copy=True, partial=True)
    messages = [(e.row, e.message) for e in by_copy.errors]
    assert messages == [(e.row, e.message) for e in by_rows.errors]
    assert len(messages) == 11
    assert (2, "submitted_at: “2026-02-30T10:00:00” is not a real date and time.") in messages
    assert (
        11,
        "seam: No seam “nope”.; returned_count: “-1” is not a whole number of 0 or more.",
    ) in messages
    assert (
        12,
        "external_id: “B-1” is already used on line 2 of this file.; "
        "returned_count: “99999999999” is too large.",
    ) in messages
    assert not Handoff.objects.exists()


def test_a_file_copy_cannot_take_line_for_line_goes_row_by_row(business_seam, monkeypatch):
    rows = csv_bytes(ROWS[:2], business_seam.slug)
    multiline = (
        rows + f'{business_seam.slug},A-3,"Two\nlines",standard,2026-11-02T10:00,,,0\n'.encode()
    )
    outcome = run(multiline, "copy", monkeypatch, copy=True)
    assert outcome.created == 3
    assert Handoff.objects.get(external_id="A-3").title == "Two\nlines"
    # COPY would take a line holding only "\." as the end of its input and drop what follows.
    later_row = csv_bytes(ROWS[2:3], business_seam.slug).split(b"\n", 1)[1]
    outcome = run(rows + b"\\.\n" + later_row, "early", monkeypatch, copy=True, partial=True)
    assert (outcome.created, outcome.rejected) == (3, 1)
    assert outcome.errors[0].row == 4
