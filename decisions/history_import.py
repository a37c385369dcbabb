"""Importing history from other tools: a CSV of decisions, escalations or dependencies
(DESIGN.md, Public interfaces), as the handoff import reads its files.

UTF-8 with or without BOM, else Windows-1252 (what Excel writes), said in the summary; a
header row naming every column of the kind (a missing one rejects the file; extra ones are
ignored and named); each rejected row reported with its line number and why. All or nothing
by default (`partial` imports the valid rows). A row already imported (its natural key: see
`history_rows`) is left as it is and counted as unchanged, so importing the same file again
adds nothing. The file is read row by row, with `progress(rows_read)` every chunk.
"""

import contextlib
import csv
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from decisions.history import TimeRefused
from decisions.history_rows import COLUMNS, KINDS, Lookups, Row
from decisions.models import HistoryImport
from decisions.services import DecisionRefused, EscalationRefused
from seams.csv_import import CsvRejected, nothing_imported, printable, refuse_job
from seams.models import User

log = logging.getLogger(__name__)

CHUNK_ROWS = 200
MAX_REPORTED_ERRORS = 1000
COLUMNS_SHOWN = 20
# What a row's write may refuse with: the row is rejected with the message, nothing else.
ROW_REFUSALS = (DecisionRefused, EscalationRefused, TimeRefused, ValidationError, ValueError)


def max_bytes() -> int:
    return getattr(settings, "HISTORY_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


@dataclass
class HistoryOutcome:
    kind: str
    created: int = 0
    unchanged: int = 0
    rows_read: int = 0
    rejected: int = 0
    errors: list[dict] = field(default_factory=list)  # {"line", "message"}, the first 1000
    encoding: str = "UTF-8"
    extra_columns: list[str] = field(default_factory=list)
    written: bool = True

    def notes(self) -> list[str]:
        notes = []
        if self.encoding != "UTF-8":
            notes.append(
                f"The file is not UTF-8; it was read as {self.encoding} (what Excel writes)."
            )
        if self.extra_columns:
            names = [printable(name)[:60] for name in self.extra_columns[:COLUMNS_SHOWN]]
            more = len(self.extra_columns) - COLUMNS_SHOWN
            and_more = f" and {more} more" if more > 0 else ""
            notes.append(f"Ignored columns: {', '.join(names)}{and_more}.")
        if self.unchanged:
            notes.append(f"{self.unchanged} row(s) were imported before and were left as they are.")
        return notes

    def reject(self, line: int, message: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"line": line, "message": printable(message)})


