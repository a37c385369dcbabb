"""Bulk handoff ingest: validate rows, then upsert them on (source, external_id).

Shared by the API, the CSV import and webhooks. Rows are dicts with the CSV's columns
(`seam`, `external_id`, `title`, `approval_type`, `submitted_at`, `started_at`,
`completed_at`, `returned_count`); timestamps may be datetimes or ISO 8601 text, naive ones in
the organisation's time zone; empty text means "not yet".
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from seams import model_events
from seams.handoff_rules import (
    CSV_COLUMNS,
    INGEST_COLUMNS,
    INGEST_UPDATED_COLUMNS,
    INGEST_UPDATED_FIELDS,
    TIME_FIELDS,
    timestamp_problems,
)
from seams.handoffs import RETURN_STAMPS, checklist_of, missing_item_problem, stamp
from seams.models import Handoff, HandoffReturn, Seam

MAX_LENGTHS = {"external_id": 120, "title": 300, "approval_type": 80, "source": 60}
# A clock may run a little ahead; anything later than this is not a time that happened yet.
FUTURE_SLACK = timedelta(minutes=5)
# Nothing handed off before this is a handoff Seamline tracks; earlier times are typing slips,
# and business hours counted across decades would cost minutes of CPU a row.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
CHUNK = 2000


# The order a row's problems are told in, whichever check found them first.
FIELD_ORDER = ["row", *CSV_COLUMNS, "returns"]
NOT_YOURS = "Team owners record handoffs only at seams whose sending or receiving team they own."
NOT_YOURS_ID = "This id is a handoff at a seam of other teams; only leaders and ops change it."
# The largest returned_count the database takes.
MAX_RETURNED = 2**31 - 1
# The most returns one handoff may carry in a bulk row.
MAX_RETURNS = 100
RETURN_KEYS = ("returned_at", "reason", "missing_item", "resubmitted_at")


@dataclass
class RowError:
    row: int  # the caller's numbering: a CSV line number or a list index
    external_id: str
    errors: dict[str, str]

    @property
    def message(self) -> str:
        fields = sorted(self.errors, key=lambda name: FIELD_ORDER.index(name))
        return "; ".join(
            f"{name}: {self.errors[name]}" if name != "row" else self.errors[name]
            for name in fields
        )


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = True


def parse_time(value) -> tuple[datetime | None, str | None]:
    """A cell as an aware datetime, or why it isn't one. Empty means "not yet": (None, None)."""
    if value in (None, ""):
        return None, None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:  # well-formed but impossible, like 2026-02-30
            return None, f"“{value}” is not a real date and time."
        if moment is None:
            return None, f"“{value}” is not an ISO 8601 date and time (2026-11-20T16:00)."
    if timezone.is_naive(moment):
        try:
            moment = timezone.make_aware(moment)
        except (ValueError, OverflowError):  # out of range once the zone is applied
            return None, f"“{value}” is not a real date and time."
    # Stored in UTC: any offset ISO 8601 allows is fine, not only those the database takes.
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 moved across midnight
        when = "before 2000" if moment.year < EARLIEST.year else "in the future"
        return None, f"“{value}” is {when}."
    if moment < EARLIEST:
        return None, f"“{value}” is before 2000."
    if moment > timezone.now() + FUTURE_SLACK:
        return None, f"“{value}” is in the future."
    return moment, None


def _time(value, name: str, errors: dict) -> datetime | None:
    moment, problem = parse_time(value)
    if problem:
        errors[name] = problem
    return moment


def _returned_count(value, errors: dict) -> int:
    if value in (None, ""):
        return 0
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        errors["returned_count"] = f"“{value}” is not a whole number of 0 or more."
        return 0
    if int(text) > MAX_RETURNED:
        errors["returned_count"] = f"“{value}” is too large."
        return 0
    return int(text)


def _is_text(value) -> bool:
    """Text, or a number written as text by JSON (an id of 42): a list or an object would be
    stored as its Python repr."""
    return value is None or (isinstance(value, str | int | float) and not isinstance(value, bool))


