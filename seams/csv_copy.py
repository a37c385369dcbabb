"""PostgreSQL's path for a handoff CSV: COPY the file in as text, then check and upsert every row
in a few set-based statements.

The checks and their messages are those of `seams.ingest.validate_row`, line for line:

* a timestamp in the plain ISO 8601 shape (`2026-11-20`, `2026-11-20T16:00`, seconds,
  fractions, `Z` or an offset) is checked and cast in SQL; any other spelling goes through
  `seams.ingest.parse_time`, once per distinct text, so both paths accept and refuse the same;
* a naive time is read in the organisation's time zone as Django reads it: a wall-clock time
  repeated when the clocks go back means its first occurrence;
* business-hour durations and the SLA deadline come from a table of the calendar's working
  windows with running totals, built by `seams.business_time` (DST and holidays included),
  so SQL only adds and subtracts.

A file whose lines COPY can't take one to one as rows (a blank or short line, a cell running
over several lines) raises `NeedsRowReader`: the row-by-row reader then names every line.
"""

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from psycopg import errors as pg_errors

from seams import business_time, model_events
from seams.handoff_rules import (
    COMPLETED_BEFORE_STARTED,
    COMPLETED_NOT_STARTED,
    CSV_COLUMNS,
    STARTED_BEFORE_SUBMITTED,
    UPDATED_COLUMNS,
    UPSERT_COLUMNS,
)
from seams.handoffs import restamp_handoffs
from seams.ingest import FUTURE_SLACK, MAX_LENGTHS, MAX_RETURNED, RowError, parse_time
from seams.models import Handoff, HandoffReturn

# Text is read in blocks and sent to COPY in segments cut at line ends, so memory stays flat
# and progress can be reported between segments.
BLOCK_BYTES = 1 << 20
SEGMENT_CHARS = 2 << 20
TIMES = ("submitted_at", "started_at", "completed_at")
# The plain ISO 8601 shapes SQL checks by itself, digits written as 9: a date, or a date and
# time with optional seconds, fraction and zone. A lookup in this set is far cheaper than a
# regular expression per cell.
_ZONES = ["", "Z", "+99", "-99", "+99:99", "-99:99", "+9999", "-9999"]
_CLOCKS = ["99:99", "99:99:99", *(f"99:99:99.{'9' * digits}" for digits in range(1, 7))]
PLAIN_SHAPES = ["9999-99-99"] + [
    f"9999-99-99{sep}{clock}{zone}" for sep in "T " for clock in _CLOCKS for zone in _ZONES
]
WHITESPACE = " \t\r\n\f\v"
# A row is data when a cell holds a character outside this class: what Python's str.isspace
# calls white space, so this path and the row reader (and the import's recount) skip the same
# blank rows. PostgreSQL's [:space:] leaves out the no-break spaces.
NOT_BLANK = (
    r"[^\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000]"
)
# A table holds at most 1600 columns; the raw table adds the line number to the file's. A wider
# file goes through the row reader, which ignores the extra columns as DESIGN.md says.
MAX_COPY_COLUMNS = 1599
# A function takes at most 100 arguments, so a wide row's cells are joined in groups.
CONCAT_ARGS = 100


class NeedsRowReader(Exception):
    """COPY can't take this file's lines as rows one to one; read it row by row instead."""


@dataclass
class CopyResult:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    written: bool = True


def copy_import(
    stream, encoding: str, *, check_header, source: str, partial: bool, max_errors: int, progress
) -> CopyResult:
    """Import a CSV from a binary stream through COPY. Call inside a transaction (a savepoint):
    on `NeedsRowReader` or `UnicodeDecodeError` the caller rolls back and tries another way.

    `check_header(names)` validates the lowercased header and returns the ignored columns.
    """
    result = CopyResult()
    with connection.cursor() as cursor:
        rows, layout = _copy_text(cursor, stream, encoding, check_header, result, progress)
        if rows == 0:
            return result  # the caller says "a header but no rows"
        _check(cursor, _cells(*layout))
        _map_unusual_times(cursor)
        _stage(cursor)
        result.rows_read, result.rejected = _counts(cursor)
        result.errors = _problems(cursor, max_errors)
        result.written = partial or result.rejected == 0
        if result.written and result.rows_read > result.rejected:
            _load_windows(cursor)
            moved_from = _moved_from(cursor, source)
            result.created, result.updated = _upsert(cursor, source)
            _restamp_returned(cursor, source)
            _announce(cursor, moved_from)
    return result