def import_history(
    stream, *, kind: str, partial: bool, by: User, size: int | None = None, progress=None
) -> HistoryOutcome:
    """Import a CSV of `kind` from a binary stream, as `by` (who reopens and withdraws, and
    raises escalations that name nobody). Raises CsvRejected when the whole file is refused."""
    if size is not None and size > max_bytes():
        raise CsvRejected(
            f"The file is {size / 1e6:.1f} MB; the limit is {max_bytes() / 1e6:.0f} MB. "
            "Split it and import the parts."
        )
    head = stream.read(65536)
    if not head.strip():
        raise CsvRejected("The file is empty.")
    if b"\x00" in head:
        raise CsvRejected("This is not a CSV text file: it contains binary data.")
    for encoding, label in (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252")):
        stream.seek(0)
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            with transaction.atomic():
                outcome = _import_rows(csv.reader(text), kind, partial, by, progress)
                outcome.encoding = label
                if not outcome.written:
                    transaction.set_rollback(True)
                return outcome
        except UnicodeDecodeError:
            continue  # not UTF-8 after all: read it again as Excel's Windows-1252
        finally:
            text.detach()  # leave the caller's stream open
    raise CsvRejected("This file is neither UTF-8 nor Windows-1252 text.")


def _header(reader, kind: str) -> tuple[list[str], list[str]]:
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration as exc:
        raise CsvRejected("The file is empty.") from exc
    except csv.Error as exc:
        raise CsvRejected(f"The file has no readable header row: {exc}.") from exc
    columns = COLUMNS[kind]
    missing = [name for name in columns if name not in header]
    if missing:
        raise CsvRejected(
            f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            f"A {KINDS[kind].noun} CSV's header names: {','.join(columns)}."
        )
    return header, [name for name in header if name not in columns and name]


def _import_rows(reader, kind: str, partial: bool, by: User, progress) -> HistoryOutcome:
    header, extra = _header(reader, kind)
    outcome = HistoryOutcome(kind=kind, extra_columns=extra)
    lookups, seen = Lookups(), {}
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            outcome.rows_read += 1
            line = reader.line_num
            if len(values) != len(header):
                outcome.reject(line, f"Has {len(values)} cells where the header has {len(header)}.")
            else:
                _import_row(
                    dict(zip(header, values, strict=True)), line, kind, by, lookups, seen, outcome
                )
            if progress and outcome.rows_read % CHUNK_ROWS == 0:
                progress(outcome.rows_read)
    except csv.Error as exc:
        raise CsvRejected(f"Line {reader.line_num} can't be read as CSV: {exc}.") from exc
    if outcome.rows_read == 0:
        raise CsvRejected("The file has a header but no rows.")
    if progress:
        progress(outcome.rows_read)
    outcome.written = partial or outcome.rejected == 0
    return outcome


def _import_row(raw, line, kind, by, lookups, seen, outcome: HistoryOutcome) -> None:
    handler = KINDS[kind]
    row = Row(raw, lookups)
    clean = handler.check(row)
    # A row imported before is left as it is, whatever its other cells say now (the people
    # it names may have moved on): only its natural key is read.
    keyed = not any(name in row.errors for name in handler.key_columns)
    key = handler.key(clean) if keyed else None
    if key is not None and key in seen:
        outcome.reject(line, f"The same {handler.noun} as line {seen[key]}.")
        return
    if key is not None:
        seen[key] = line
        if handler.exists(clean):
            outcome.unchanged += 1
            return
    if row.errors:
        order = sorted(row.errors, key=COLUMNS[kind].index)
        outcome.reject(line, "; ".join(f"{name}: {row.errors[name]}" for name in order))
        return
    try:
        with transaction.atomic():
            handler.write(clean, by)
    except ROW_REFUSALS as refused:
        outcome.reject(line, _said(refused))
        return
    outcome.created += 1


def _said(refused: Exception) -> str:
    if isinstance(refused, ValidationError) and hasattr(refused, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in refused.message_dict.items()
        )
    if isinstance(refused, ValidationError):
        return " ".join(refused.messages)
    return str(refused)


# --- The worker's side of an upload ----------------------------------------------------------

FAILED = (
    "The import stopped on an unexpected error; nothing was imported. The error is logged: "
    "try again, and if it happens again, report this file."
)


def run_history_import(import_id: int) -> None:
    """Stream the stored file through `import_history`, keeping the progress up to date, then
    record the summary. Safe to run twice; the job always ends done or refused."""
    job = HistoryImport.objects.select_related("by").get(pk=import_id)
    if job.finished:
        return
    HistoryImport.objects.filter(pk=job.pk).update(status=HistoryImport.Status.RUNNING)
    try:
        with job.file.open("rb") as stream:

            def progress(rows: int) -> None:
                with contextlib.suppress(Exception):  # a cache outage must not fail the import
                    job.report_progress(rows, stream.tell())

            outcome = import_history(
                stream,
                kind=job.kind,
                partial=job.partial,
                by=job.by,
                size=job.size,
                progress=progress,
            )
    except CsvRejected as rejected:
        refuse_job(job, str(rejected))
        return
    except Exception:
        log.exception("History import %s (%s) failed", job.pk, job.filename)
        refuse_job(job, FAILED)
        return
    HistoryImport.objects.filter(pk=job.pk).update(
        status=HistoryImport.Status.DONE if outcome.written else HistoryImport.Status.REJECTED,
        rows_read=outcome.rows_read,
        created=outcome.created if outcome.written else 0,
        unchanged=outcome.unchanged,
        rejected=outcome.rejected,
        notes=outcome.notes(),
        errors=outcome.errors,
        finished_at=timezone.now(),
        message="" if outcome.written else nothing_imported(outcome.rejected),
    )