def validate_row(raw: dict, seams: dict[str, Seam]) -> tuple[dict, dict[str, str]]:
    """The row's clean values and its errors, one message per field."""
    errors: dict[str, str] = {}
    clean: dict = {}
    slug = str(raw.get("seam") or "").strip() if _is_text(raw.get("seam")) else None
    clean["seam"] = seams.get(slug) if slug else None
    if slug is None:
        errors["seam"] = "Must be text."
    elif clean["seam"] is None:
        errors["seam"] = f"No seam “{slug}”." if slug else "The seam is missing."
    for name in ("external_id", "title", "approval_type"):
        value = raw.get(name)
        if not _is_text(value):
            errors[name] = "Must be text."
            clean[name] = ""
            continue
        text = str(value or "").strip()
        if not text and name != "approval_type":
            errors[name] = "It is missing."
        elif "\x00" in text:
            errors[name] = "It contains a NUL character."
        elif len(text) > MAX_LENGTHS[name]:
            errors[name] = f"Longer than {MAX_LENGTHS[name]} characters."
        clean[name] = text
    for name in TIME_FIELDS:
        clean[name] = _time(raw.get(name), name, errors)
    if clean["submitted_at"] is None and "submitted_at" not in errors:
        errors["submitted_at"] = "It is missing."
    submitted, started, completed = (clean[n] for n in TIME_FIELDS)
    problems = timestamp_problems(
        submitted, started, completed, started_unreadable="started_at" in errors
    )
    errors.update({name: text for name, text in problems.items() if name not in errors})
    clean["returned_count"] = _returned_count(raw.get("returned_count"), errors)
    if "returns" in raw:
        clean["returns"] = _returns(raw["returns"], clean, errors)
        if "returns" not in errors and raw.get("returned_count") in (None, ""):
            clean["returned_count"] = len(clean["returns"])
        elif "returns" not in errors and clean["returned_count"] < len(clean["returns"]):
            errors["returned_count"] = (
                f"{clean['returned_count']} is fewer than the {len(clean['returns'])} returns "
                "given."
            )
    return clean, errors


def _returns(value, clean: dict, errors: dict) -> list[dict]:
    """A row's `returns`: {returned_at, reason, missing_item, resubmitted_at} objects in the
    order they happened, that will replace the handoff's returns. Problems go to
    errors["returns"], each naming the return (1 = the first)."""
    if not isinstance(value, list):
        errors["returns"] = "Must be a list of {returned_at, reason, missing_item, resubmitted_at}."
        return []
    if len(value) > MAX_RETURNS:
        errors["returns"] = f"At most {MAX_RETURNS} returns per handoff; this one has {len(value)}."
        return []
    seam = clean.get("seam")
    checklist = checklist_of(seam) if seam else []
    problems, returns = [], []
    waiting_before: int | None = None  # a return still waiting on its sender, by number
    latest = None  # when the previous return ended (its resubmission, or itself)
    for number, item in enumerate(value, start=1):
        found = _one_return(item, clean, checklist)
        if isinstance(found, str):
            problems.append(f"return {number}: {found}")
            continue
        if waiting_before is not None:
            problems.append(
                f"return {number}: return {waiting_before} is still waiting on its sender "
                "(no resubmitted_at), so nothing can follow it."
            )
        elif latest is not None and found["returned_at"] < latest:
            problems.append(
                f"return {number}: returned_at is before the previous return ended; "
                "list returns in the order they happened, each after the last resubmission."
            )
        before_start = clean["started_at"] is None or found["returned_at"] < clean["started_at"]
        if before_start and found["resubmitted_at"] is None:
            waiting_before = number
        latest = found["resubmitted_at"] or found["returned_at"]
        returns.append(found)
    if problems:
        errors["returns"] = "; ".join(problems)
    return returns


def _one_return(item, clean: dict, checklist: list[str]) -> dict | str:
    """One return's clean values, or what is wrong with it."""
    if not isinstance(item, dict):
        return "must be an object {returned_at, reason, missing_item, resubmitted_at}."
    unknown = sorted(str(key)[:40] for key in item if key not in RETURN_KEYS)
    if unknown:
        return f"unknown field {', '.join(unknown)}; a return has {', '.join(RETURN_KEYS)}."
    found: dict = {}
    for name in ("reason", "missing_item"):
        text = item.get(name)
        if text is not None and not isinstance(text, str):
            return f"{name} must be text."
        found[name] = (text or "").strip()
    if not found["reason"]:
        return "reason is missing: say why it went back."
    if "\x00" in found["reason"]:
        return "reason contains a NUL character."
    if len(found["reason"]) > 500:
        return "reason is longer than 500 characters."
    problem = missing_item_problem(found["missing_item"], checklist)
    if problem:
        return f"missing_item: {problem}"
    for name in ("returned_at", "resubmitted_at"):
        if item.get(name) is not None and not isinstance(item.get(name), str):
            return f"{name} must be an ISO 8601 date and time."
        found[name], problem = parse_time(item.get(name))
        if problem:
            return f"{name}: {problem}"
    returned, resubmitted = found["returned_at"], found["resubmitted_at"]
    submitted, started, completed = (clean[n] for n in TIME_FIELDS)
    if returned is None:
        return "returned_at is missing."
    if submitted and returned < submitted:
        return "returned_at is before the handoff was submitted."
    if completed and returned > completed:
        return "returned_at is after the handoff was completed."
    if resubmitted is None:
        if started and returned < started:
            return "returned before the start, so resubmitted_at is needed (by the start)."
        return found
    if resubmitted < returned:
        return "resubmitted_at is before returned_at."
    if started is None or returned < started:
        if started and resubmitted > started:
            return "resubmitted_at is after the handoff started."
        return found
    return "resubmitted_at is only for a return before the start; this one is after it."


