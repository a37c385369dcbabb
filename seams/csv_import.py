"""Importing a handoff CSV (DESIGN.md): UTF-8 with or without BOM, or Windows-1252 from Excel.

The file's problems (empty, binary, missing columns, too big) reject it whole with a message;
a row's problems are reported with its line number. The file is read in chunks, so memory
stays flat however long it is.
"""

import contextlib
import csv
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from seams.csv_copy import NeedsRowReader, copy_import
from seams.handoff_rules import CSV_COLUMNS
from seams.ingest import RowError, ingest, load_seams
from seams.models import HandoffImport

log = logging.getLogger(__name__)


class CsvRejected(Exception):
    """The whole file is refused; the message says why, for people."""


def max_bytes() -> int:
    return getattr(settings, "HANDOFF_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


# --- Streaming import: constant memory however long the file -----------------------------------

CHUNK_ROWS = 2000
MAX_REPORTED_ERRORS = 1000


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    rows_read: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)  # the first MAX_REPORTED_ERRORS RowErrors
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
            # A file may carry thousands of columns, named anything: name the first few, short.
            names = [printable(name)[:NAME_SHOWN] for name in self.extra_columns[:COLUMNS_SHOWN]]
            more = len(self.extra_columns) - COLUMNS_SHOWN
            and_more = f" and {more} more" if more > 0 else ""
            notes.append(f"Ignored columns: {', '.join(names)}{and_more}.")
        return notes


COLUMNS_SHOWN = 20
NAME_SHOWN = 60


def printable(text: str) -> str:
    """Text without control characters (a NUL can't be stored in PostgreSQL's text or JSON)."""
    return "".join(char if char.isprintable() else "\ufffd" for char in text)


def _sniff(stream) -> None:
    head = stream.read(65536)
    stream.seek(0)
    if not head.strip():
        raise CsvRejected("The file is empty.")
    if b"\x00" in head:
        raise CsvRejected("This is not a CSV text file: it contains binary data.")


