"""History from other tools gives the monthly metrics DESIGN.md defines: October is brought in
through the API, November by CSV, and the snapshots `compute_metrics` stores are checked
against figures worked out by hand below.

The seam's calendar is Mon–Fri 09:00–17:30 London (8.5 business hours a day); the decision right
"Integration scope" gives 16 business hours (tests/decisions/conftest.py). Every decision
below is of that type, so its due time is 16 business hours after its request.

October, through the API
  D1 asked Fri 2 Oct 16:00 → due Tue 6 Oct 15:00 (1.5 Fri + 8.5 Mon + 6 Tue).
     Decided Mon 5 Oct 11:00 (in time), reopened Wed 7 Oct 10:00, decided again Thu 8 Oct
     12:00. A reopen moves neither the request nor the due time: latency = 1.5 Fri + 8.5 Mon
     + 8.5 Tue + 8.5 Wed + 3 Thu = 30.0 h, decided in October; at its due time it was decided:
     no breach.
  D2 asked Mon 12 Oct 09:00 → due Tue 13 Oct 16:30; withdrawn Tue 13 Oct 10:00, by its due
     time: not due, no breach, no latency.
  D3 asked Wed 14 Oct 09:00 → due Thu 15 Oct 16:30; withdrawn Mon 19 Oct 10:00, after its due
     time: a breach, in October (the month of the due time).
  D4 asked Fri 16 Oct 17:00, across a weekend → due Tue 20 Oct 16:00 (0.5 Fri + 8.5 Mon +
     7 Tue); decided Tue 20 Oct 16:30: latency 0.5 + 8.5 + 7.5 = 16.5 h; a breach in October.
  D9 asked Fri 30 Oct 16:00 → due Tue 3 Nov 15:00; decided Wed 4 Nov 10:00: latency 1.5 Fri +
     8.5 Mon + 8.5 Tue + 1 Wed = 19.5 h, in November; a breach in November (due then).
  Escalations raised Mon 5 Oct and Tue 20 Oct (one resolved Wed 21 Oct): 2.
  Dependencies needed by Fri 9 Oct (delivered 9 Oct: on time, on the day counts), Fri 16 Oct
  (delivered Mon 19 Oct: late), Fri 23 Oct (cancelled: not due): due 2, on time 1.

  October: latency p85 over [16.5, 30.0] = 16.5 + 0.85 × 13.5 = 27.975 h;
  breaches D3, D4 = 2; escalations 2; dependencies due 2, on time 1.

November, by CSV
  D5 asked Mon 2 Nov 09:00 → due Tue 3 Nov 16:30; decided Tue 3 Nov 09:00: 8.5 h, in time.
  D6 asked Thu 5 Nov 09:00 → due Fri 6 Nov 16:30; decided Thu 5 Nov 17:00, reopened Fri 6 Nov
     10:00 (before its due time: it was waiting again when it fell due → a breach), decided
     again Mon 9 Nov 10:00: latency 8.5 Thu + 8.5 Fri + 1 Mon = 18.0 h.
  D7 asked Fri 20 Nov 16:00 → due Tue 24 Nov 15:00; withdrawn Wed 25 Nov 10:00: a breach.
  D8 asked Mon 23 Nov 09:00, withdrawn 11:00 the same day: not due.
  Escalations raised 3, 10 and 24 Nov: 3.
  Dependencies needed by 10 Nov (delivered 10 Nov: on time), 13 Nov (delivered 12 Nov: on
  time), 20 Nov (delivered 23 Nov: late), 27 Nov (cancelled: not due), 30 Nov (still in
  progress: due, not on time): due 4, on time 2.

  November: latency p85 over [8.5, 18.0, 19.5] (D5, D6, D9): rank 0.85 × 2 = 1.7 →
  18.0 + 0.7 × 1.5 = 19.05 h; breaches D6, D7, D9 = 3; escalations 3; dependencies due 4,
  on time 2.
"""

import csv
import io
from datetime import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from decisions.history_rows import COLUMNS
from metrics.models import MonthlySeamMetrics
from tests.decisions.conftest import LONDON

SEAM = "custom-integration-intake"


def iso(day: int, hour: int, minute: int = 0, month: int = 10) -> str:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON).isoformat()


def post(client, path: str, body: dict) -> dict:
    response = client.post(path, body, format="json")
    assert response.status_code in (200, 201), response.json()
    return response.json()


def ask(client, day: int, hour: int, month: int = 10) -> int:
    body = {
        "question": f"Scope {month}/{day}?",
        "decision_type": "Integration scope",
        "seam": SEAM,
        "requested_at": iso(day, hour, month=month),
    }
    return post(client, "/api/v1/decisions/", body)["id"]


def act(client, pk: int, verb: str, **body) -> None:
    post(client, f"/api/v1/decisions/{pk}/{verb}/", body)