def load_seams() -> dict[str, Seam]:
    """Every seam by slug, with what stamping needs: calendar, holidays, spec."""
    seams = Seam.objects.select_related("calendar", "spec").prefetch_related("calendar__holidays")
    return {seam.slug: seam for seam in seams}


def ingest(
    rows: list[tuple[int, dict]],
    *,
    source: str,
    partial: bool,
    seams: dict[str, Seam] | None = None,
    known_errors: list[RowError] = (),
    touched_since: datetime | None = None,
    unit: str = "row",
    allowed_seam_ids: set[int] | None = None,
) -> IngestResult:
    """Validate and upsert numbered rows. All or nothing unless `partial`.

    `known_errors` are rows the caller already rejected (a CSV line with the wrong number of
    cells): they count against all-or-nothing like any other rejected row. With
    `touched_since` (a streaming import's start), a row that this import already wrote in an
    earlier chunk is reported as a duplicate id, without keeping every id in memory.
    `unit` names the numbering in messages: a batch's "row", a file's "line".
    With `allowed_seam_ids` (a team owner's seams), a row for another seam, or one that would
    move a handoff recorded at another seam, is refused.
    """
    scope = "batch" if unit == "row" else "file"
    seams = seams if seams is not None else load_seams()
    result = IngestResult(errors=list(known_errors))
    valid = _valid_rows(rows, seams, result, unit=unit, scope=scope, allowed=allowed_seam_ids)
    if allowed_seam_ids is not None and valid:
        theirs = set(
            Handoff.objects.filter(source=source, external_id__in=list(valid))
            .exclude(seam_id__in=allowed_seam_ids)
            .values_list("external_id", flat=True)
        )
        _reject(rows, valid, theirs, result, NOT_YOURS_ID)
    if touched_since is not None and valid:
        repeated = set(
            Handoff.objects.filter(
                source=source, external_id__in=list(valid), updated_at__gte=touched_since
            ).values_list("external_id", flat=True)
        )
        earlier = f"is already used on an earlier {unit} of this {scope}."
        _reject(rows, valid, repeated, result, earlier)
    _write(valid, source, result, partial=partial)
    return result


def _valid_rows(rows, seams, result: IngestResult, *, unit, scope, allowed) -> dict[str, dict]:
    """The rows that pass their checks, by external id; the others' errors go to `result`."""
    valid: dict[str, dict] = {}
    seen: dict[str, int] = {}
    for number, raw in rows:
        clean, errors = validate_row(raw, seams)
        key = clean.get("external_id", "")
        if key and key in seen:
            errors["external_id"] = (
                f"“{key}” is already used on {unit} {seen[key]} of this {scope}."
            )
        elif key:
            seen[key] = number
        seam = clean.get("seam")
        if seam is not None and allowed is not None and seam.pk not in allowed:
            errors["seam"] = NOT_YOURS
        if errors:
            result.errors.append(RowError(number, key, errors))
        else:
            valid[key] = clean | {"row": number}
    return valid


def _reject(rows, valid: dict, keys: set, result: IngestResult, message: str) -> None:
    """Take the rows with these external ids out of `valid`, telling why. A message starting
    "is" follows the quoted id."""
    for number, raw in rows:
        key = str(raw.get("external_id") or "").strip()
        if key in keys and key in valid:
            del valid[key]
            text = f"“{key}” {message}" if message.startswith("is ") else message
            result.errors.append(RowError(number, key, {"external_id": text}))