# --- 1. COPY the text ------------------------------------------------------------------------


def _copy_text(cursor, stream, encoding, check_header, result, progress):
    """COPY the whole text into handoff_csv_raw (c0, c1, … as the header's columns); the row
    count and (width, {column: position}) for `_cells`."""
    decoder = codecs.getincrementaldecoder(encoding)()
    text = decoder.decode(stream.read(BLOCK_BYTES), final=False)
    names = _header(text)
    result.extra_columns = check_header(names)
    if len(names) > MAX_COPY_COLUMNS:
        raise NeedsRowReader(f"{len(names)} columns")
    # The last of a repeated column counts, as with the row reader's dict(zip(header, row)).
    position = {name: index for index, name in enumerate(names)}
    cursor.execute("DROP TABLE IF EXISTS handoff_csv_raw")
    cells = ", ".join(f"c{i} text" for i in range(len(names)))
    cursor.execute(
        "CREATE TEMP TABLE handoff_csv_raw (n bigint GENERATED ALWAYS AS IDENTITY, "
        f"{cells}) ON COMMIT DROP"
    )
    columns = ", ".join(f"c{i}" for i in range(len(names)))
    newlines, ends_with_newline = 0, True
    for number, segment in enumerate(_segments(stream, decoder, text)):
        newlines += segment.count("\n")
        ends_with_newline = segment.endswith("\n")
        options = "FORMAT csv, HEADER true" if number == 0 else "FORMAT csv"
        try:
            with cursor.cursor.copy(
                f"COPY handoff_csv_raw ({columns}) FROM STDIN ({options})"
            ) as copy:
                copy.write(segment)
        except (pg_errors.DataError, pg_errors.ProgramLimitExceeded) as exc:
            raise NeedsRowReader(str(exc)) from exc
        if progress:
            progress(newlines)
    cursor.execute("SELECT count(*) FROM handoff_csv_raw")
    rows = cursor.fetchone()[0]
    # Every line after the header is a row: no cell ran over lines, and COPY stopped nowhere
    # early (a line holding only "\." ends its input).
    if rows != newlines - (1 if ends_with_newline else 0):
        raise NeedsRowReader("lines and rows differ")
    return rows, (len(names), position)


def _header(text: str) -> list[str]:
    """The header's column names, from the text of the first block."""
    header_end = text.find("\n")
    if header_end < 0:
        raise NeedsRowReader("no line end within the first block")
    try:
        return [name.strip().lower() for name in next(csv.reader([text[:header_end]]))]
    except csv.Error as exc:  # a cell over the csv module's limit: the row reader says so
        raise NeedsRowReader(str(exc)) from exc


def _segments(stream, decoder, text: str) -> Iterator[str]:
    """The text in segments of about SEGMENT_CHARS, each cut at a line end (the last at the
    end of the stream); `text` is what was read already."""
    exhausted = False
    # Loop until the stream is spent, not until the text is: a cut that ends exactly at the end
    # of the text read so far leaves it empty while blocks remain.
    while not exhausted:
        block = stream.read(BLOCK_BYTES)
        exhausted = not block
        text += decoder.decode(block, final=exhausted)
        if len(text) < SEGMENT_CHARS and not exhausted:
            continue
        cut = len(text) if exhausted else text.rfind("\n") + 1
        segment, text = text[:cut], text[cut:]
        if segment:
            yield segment


# --- 2. Check every cell ---------------------------------------------------------------------


def _trim(column: str) -> str:
    return f"btrim(coalesce({column}, ''), E'{WHITESPACE.encode('unicode_escape').decode()}')"