def october_through_the_api(leader) -> None:
    client = APIClient()
    client.force_authenticate(leader)
    d1 = ask(client, 2, 16)
    act(client, d1, "decide", outcome="Yes", decided_at=iso(5, 11))
    act(client, d1, "reopen", reason="New facts", reopened_at=iso(7, 10))
    act(client, d1, "decide", outcome="No", decided_at=iso(8, 12))
    act(client, ask(client, 12, 9), "withdraw", reason="Moot", withdrawn_at=iso(13, 10))
    act(client, ask(client, 14, 9), "withdraw", reason="Late", withdrawn_at=iso(19, 10))
    act(client, ask(client, 16, 17), "decide", outcome="Yes", decided_at=iso(20, 16, 30))
    act(client, ask(client, 30, 16), "decide", outcome="Yes", decided_at=iso(4, 10, month=11))
    raised = {"seam": SEAM, "summary": "Missed", "cause": "sla_breach"}
    post(client, "/api/v1/escalations/", raised | {"raised_at": iso(5, 9)})
    post(
        client,
        "/api/v1/escalations/",
        raised
        | {
            "raised_at": iso(20, 9),
            "resolved_at": iso(21, 9),
            "resolution": "Staffed",
            "root_cause": "One reviewer",
        },
    )
    for needed, to, delivered in (
        ("2026-10-09", "delivered", "2026-10-09"),
        ("2026-10-16", "delivered", "2026-10-19"),
        ("2026-10-23", "cancelled", None),
    ):
        made = post(
            client,
            "/api/v1/dependencies/",
            {
                "title": f"Needed {needed}",
                "provider": "product",
                "consumer": "sales",
                "seam": SEAM,
                "owner": "ops",
                "needed_by": needed,
                "created_at": iso(1, 9),
            },
        )
        move = {"status": to} | ({"delivered_at": delivered} if delivered else {})
        post(client, f"/api/v1/dependencies/{made['id']}/move/", move)


def as_csv(kind: str, rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[kind])
    for row in rows:
        writer.writerow([row.get(name, "") for name in COLUMNS[kind]])
    return out.getvalue()


def decision(day: int, hour: int, **cells) -> dict:
    return {
        "seam": SEAM,
        "question": f"November {day} {hour}?",
        "decision_type": "Integration scope",
        "requested_by": "owner@example.com",
        "requested_at": f"2026-11-{day:02d}T{hour:02d}:00",
    } | cells


NOVEMBER = {
    "decisions": [
        decision(2, 9, decided_at="2026-11-03T09:00", outcome="Yes"),
        decision(
            5,
            9,
            decided_at="2026-11-05T17:00",
            reopened_at="2026-11-06T10:00",
            decided_again_at="2026-11-09T10:00",
            outcome="No",
        ),
        decision(20, 16, withdrawn_at="2026-11-25T10:00"),
        decision(23, 9, withdrawn_at="2026-11-23T11:00"),
    ],
    "escalations": [
        {"seam": SEAM, "summary": f"Miss {day}", "cause": "missing_inputs", "raised_at": at}
        for day, at in ((3, "2026-11-03T10:00"), (10, "2026-11-10T10:00"), (24, "2026-11-24"))
    ],
    "dependencies": [
        {
            "title": f"Needed {needed}",
            "consumer": "sales",
            "provider": "product",
            "seam": SEAM,
            "owner": "ops@example.com",
            "needed_by": needed,
            "status": status,
            "created_at": "2026-11-02T09:00",
            "delivered_at": delivered,
        }
        for needed, status, delivered in (
            ("2026-11-10", "delivered", "2026-11-10"),
            ("2026-11-13", "delivered", "2026-11-12"),
            ("2026-11-20", "delivered", "2026-11-23"),
            ("2026-11-27", "cancelled", ""),
            ("2026-11-30", "in_progress", ""),
        )
    ],
}


def november_by_csv(tmp_path) -> None:
    for kind, rows in NOVEMBER.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(as_csv(kind, rows))
        out = StringIO()
        call_command(
            "import_history", str(path), "--kind", kind, "--by", "ops@example.com", stdout=out
        )
        assert f"Imported {len(rows)} {kind}" in out.getvalue()


# The clock on the 1st, 3rd and 28th of the month after: full months judge alike.
@pytest.mark.parametrize("today", [1, 3, 28])
def test_history_through_the_api_and_by_csv_gives_the_hand_computed_metrics(
    tmp_path, today, seam, right, leader, owner, ops
):
    with time_machine.travel(datetime(2026, 12, today, 12, 0, tzinfo=LONDON), tick=False):
        october_through_the_api(leader)
        november_by_csv(tmp_path)
        for month in ("2026-10", "2026-11"):
            call_command("compute_metrics", "--month", month, stdout=StringIO())
    snapshots = {f"{row.month:%Y-%m}": row for row in MonthlySeamMetrics.objects.filter(seam=seam)}
    figures = {
        month: (
            snapshots[month].decision_latency_p85_hours,
            snapshots[month].decision_sla_breaches,
            snapshots[month].escalations,
            snapshots[month].dependencies_due,
            snapshots[month].dependencies_on_time,
        )
        for month in ("2026-10", "2026-11")
    }
    assert figures == {
        "2026-10": (Decimal("27.975"), 2, 2, 2, 1),
        "2026-11": (Decimal("19.05"), 3, 3, 4, 2),
    }