def import_csv(
    stream, *, source: str, partial: bool, size: int | None = None, progress=None
) -> ImportOutcome:
    """Import a CSV from a binary stream in chunks; `progress(rows_read)` is called per chunk."""
    if size is not None and size > max_bytes():
        raise CsvRejected(
            f"The file is {size / 1e6:.1f} MB; the limit is "
            f"{max_bytes() / 1e6:.0f} MB. Split it and import the parts."
        )
    _sniff(stream)
    for encoding, label in (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252")):
        stream.seek(0)
        try:
            with transaction.atomic():
                outcome = _copy(stream, encoding, label, source, partial, progress)
                way = "COPY"
                if outcome is None:
                    stream.seek(0)
                    outcome = _import_text(
                        stream, encoding, label, source=source, partial=partial, progress=progress
                    )
                    way = "row reader"
                _reconcile(outcome, count_rows(stream, encoding), way=way)
                if not outcome.written:
                    transaction.set_rollback(True)
                return outcome
        except UnicodeDecodeError:
            continue  # not UTF-8 after all: read it again as Excel's Windows-1252
    raise CsvRejected("This file is neither UTF-8 nor Windows-1252 text.")


def count_rows(stream, encoding: str) -> int:
    """The file's data rows, counted on their own by a second pass over the same bytes: the
    records after the header with a cell that isn't blank (what both import paths read)."""
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        next(reader, None)
        return sum(1 for values in reader if "".join(values).strip())
    except csv.Error as exc:
        raise CsvRejected(f"Line {reader.line_num} can't be read as CSV: {exc}.") from exc
    finally:
        text.detach()  # leave the caller's stream open


def _reconcile(outcome: ImportOutcome, rows_in_file: int, *, way: str) -> None:
    """Every row of the file is imported or reported, or nothing is written: raised inside the
    import's transaction, the refusal rolls it back."""
    accounted = outcome.created + outcome.updated + outcome.rejected
    if outcome.rows_read != rows_in_file:
        problem = f"The import read {outcome.rows_read} of the file's {rows_in_file} rows"
    elif outcome.written and accounted != outcome.rows_read:
        problem = f"The import accounted for {accounted} of the {outcome.rows_read} rows it read"
    else:
        return
    log.error(
        "CSV import did not reconcile (%s, %s): %s rows in the file, %s read, %s created, "
        "%s updated, %s rejected; rolled back",
        way,
        outcome.encoding,
        rows_in_file,
        outcome.rows_read,
        outcome.created,
        outcome.updated,
        outcome.rejected,
    )
    raise CsvRejected(f"{problem}; nothing was imported. Please report this file.")


def use_copy() -> bool:
    """PostgreSQL takes the file through COPY and set-based checks (seams.csv_copy)."""
    return connection.vendor == "postgresql"


def _copy(stream, encoding, label, source, partial, progress) -> ImportOutcome | None:
    """The COPY path's outcome, or None when the file needs the row-by-row reader."""
    if not use_copy():
        return None
    try:
        with transaction.atomic():
            found = copy_import(
                stream,
                encoding,
                check_header=_check_header,
                source=source,
                partial=partial,
                max_errors=MAX_REPORTED_ERRORS,
                progress=progress,
            )
    except NeedsRowReader:
        return None
    if found.rows_read == 0:
        raise CsvRejected("The file has a header but no rows.")
    return ImportOutcome(
        created=found.created,
        updated=found.updated,
        rows_read=found.rows_read,
        rejected=found.rejected,
        errors=found.errors,
        encoding=label,
        extra_columns=found.extra_columns,
        written=found.written,
    )


def _check_header(header: list[str]) -> list[str]:
    """Refuse a header missing a column; the extra columns it names, which are ignored."""
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise CsvRejected(
            f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            f"The header must name: {','.join(CSV_COLUMNS)}."
        )
    return [name for name in header if name not in CSV_COLUMNS and name]


def _import_text(stream, encoding, label, *, source, partial, progress) -> ImportOutcome:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        return _import_rows(
            csv.reader(text), label, source=source, partial=partial, progress=progress
        )
    finally:
        text.detach()  # leave the caller's stream open (a GC'd wrapper would close it)


def _read_header(reader) -> list[str]:
    try:
        return [name.strip().lower() for name in next(reader)]
    except StopIteration as exc:
        raise CsvRejected("The file is empty.") from exc
    except csv.Error as exc:
        raise CsvRejected(f"The file has no readable header row: {exc}.") from exc


def _import_rows(reader, label, *, source, partial, progress) -> ImportOutcome:
    header = _read_header(reader)
    outcome = ImportOutcome(encoding=label, extra_columns=_check_header(header))
    seams = load_seams()
    started = timezone.now()
    chunk, shape = [], []

    def flush() -> None:
        result = ingest(
            chunk,
            source=source,
            partial=True,
            seams=seams,
            known_errors=shape,
            touched_since=started,
            unit="line",
        )
        outcome.created += result.created
        outcome.updated += result.updated
        outcome.rejected += len(result.errors)
        room = MAX_REPORTED_ERRORS - len(outcome.errors)
        outcome.errors += result.errors[: max(room, 0)]
        chunk.clear()
        shape.clear()
        if progress:
            progress(outcome.rows_read)

    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            outcome.rows_read += 1
            if len(values) != len(header):
                cells = f"Has {len(values)} cells where the header has {len(header)}."
                shape.append(RowError(reader.line_num, "", {"row": cells}))
            else:
                chunk.append((reader.line_num, dict(zip(header, values, strict=True))))
            if len(chunk) + len(shape) >= CHUNK_ROWS:
                flush()
        if chunk or shape:
            flush()
    except csv.Error as exc:
        raise CsvRejected(f"Line {reader.line_num} can't be read as CSV: {exc}.") from exc
    if outcome.rows_read == 0:
        raise CsvRejected("The file has a header but no rows.")
    outcome.written = partial or outcome.rejected == 0
    return outcome


FAILED = (
    "The import stopped on an unexpected error; nothing was imported. The error is logged: "
    "try again, and if it happens again, report this file."
)


def run_import(import_id: int) -> None:
    """The worker's side of an upload: stream the stored file through `import_csv`, keeping
    the progress row up to date, then record the summary. Safe to run twice. The job always
    ends done or refused with a message: it never stays running."""
    job = HandoffImport.objects.get(pk=import_id)
    if job.finished:
        return
    HandoffImport.objects.filter(pk=job.pk).update(status=HandoffImport.Status.RUNNING)
    with contextlib.suppress(Exception):
        job.report_progress(0, 0)  # nothing read yet, whatever an earlier attempt reported
    try:
        with job.file.open("rb") as stream:

            def progress(rows: int) -> None:
                with contextlib.suppress(Exception):  # a cache outage must not fail the import
                    job.report_progress(rows, stream.tell())

            outcome = import_csv(
                stream, source=job.source, partial=job.partial, size=job.size, progress=progress
            )
    except CsvRejected as rejected:
        refuse_job(job, str(rejected))
        return
    except Exception:
        # Not the file's fault as far as we can tell (or a fault nobody foresaw): the import's
        # transaction has rolled back; keep the traceback for us and tell the uploader plainly.
        # Should the database itself be gone, recording this fails too and the task retries.
        log.exception("Handoff import %s (%s) failed", job.pk, job.filename)
        refuse_job(job, FAILED)
        return
    HandoffImport.objects.filter(pk=job.pk).update(
        status=HandoffImport.Status.DONE if outcome.written else HandoffImport.Status.REJECTED,
        rows_read=outcome.rows_read,
        created=outcome.created,
        updated=outcome.updated,
        rejected=outcome.rejected,
        notes=outcome.notes(),
        finished_at=timezone.now(),
        # A message quotes its cell, which may hold a NUL: PostgreSQL's JSON can't.
        errors=[
            {"line": e.row, "message": e.message.replace("\x00", "\ufffd")} for e in outcome.errors
        ],
        message="" if outcome.written else nothing_imported(outcome.rejected),
    )


def refuse_job(job, message: str) -> None:
    """An import job (of handoffs or of history) whose whole file was refused: said so."""
    model = type(job)
    limit = model._meta.get_field("message").max_length
    model.objects.filter(pk=job.pk).update(
        status=model.Status.REJECTED,
        message=printable(message)[:limit],
        finished_at=timezone.now(),
    )


def nothing_imported(rejected: int) -> str:
    """The page's message when an all-or-nothing import met a rejected row."""
    return (
        f"Nothing imported: {rejected} row(s) rejected. Fix them, or choose "
        "“import the valid rows”."
    )