def _cells(width: int, position: dict[str, int]) -> str:
    """The raw table's cells under the checked columns' names, with each row's line number."""
    named = ", ".join(f"c{position[name]} AS {name}" for name in CSV_COLUMNS)
    everything = _concat([f"c{i}" for i in range(width)])
    return f"SELECT n + 1 AS line, {named}, {everything} AS everything FROM handoff_csv_raw"


def _concat(terms: list[str]) -> str:
    """concat(…) of any number of terms, nested so that no call takes more than 100."""
    while len(terms) > CONCAT_ARGS:
        terms = [
            f"concat({', '.join(terms[i : i + CONCAT_ARGS])})"
            for i in range(0, len(terms), CONCAT_ARGS)
        ]
    return f"concat({', '.join(terms)})"


def _check(cursor, cells: str) -> None:
    """handoff_csv_rows: the cells trimmed, the plain timestamps checked and cast.

    Each layer is fenced (OFFSET 0) so the regular expressions run once per cell, and every
    cast sits behind a CASE that has already checked its text: a cast never fails.
    """
    real, casts = zip(*(_time_checks(name) for name in TIMES), strict=True)
    shape_list = ", ".join(_literal(shape) for shape in PLAIN_SHAPES)
    plain = ", ".join(
        f"CASE WHEN {n}_shape IN ({shape_list}) THEN {_zone_in_range(n)} ELSE false END "
        f"AS {n}_plain"
        for n in TIMES
    )
    shapes = ", ".join(
        f"translate({n}_text, '0123456789', '9999999999') AS {n}_shape" for n in TIMES
    )
    texts = ", ".join(f"{n}, {_trim(n)} AS {n}_text" for n in TIMES)
    cursor.execute("DROP TABLE IF EXISTS handoff_csv_rows")
    cursor.execute(
        "CREATE TEMP TABLE handoff_csv_rows ON COMMIT DROP AS "
        f"SELECT r.*, {', '.join(casts)} FROM ("
        f" SELECT t.*, {', '.join(real)} FROM ("
        f"  SELECT s.*, {plain} FROM ("
        f"   SELECT u.*, {shapes} FROM ("
        f"    SELECT line, {_trim('seam')} AS seam, {_trim('external_id')} AS external_id, "
        f"     {_trim('title')} AS title, {_trim('approval_type')} AS approval_type, "
        f"     returned_count, {_trim('returned_count')} AS returned_text, {texts} "
        f"    FROM ({cells}) cells WHERE everything ~ {_literal(NOT_BLANK)} OFFSET 0"
        "   ) u OFFSET 0"
        "  ) s OFFSET 0"
        " ) t OFFSET 0"
        ") r",
        {"zone": timezone.get_current_timezone_name()},
    )