@transaction.atomic
def _write(valid: dict[str, dict], source: str, result: IngestResult, *, partial: bool) -> None:
    """Stamp the valid rows and upsert them; a row its calendar can't stamp is rejected too.
    A row that carries `returns` has its handoff's returns replaced by them."""
    if result.errors and not partial:
        _refuse(result)
        return
    existing = _existing(source, list(valid))
    new, changed, moved_from = [], [], {}
    replaced: dict[str, list[HandoffReturn]] = {}  # by external id: the returns that replace
    kept: list[HandoffReturn] = []  # saved returns restamped with their handoff
    now = timezone.now()
    for key, clean in list(valid.items()):
        handoff = existing.get(key) or Handoff(source=source, external_id=key)
        if handoff.pk and (handoff.seam_id, handoff.submitted_at) != (
            clean["seam"].pk,
            clean["submitted_at"],
        ):
            # Where it was counted until now: that seam's months from then must forget it.
            was = moved_from.get(handoff.seam_id, handoff.submitted_at)
            moved_from[handoff.seam_id] = min(was, handoff.submitted_at)
        if "returns" in clean:
            returns = [HandoffReturn(**values) for values in clean["returns"]]
        else:
            returns = list(handoff.returns.all()) if handoff.pk else []
        if not _fill(handoff, clean, returns, now, result):
            del valid[key]
            continue
        if "returns" in clean:
            replaced[key] = returns
        else:
            kept += returns
        (changed if handoff.pk else new).append(handoff)
    if result.errors and not partial:
        _refuse(result)
        return
    result.errors.sort(key=lambda error: error.row)
    if connection.vendor == "postgresql":
        _copy_upsert([*new, *changed])
    else:
        Handoff.objects.bulk_create(new, batch_size=CHUNK)
        Handoff.objects.bulk_update(changed, INGEST_UPDATED_FIELDS, batch_size=CHUNK)
    HandoffReturn.objects.bulk_update(kept, RETURN_STAMPS, batch_size=CHUNK)
    _replace_returns(source, replaced)
    result.created, result.updated = len(new), len(changed)
    if valid:
        model_events.handoffs_written(
            seam_ids={clean["seam"].pk for clean in valid.values()},
            earliest=min(clean["submitted_at"] for clean in valid.values()),
            moved_from=moved_from,
        )


def _replace_returns(source: str, replaced: dict[str, list[HandoffReturn]]) -> None:
    """The handoffs' returns replaced by those their rows carry (already stamped)."""
    keys = list(replaced)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        ids = dict(
            Handoff.objects.filter(source=source, external_id__in=chunk).values_list(
                "external_id", "pk"
            )
        )
        HandoffReturn.objects.filter(handoff_id__in=ids.values()).delete()
        fresh = []
        for key in chunk:
            for returned in replaced[key]:
                returned.handoff_id = ids[key]
                fresh.append(returned)
        HandoffReturn.objects.bulk_create(fresh, batch_size=CHUNK)


def _existing(source: str, keys: list[str]) -> dict[str, Handoff]:
    """The handoffs already recorded under these ids, with their returns, read in chunks."""
    existing = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = Handoff.objects.filter(source=source, external_id__in=chunk)
        existing |= {h.external_id: h for h in rows.prefetch_related("returns")}
    return existing


def _fill(
    handoff: Handoff, clean: dict, returns: list[HandoffReturn], now: datetime, result
) -> bool:
    """Set the row's values on the handoff and stamp it; False (and the row rejected) when its
    calendar can't give it a deadline."""
    handoff.created_at = handoff.created_at or now
    handoff.updated_at = now  # bulk writes don't touch auto_now fields by themselves
    for name in ("seam", "title", "approval_type", *TIME_FIELDS, "returned_count"):
        setattr(handoff, name, clean[name])
    seam = clean["seam"]
    spec = getattr(seam, "spec", None)
    try:
        stamp(
            handoff,
            calendar=seam.calendar,
            response_sla=spec.response_sla_hours if spec else None,
            returns=returns,
        )
    except ValueError as problem:  # a calendar that never works gives no deadline
        key = handoff.external_id
        result.errors.append(RowError(clean["row"], key, {"seam": _no_deadline(seam, problem)}))
        return False
    return True


def _refuse(result: IngestResult) -> None:
    result.errors.sort(key=lambda error: error.row)
    result.written = False


def _no_deadline(seam: Seam, problem: ValueError) -> str:
    return f"The seam's calendar “{seam.calendar.name}” gives no SLA deadline: {problem}."


def _copy_upsert(handoffs: list[Handoff]) -> None:
    """PostgreSQL: COPY the chunk into a temp table, then one INSERT … ON CONFLICT.

    Django's bulk_create spends most of its time compiling SQL value by value; COPY takes the
    rows as they are. The temp table lives for the transaction.
    """
    table = Handoff._meta.db_table
    columns = ", ".join(INGEST_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in INGEST_UPDATED_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS handoff_stage ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute("TRUNCATE handoff_stage")
        with cursor.cursor.copy(f"COPY handoff_stage ({columns}) FROM STDIN") as copy:
            for handoff in handoffs:
                copy.write_row(tuple(getattr(handoff, column) for column in INGEST_COLUMNS))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM handoff_stage "
            f"ON CONFLICT (source, external_id) DO UPDATE SET {updates}"
        )
