"""One home for a handoff's timestamp order, the handoff CSV's columns and the upsert's columns:
the model, the row check of the API and webhooks, the CSV import and its COPY path agree."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from seams import csv_copy, handoff_rules, ingest
from seams.handoff_rules import timestamp_problems
from seams.models import Handoff

T = [datetime(2026, 11, day, 10, tzinfo=UTC) for day in range(1, 6)]
CASES = [
    ((T[1], T[2], T[3]), {}),
    ((T[1], T[1], T[1]), {}),
    ((T[2], T[1], None), {"started_at": handoff_rules.STARTED_BEFORE_SUBMITTED}),
    ((T[1], None, T[3]), {"completed_at": handoff_rules.COMPLETED_NOT_STARTED}),
    ((T[1], T[3], T[2]), {"completed_at": handoff_rules.COMPLETED_BEFORE_STARTED}),
    (
        (T[3], T[2], T[1]),
        {
            "started_at": handoff_rules.STARTED_BEFORE_SUBMITTED,
            "completed_at": handoff_rules.COMPLETED_BEFORE_STARTED,
        },
    ),
]


@pytest.mark.parametrize(("times", "problems"), CASES)
def test_it_tells_the_same_problems_in_the_model_and_the_row_check(seam, times, problems):
    assert timestamp_problems(*times) == problems
    handoff = Handoff(seam=seam, title="x", external_id="x", submitted_at=times[0])
    handoff.started_at, handoff.completed_at = times[1], times[2]
    if problems:
        with pytest.raises(ValidationError) as caught:
            handoff.clean()
        assert {k: v[0] for k, v in caught.value.message_dict.items()} == problems
    else:
        handoff.clean()
    raw = {"seam": seam.slug, "external_id": "x", "title": "x", "approval_type": ""}
    named = zip(handoff_rules.TIME_FIELDS, times, strict=True)
    raw |= {name: t.isoformat() if t else "" for name, t in named}
    _, errors = ingest.validate_row(raw, {seam.slug: seam})
    assert errors == problems


def test_an_unreadable_start_is_not_also_never_started():
    assert timestamp_problems(T[1], None, T[3], started_unreadable=True) == {}


def test_the_copy_path_checks_with_the_same_messages():
    assert handoff_rules.STARTED_BEFORE_SUBMITTED in csv_copy.PROBLEMS["started_at"]
    for message in (handoff_rules.COMPLETED_NOT_STARTED, handoff_rules.COMPLETED_BEFORE_STARTED):
        assert message in csv_copy.PROBLEMS["completed_at"]


def test_the_csv_columns_are_designs_and_the_export_adds_the_worked_out_ones():
    header = "seam,external_id,title,approval_type,submitted_at,started_at,completed_at"
    columns = handoff_rules.CSV_COLUMNS
    assert ",".join(columns) == header + ",returned_count"
    assert handoff_rules.EXPORT_COLUMNS[: len(columns)] == columns
    assert ["row", *columns, "returns"] == ingest.FIELD_ORDER  # a bulk row may carry returns


def test_the_upsert_writes_every_handoff_column_and_keeps_what_is_fixed_at_first_recording():
    columns = {f.column for f in Handoff._meta.concrete_fields} - {"id", "escalated_at"}
    assert set(handoff_rules.UPSERT_COLUMNS) <= columns
    assert "created_at" not in handoff_rules.UPDATED_COLUMNS
    assert handoff_rules.UPDATED_FIELDS == [
        "seam",
        "title",
        "approval_type",
        "submitted_at",
        "started_at",
        "completed_at",
        "returned_count",
        "queue_hours",
        "lead_hours",
        "updated_at",
    ]