def _time_checks(name: str) -> tuple[str, str]:
    """The SQL that tells whether a plain timestamp names a real instant, and the cast that
    reads it (in the organisation's time zone when it names none)."""
    raw = f"{name}_text"
    y, m, d = (f"substr({raw}, {a}, {b})::int" for a, b in ((1, 4), (6, 2), (9, 2)))
    hh, mi, ss = (f"substr({raw}, {a}, 2)::int" for a in (12, 15, 18))
    days_in_month = (
        f"CASE WHEN {m} = 2 THEN CASE WHEN ({y} %% 4 = 0 AND {y} %% 100 <> 0) "
        f"OR {y} %% 400 = 0 THEN 29 ELSE 28 END WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    )
    real = (
        f"CASE WHEN {name}_plain THEN {y} >= 1 AND {m} BETWEEN 1 AND 12 "
        f"AND {d} BETWEEN 1 AND {days_in_month} AND (length({raw}) = 10 OR ({hh} <= 23 "
        f"AND {mi} <= 59 AND (substr({raw}, 17, 1) <> ':' OR {ss} <= 59))) "
        f"ELSE false END AS {name}_real"
    )
    local = f"{raw}::timestamp"
    at_zone = f"({local} AT TIME ZONE %(zone)s)"
    # PostgreSQL reads a repeated wall-clock time as its second occurrence; Django, its first.
    naive = (
        f"CASE WHEN ({at_zone} - interval '1 hour') AT TIME ZONE %(zone)s = {local} "
        f"THEN {at_zone} - interval '1 hour' ELSE {at_zone} END"
    )
    cast = (
        f"CASE WHEN {name}_real THEN CASE WHEN substr({raw}, 17) ~ '[Z+-]' "
        f"THEN {raw}::timestamptz ELSE {naive} END END AS {name}_at, "
        f"{name}_plain AND NOT {name}_real AS {name}_unreal"
    )
    return real, cast


def _zone_in_range(name: str) -> str:
    """A plain time's UTC offset is one PostgreSQL reads (up to ±15:59); others go to Python."""
    text, shape = f"{name}_text", f"{name}_shape"
    return (
        f"CASE WHEN length({text}) <= 16 THEN true "
        f"WHEN right({shape}, 6) IN ('+99:99', '-99:99') "
        f"THEN substr(right({text}, 5), 1, 2)::int <= 15 AND right({text}, 2)::int <= 59 "
        f"WHEN right({shape}, 5) IN ('+9999', '-9999') "
        f"THEN substr(right({text}, 4), 1, 2)::int <= 15 AND right({text}, 2)::int <= 59 "
        f"WHEN right({shape}, 3) IN ('+99', '-99') THEN right({text}, 2)::int <= 15 "
        "ELSE true END"
    )


def _map_unusual_times(cursor) -> None:
    """handoff_csv_times: every other spelling of a time, read once each by Python's parser."""
    cursor.execute("DROP TABLE IF EXISTS handoff_csv_times")
    cursor.execute(
        "CREATE TEMP TABLE handoff_csv_times (raw text PRIMARY KEY, at timestamptz, "
        "problem text) ON COMMIT DROP"
    )
    unusual = " UNION ".join(
        f"SELECT {n} FROM handoff_csv_rows WHERE {n}_text <> '' AND NOT {n}_plain" for n in TIMES
    )
    last = None
    while True:
        after = "" if last is None else "WHERE raw > %(last)s"
        cursor.execute(
            f"SELECT raw FROM ({unusual}) u (raw) {after} ORDER BY raw LIMIT 5000", {"last": last}
        )
        values = [raw for (raw,) in cursor.fetchall()]
        if not values:
            return
        with cursor.cursor.copy("COPY handoff_csv_times (raw, at, problem) FROM STDIN") as copy:
            for raw in values:
                copy.write_row((raw, *parse_time(raw)))
        last = values[-1]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quoting(column: str, rest: str) -> str:
    """SQL for the message “<column's text>” + rest."""
    return f"'“' || {column} || {_literal('”' + rest)}"


def _too_long(column: str, name: str) -> str:
    return (
        f"WHEN length({column}) > {MAX_LENGTHS[name]} "
        f"THEN {_literal(f'Longer than {MAX_LENGTHS[name]} characters.')}"
    )


MISSING = _literal("It is missing.")
# Each checked column's problem, NULL when it has none: validate_row's messages.
PROBLEMS = {
    "seam": "CASE WHEN v.seam_id IS NOT NULL THEN NULL "
    f"WHEN v.seam = '' THEN {_literal('The seam is missing.')} "
    "ELSE 'No seam “' || v.seam || '”.' END",
    "external_id": "CASE WHEN v.external_id <> '' AND v.first_line < v.line "
    "THEN '“' || v.external_id || '” is already used on line ' || v.first_line "
    f"|| ' of this file.' WHEN v.external_id = '' THEN {MISSING} "
    f"{_too_long('v.external_id', 'external_id')} END",
    "title": f"CASE WHEN v.title = '' THEN {MISSING} {_too_long('v.title', 'title')} END",
    "approval_type": f"CASE {_too_long('v.approval_type', 'approval_type')} END",
    "submitted_at": "coalesce(v.submitted_at_problem, "
    f"CASE WHEN v.submitted_at_value IS NULL THEN {MISSING} END)",
    "started_at": "coalesce(v.started_at_problem, CASE WHEN v.started_at_value "
    f"< v.submitted_at_value THEN {_literal(STARTED_BEFORE_SUBMITTED)} END)",
    "completed_at": "coalesce(v.completed_at_problem, CASE "
    "WHEN v.completed_at_value IS NOT NULL AND v.started_at_value IS NULL "
    f"AND v.started_at_problem IS NULL THEN {_literal(COMPLETED_NOT_STARTED)} "
    "WHEN v.completed_at_value < v.started_at_value "
    f"THEN {_literal(COMPLETED_BEFORE_STARTED)} END)",
    "returned_count": "CASE WHEN v.returned_text = '' THEN NULL "
    "WHEN v.returned_text !~ '^[0-9]+$' "
    f"THEN {_quoting('v.returned_count', ' is not a whole number of 0 or more.')} "
    "WHEN length(ltrim(v.returned_text, '0')) > 10 "
    f"THEN {_quoting('v.returned_count', ' is too large.')} "
    f"WHEN (ltrim(v.returned_text, '0') || '0')::bigint / 10 > {MAX_RETURNED} "
    f"THEN {_quoting('v.returned_count', ' is too large.')} END",
}


def _stage(cursor) -> None:
    """handoff_csv_checked: each row's values, and its problems column by column."""
    times = []
    for n in TIMES:
        times.append(
            f"coalesce(r.{n}_at, {n}_map.at) AS {n}_value, CASE "
            f"WHEN r.{n}_text = '' THEN NULL "
            f"WHEN r.{n}_unreal THEN {_quoting(f'r.{n}', ' is not a real date and time.')} "
            f"WHEN r.{n}_plain AND r.{n}_at > %(future)s "
            f"THEN {_quoting(f'r.{n}', ' is in the future.')} "
            f"WHEN r.{n}_plain THEN NULL ELSE {n}_map.problem END AS {n}_problem"
        )
    joins = " ".join(
        f"LEFT JOIN handoff_csv_times {n}_map ON NOT r.{n}_plain AND {n}_map.raw = r.{n}"
        for n in TIMES
    )
    problems = ", ".join(f"{sql} AS {name}_error" for name, sql in PROBLEMS.items())
    cursor.execute("DROP TABLE IF EXISTS handoff_csv_checked")
    cursor.execute(
        "CREATE TEMP TABLE handoff_csv_checked ON COMMIT DROP AS "
        f"SELECT p.*, num_nonnulls({', '.join(f'{n}_error' for n in PROBLEMS)}) > 0 AS rejected "
        f"FROM (SELECT v.*, {problems} FROM ("
        " SELECT r.line, r.seam, r.external_id, r.title, r.approval_type, r.returned_count, "
        "  r.returned_text, s.id AS seam_id, c.id AS calendar_id, c.is_24x7, "
        "  spec.response_sla_hours AS sla_hours, "
        "  min(r.line) OVER (PARTITION BY r.external_id) AS first_line, "
        f"  {', '.join(times)} "
        " FROM handoff_csv_rows r "
        " LEFT JOIN seams_seam s ON s.slug = r.seam "
        " LEFT JOIN seams_calendar c ON c.id = s.calendar_id "
        " LEFT JOIN seams_handoffspec spec ON spec.seam_id = s.id "
        f" {joins}"
        ") v OFFSET 0) p",
        {"future": timezone.now() + FUTURE_SLACK},
    )


def _counts(cursor) -> tuple[int, int]:
    cursor.execute("SELECT count(*), count(*) FILTER (WHERE rejected) FROM handoff_csv_checked")
    return cursor.fetchone()


def _problems(cursor, limit: int) -> list[RowError]:
    columns = ", ".join(f"{name}_error" for name in PROBLEMS)
    cursor.execute(
        f"SELECT line, external_id, {columns} FROM handoff_csv_checked WHERE rejected "
        "ORDER BY line LIMIT %s",
        [limit],
    )
    return [
        RowError(line, key, {n: text for n, text in zip(PROBLEMS, found, strict=True) if text})
        for line, key, *found in cursor.fetchall()
    ]


# --- 3. Durations and the upsert ---------------------------------------------------------------


def _load_windows(cursor) -> None:
    """handoff_csv_windows: each business calendar's working windows over the file's span, with
    the business time before each, reaching past the last time far enough for any deadline."""
    from seams.models import Calendar  # the ORM is only needed here

    cursor.execute(
        "DROP TABLE IF EXISTS handoff_csv_windows; CREATE TEMP TABLE handoff_csv_windows "
        "(calendar_id bigint, low timestamptz, high timestamptz, before interval, "
        "total interval) ON COMMIT DROP"
    )
    # Each calendar's business clock (seams.business_time.clock_hours) at its first window: a
    # row's stored clock is that plus its business time since.
    cursor.execute(
        "DROP TABLE IF EXISTS handoff_csv_origins; CREATE TEMP TABLE handoff_csv_origins "
        "(calendar_id bigint PRIMARY KEY, hours numeric) ON COMMIT DROP"
    )
    origins = []
    cursor.execute(
        "SELECT calendar_id, min(submitted_at_value), max(greatest(submitted_at_value, "
        "started_at_value, completed_at_value)), coalesce(max(sla_hours), 0) "
        "FROM handoff_csv_checked WHERE NOT rejected AND NOT is_24x7 GROUP BY calendar_id"
    )
    spans = cursor.fetchall()
    calendars = Calendar.objects.with_holidays().in_bulk([span[0] for span in spans])
    with cursor.cursor.copy(
        "COPY handoff_csv_windows (calendar_id, low, high, before, total) FROM STDIN"
    ) as copy:
        for calendar_id, first, last, sla_hours in spans:
            rules = calendars[calendar_id].working_time()
            reach = timedelta(hours=float(sla_hours)) + timedelta(hours=1)
            before, after_last = timedelta(0), timedelta(0)
            for low, high in business_time.working_windows(rules, first - timedelta(days=1)):
                if not origins or origins[-1][0] != calendar_id:
                    origins.append((calendar_id, business_time.clock_hours(rules, low)))
                total = before + (high - low)
                copy.write_row((calendar_id, low, high, before, total))
                before = total
                if high > last:
                    after_last += high - max(low, last)
                    if after_last >= reach:
                        break
    if origins:
        cursor.executemany("INSERT INTO handoff_csv_origins VALUES (%s, %s)", origins)
    cursor.execute("CREATE INDEX ON handoff_csv_windows (calendar_id, low)")
    cursor.execute("CREATE INDEX ON handoff_csv_windows (calendar_id, total)")
    cursor.execute("ANALYZE handoff_csv_windows")


def _clock(at: str) -> str:
    """Business time from the start of the windows table to `at`, for the row's calendar
    (NULL on the 24x7 calendar, whose business time is elapsed time)."""
    return (
        f"CASE WHEN NOT v.is_24x7 AND {at} IS NOT NULL THEN coalesce(("
        f"SELECT w.before + LEAST({at} - w.low, w.high - w.low) FROM handoff_csv_windows w "
        f"WHERE w.calendar_id = v.calendar_id AND w.low <= {at} ORDER BY w.low DESC LIMIT 1"
        "), interval '0') END"
    )


# Each row with its clocks, computed once each (the fence keeps them from being inlined).
CLOCKED = (
    "SELECT v.*, "
    + ", ".join(f"{_clock(f'v.{n}_value')} AS {n}_clock" for n in TIMES)
    + " FROM handoff_csv_checked v WHERE NOT v.rejected OFFSET 0"
)


def _hours(end: str) -> str:
    elapsed = (
        f"CASE WHEN k.is_24x7 THEN k.{end}_value - k.submitted_at_value "
        f"ELSE k.{end}_clock - k.submitted_at_clock END"
    )
    return (
        f"CASE WHEN k.{end}_value IS NOT NULL "
        f"THEN round(extract(epoch FROM {elapsed}) / 3600, 4) END"
    )


def _deadline() -> str:
    target = "(k.submitted_at_clock + k.sla_hours * interval '1 hour')"
    return (
        "CASE WHEN coalesce(k.sla_hours, 0) = 0 THEN NULL "
        "WHEN k.is_24x7 THEN k.submitted_at_value + k.sla_hours * interval '1 hour' "
        f"ELSE (SELECT w.low + ({target} - w.before) FROM handoff_csv_windows w "
        f"WHERE w.calendar_id = k.calendar_id AND w.total >= {target} ORDER BY w.total LIMIT 1) END"
    )


def _submitted_clock() -> str:
    """seams.business_time.clock_hours at submitted_at: elapsed hours since the clock's origin
    on the 24x7 calendar, else the calendar's clock at its first window plus the time since."""
    elapsed = "k.submitted_at_value - %(origin)s"
    return (
        f"round(CASE WHEN k.is_24x7 THEN extract(epoch FROM {elapsed}) / 3600 "
        "ELSE (SELECT o.hours FROM handoff_csv_origins o WHERE o.calendar_id = k.calendar_id) "
        "+ extract(epoch FROM k.submitted_at_clock) / 3600 END, 4)"
    )


def _restamp_returned(cursor, source: str) -> None:
    """The rows updated here that have returns recorded in Seamline: their pauses depend on the
    new times, so they are restamped from their returns (the file carries only a count)."""
    cursor.execute(
        f"SELECT h.id FROM {Handoff._meta.db_table} h "
        "JOIN handoff_csv_checked k ON k.external_id = h.external_id AND NOT k.rejected "
        f"WHERE h.source = %s AND EXISTS (SELECT 1 FROM {HandoffReturn._meta.db_table} r "
        "WHERE r.handoff_id = h.id)",
        [source],
    )
    ids = [row[0] for row in cursor.fetchall()]
    if ids:
        restamp_handoffs(ids)


def _moved_from(cursor, source: str) -> dict:
    """Before the upsert: for the rows it will move to another seam or submission time, the
    seams they leave and the earliest time they were submitted there (see handoffs_written)."""
    cursor.execute(
        f"SELECT h.seam_id, min(h.submitted_at) FROM {Handoff._meta.db_table} h "
        "JOIN handoff_csv_checked k ON k.external_id = h.external_id AND NOT k.rejected "
        "WHERE h.source = %s "
        "AND (h.seam_id <> k.seam_id OR h.submitted_at <> k.submitted_at_value) "
        "GROUP BY h.seam_id",
        [source],
    )
    return dict(cursor.fetchall())


def _announce(cursor, moved_from: dict) -> None:
    cursor.execute(
        "SELECT DISTINCT seam_id, min(submitted_at_value) OVER () FROM handoff_csv_checked "
        "WHERE NOT rejected"
    )
    rows = cursor.fetchall()
    if rows:
        model_events.handoffs_written(
            seam_ids={seam_id for seam_id, _ in rows},
            earliest=rows[0][1],
            moved_from=moved_from,
        )


def _upsert(cursor, source: str) -> tuple[int, int]:
    table = Handoff._meta.db_table
    values = [
        "k.seam_id",
        "%(source)s",
        "k.external_id",
        "k.title",
        "k.approval_type",
        "k.submitted_at_value",
        "k.started_at_value",
        "k.completed_at_value",
        "coalesce(nullif(k.returned_text, '')::int, 0)",
        "k.sla_hours",
        _deadline(),
        _hours("started_at"),
        _hours("completed_at"),
        "%(now)s",
        "%(now)s",
        _submitted_clock(),
        "0",  # no pauses: the CSV carries only a count of returns
    ]
    columns = [*UPSERT_COLUMNS, "submitted_clock", "paused_hours"]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*UPDATED_COLUMNS, "submitted_clock"])
    cursor.execute(
        f"WITH written AS (INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM ({CLOCKED}) k "
        f"ON CONFLICT (source, external_id) DO UPDATE SET {updates} "
        "RETURNING xmax = 0 AS created) "
        "SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM written",
        {"source": source, "now": timezone.now(), "origin": business_time.CLOCK_ORIGIN},
    )
    return cursor.fetchone()
