"""Decisions, escalations and dependencies as CSV in their import's columns: formula-looking
text is escaped, and the file imports back adding nothing (the natural keys match)."""

import csv
import io
from datetime import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from decisions.history_rows import COLUMNS
from decisions.models import Decision, Dependency, Escalation
from tests.decisions.conftest import LONDON

SEAM = "custom-integration-intake"


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(datetime(2026, 12, 3, 12, 0, tzinfo=LONDON), tick=True):
        yield


def table(kind: str, rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[kind])
    for row in rows:
        writer.writerow([row.get(name, "") for name in COLUMNS[kind]])
    return out.getvalue()


HISTORY = {
    "decisions": [
        {
            "seam": SEAM,
            "question": '=HYPERLINK("http://evil","Scope?")',
            "decision_type": "Integration scope",
            "requested_by": "owner@example.com",
            "requested_at": "2026-11-02T09:00",
            "decided_at": "2026-11-03T09:00",
            "outcome": "Yes",
            "reopened_at": "2026-11-04T09:00",
            "decided_again_at": "2026-11-05T09:00",
        },
        {
            "seam": SEAM,
            "question": "Price?",
            "decision_type": "Integration scope",
            "requested_by": "owner@example.com",
            "requested_at": "2026-11-09T09:00",
            "withdrawn_at": "2026-11-09T11:00",
        },
    ],
    "escalations": [
        {
            "seam": SEAM,
            "summary": "+1 on the queue",
            "cause": "other",
            "raised_at": "2026-11-03T10:00",
            "resolved_at": "2026-11-04T10:00",
            "resolution": "Done",
            "root_cause": "@here",
        }
    ],
    "dependencies": [
        {
            "title": "-SSO",
            "consumer": "sales",
            "provider": "product",
            "seam": SEAM,
            "owner": "ops@example.com",
            "needed_by": "2026-11-20",
            "status": "delivered",
            "created_at": "2026-11-02T09:00",
            "delivered_at": "2026-11-19",
        }
    ],
}
EXPORTS = {
    "decisions": "decisions:decision-export",
    "escalations": "decisions:escalation-export",
    "dependencies": "decisions:dependency-export",
}


def load(tmp_path, kind: str, content: str) -> str:
    path = tmp_path / f"{kind}.csv"
    path.write_text(content, encoding="utf-8")
    out = StringIO()
    call_command("import_history", str(path), "--kind", kind, "--by", "ops@example.com", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("kind", list(HISTORY))
def test_an_export_escapes_formulas_and_imports_back_adding_nothing(
    tmp_path, kind, viewer_client, seam, right, owner, ops, django_assert_max_num_queries
):
    load(tmp_path, kind, table(kind, HISTORY[kind]))
    with django_assert_max_num_queries(6):
        response = viewer_client.get(reverse(EXPORTS[kind]))
        body = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert list(rows[0]) == COLUMNS[kind]
    assert len(rows) == len(HISTORY[kind])
    first = rows[0]
    if kind == "decisions":
        assert first["question"] == "'" + HISTORY["decisions"][0]["question"]
        assert first["decided_again_at"] == "2026-11-05T09:00:00+00:00"
        assert rows[1]["withdrawn_at"] == "2026-11-09T11:00:00+00:00"
    elif kind == "escalations":
        assert (first["summary"], first["root_cause"]) == ("'+1 on the queue", "'@here")
    else:
        assert (first["title"], first["delivered_at"]) == ("'-SSO", "2026-11-19")
    # The export without its escapes is the file imported: it adds nothing.
    unescaped = body.lstrip("\ufeff").replace("'", "")
    assert "imported before" in load(tmp_path, kind, unescaped)
    counts = {
        "decisions": Decision.objects.count(),
        "escalations": Escalation.objects.count(),
        "dependencies": Dependency.objects.count(),
    }
    assert counts[kind] == len(HISTORY[kind])
