"""The rules every way of writing handoffs shares: the order of a handoff's timestamps, the
columns of the handoff CSV and the columns a bulk upsert writes.

The model's `clean()`, the bulk API and webhooks (seams.ingest), the CSV import (seams.csv_import)
and its PostgreSQL COPY path (seams.csv_copy, which checks in SQL with these same messages) all
read them from here, so they cannot drift apart.
"""

from datetime import datetime

TIME_FIELDS = ("submitted_at", "started_at", "completed_at")

# DESIGN.md: submitted ≤ started ≤ completed, and nothing is completed without being started.
STARTED_BEFORE_SUBMITTED = "Started before it was submitted."
COMPLETED_NOT_STARTED = "Completed but never started."
COMPLETED_BEFORE_STARTED = "Completed before it was started."


def timestamp_problems(
    submitted: datetime | None,
    started: datetime | None,
    completed: datetime | None,
    *,
    started_unreadable: bool = False,
) -> dict[str, str]:
    """What is wrong with the order of a handoff's timestamps, by field; {} when nothing is.
    `started_unreadable`: a start was given but could not be read, so a completed handoff is
    not told it never started (its start already has its own problem)."""
    problems = {}
    if submitted and started and started < submitted:
        problems["started_at"] = STARTED_BEFORE_SUBMITTED
    if completed and not started and not started_unreadable:
        problems["completed_at"] = COMPLETED_NOT_STARTED
    elif completed and started and completed < started:
        problems["completed_at"] = COMPLETED_BEFORE_STARTED
    return problems


# The handoff CSV (DESIGN.md): what an import reads and a template shows, in this order.
CSV_COLUMNS = [
    "seam",
    "external_id",
    "title",
    "approval_type",
    *TIME_FIELDS,
    "returned_count",
]
# The export adds what Seamline worked out from them.
EXPORT_COLUMNS = [*CSV_COLUMNS, "source", "sla_hours", "sla_deadline", "queue_hours", "lead_hours"]

# The columns a bulk upsert writes (the API's and the CSV import's, by COPY or by the ORM), in
# the PostgreSQL COPY's order.
# What a handoff records besides its seam, in that order (the API shows the same, after its seam).
RECORDED_COLUMNS = [
    "source",
    "external_id",
    "title",
    "approval_type",
    *TIME_FIELDS,
    "returned_count",
    "sla_hours",
    "sla_deadline",
    "queue_hours",
    "lead_hours",
]
UPSERT_COLUMNS = ["seam_id", *RECORDED_COLUMNS, "created_at", "updated_at"]
# On conflict the row is updated, except what is fixed at first recording.
KEPT_ON_UPDATE = {"source", "external_id", "sla_hours", "sla_deadline", "created_at"}
UPDATED_COLUMNS = [column for column in UPSERT_COLUMNS if column not in KEPT_ON_UPDATE]
# The same as model field names, for the ORM's bulk_update.
UPDATED_FIELDS = [column.removesuffix("_id") for column in UPDATED_COLUMNS]

# What stamping adds from a handoff's returns (DESIGN.md, Returns and waiting on the sender).
PAUSE_COLUMNS = ["submitted_clock", "paused_hours", "waiting_since"]
# The bulk API and webhooks (seams.ingest) write those too, and the deadline: restamped from the
# returns a row may carry, with the SLA hours fixed at first recording.
INGEST_COLUMNS = [*UPSERT_COLUMNS, *PAUSE_COLUMNS]
INGEST_UPDATED_COLUMNS = [
    column for column in INGEST_COLUMNS if column not in KEPT_ON_UPDATE - {"sla_deadline"}
]
INGEST_UPDATED_FIELDS = [column.removesuffix("_id") for column in INGEST_UPDATED_COLUMNS]
