"""The CSV import carries only a count of returns (no pauses), but a handoff it updates keeps
the returns recorded in Seamline, and their pauses follow its new times."""

from datetime import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from seams import business_time
from seams.handoffs import resubmit_handoff, return_handoff
from seams.ingest import ingest
from seams.models import Handoff

pytestmark = pytest.mark.usefixtures("csv_path")
LONDON = ZoneInfo("Europe/London")
HEADER = "seam,external_id,title,approval_type,submitted_at,started_at,completed_at,returned_count"


def run(tmp_path, *lines):
    path = tmp_path / "handoffs.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    call_command("import_handoffs", str(path), "--source", "csv", stdout=StringIO())


def test_an_import_fills_the_clock_and_keeps_recorded_pauses(tmp_path, seam, owner):
    # Mon 16 Nov 2026 09:00 (London is on UTC), not started yet.
    run(tmp_path, f"{seam.slug},J-1,Acme,,2026-11-16T09:00:00,,,0")
    handoff = Handoff.objects.get()
    rules = seam.calendar.working_time()
    expected = business_time.clock_hours(rules, datetime(2026, 11, 16, 9, tzinfo=LONDON))
    assert handoff.submitted_clock == Decimal(str(expected)).quantize(Decimal("0.0001"))
    assert handoff.paused_hours == 0
    return_handoff(
        handoff=handoff, reason="No payload", at=datetime(2026, 11, 16, 10, tzinfo=LONDON)
    )
    resubmit_handoff(handoff=handoff, by=owner, at=datetime(2026, 11, 16, 12, tzinfo=LONDON))
    # Started Wed 10:00 by the next file: queue Mon 8.5 + Tue 8.5 + Wed 1 = 18, minus the
    # 2 h paused on Monday = 16; the deadline (18 h from Mon 09:00) is Wed 10:00.
    run(tmp_path, f"{seam.slug},J-1,Acme,,2026-11-16T09:00:00,2026-11-18T10:00:00,,1")
    handoff = Handoff.objects.get()
    assert handoff.queue_hours == Decimal("16.0000")
    assert handoff.paused_hours == Decimal("2.0000")
    assert handoff.sla_deadline == datetime(2026, 11, 18, 10, tzinfo=LONDON)
    assert handoff.returns.get().pauses


def test_the_bulk_ingest_fills_the_clock_too(seam):
    row = {
        "seam": seam.slug,
        "external_id": "J-9",
        "title": "x",
        "submitted_at": "2026-11-16T09:00:00",
    }
    ingest([(0, row)], source="api", partial=False)
    assert Handoff.objects.get().submitted_clock is not None
