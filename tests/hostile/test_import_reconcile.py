"""No row of a handoff CSV is lost: every row is imported or reported, or nothing is written.

PostgreSQL's COPY path reads the file in blocks and sends it in segments cut at line ends; the
tests shrink both so that line ends fall on, just before and just after every boundary. The
import recounts the file's rows on its own before it commits, and a count that doesn't add up
refuses the whole file, loudly, through every way in: the command, the upload page and its
progress partial, and the worker's task.
"""

import logging
from io import BytesIO, StringIO
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seams.csv_copy as csv_copy
import seams.csv_import as csv_import
from seams.csv_import import CsvRejected, import_csv
from seams.handoff_rules import CSV_COLUMNS
from seams.models import Handoff, HandoffImport
from seams.tasks import import_handoffs as import_handoffs_task

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the blocks and segments are COPY's (PostgreSQL)"
)
SLUG = "custom-integration-intake"  # the `seam` fixture's
TIMES = "2026-11-13T16:00:00,2026-11-16T10:00:00,"
REPORT = "nothing was imported. Please report this file."


def data_line(key: str, width: int, *, fill: str = "a", newline: str = "\n") -> bytes:
    """A valid row whose bytes, line end included, number exactly `width` (the title pads it)."""
    line = f"{SLUG},{key},T{{}},standard,{TIMES},0,{newline}"
    room = width - len(line.format("").encode())
    pad = fill * (room // len(fill.encode())) + "a" * (room % len(fill.encode()))
    encoded = line.format(pad).encode()
    assert len(encoded) == width
    return encoded


def header_line(width: int, *, newline: str = "\n") -> bytes:
    """The header and an extra (ignored) `note` column, padded to `width` bytes."""
    line = ",".join(CSV_COLUMNS) + ",note"
    return (line + "x" * (width - len(line) - len(newline)) + newline).encode()


def csv_file(widths: list[int], *, header: int = 120, fill="a", newline="\n", final=True):
    """A file of one row per width; its bytes and the rows' external ids."""
    keys = [f"R-{n:05d}" for n in range(len(widths))]
    content = header_line(header, newline=newline) + b"".join(
        data_line(key, width, fill=fill, newline=newline)
        for key, width in zip(keys, widths, strict=True)
    )
    if not final:
        content = content[: -len(newline)]
    return content, keys


def stored_ids(source: str = "csv") -> list[str]:
    return sorted(Handoff.objects.filter(source=source).values_list("external_id", flat=True))


@pytest.fixture
def copy_only(monkeypatch):
    """The file must go through COPY: falling back to the row reader would hide the segments."""
    monkeypatch.setattr(csv_import, "use_copy", lambda: True)

    def no_row_reader(*args, **kwargs):
        raise AssertionError("the file fell back to the row reader")

    monkeypatch.setattr(csv_import, "_import_text", no_row_reader)


# --- Line ends on, before and after every block and segment boundary ---------------------------

FLAVOURS = {
    "lf": ("a", "\n", True),
    "crlf": ("a", "\r\n", True),
    "two-byte-lf": ("é", "\n", True),
    "two-byte-crlf-no-final-newline": ("é", "\r\n", False),
}


@postgresql_only
@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("blocks_per_segment", [1, 2])
@pytest.mark.parametrize("lines_per_block", [2, 3])
@pytest.mark.parametrize("offset", [-1, 0, 1], ids=["before", "on", "after"])
def test_it_imports_every_row_whatever_the_boundaries(
    seam, monkeypatch, copy_only, offset, lines_per_block, blocks_per_segment, flavour
):
    """Rows are `width` bytes and the header `width + offset`, so a line ends `offset` bytes
    from the end of every block, and of every segment, which is cut where a block ends."""
    fill, newline, final = FLAVOURS[flavour]
    width = 100
    block = lines_per_block * width
    monkeypatch.setattr(csv_copy, "BLOCK_BYTES", block)
    monkeypatch.setattr(csv_copy, "SEGMENT_CHARS", blocks_per_segment * block)
    count = 5 * blocks_per_segment * lines_per_block + 2  # five segments and a bit
    content, keys = csv_file(
        [width] * count, header=width + offset, fill=fill, newline=newline, final=final
    )
    line_ends = {i + 1 for i, byte in enumerate(content) if byte == ord("\n")}
    assert {k * block + offset for k in range(1, 6)} <= line_ends

    outcome = import_csv(BytesIO(content), source="csv", partial=False)

    assert (outcome.rows_read, outcome.created, outcome.rejected) == (count, count, 0)
    assert stored_ids() == keys


@postgresql_only
def test_it_imports_every_row_of_a_file_over_two_megabytes_at_the_real_sizes(seam, copy_only):
    """At the real sizes (1 MiB blocks, 2 MiB segments) the first segment's last line ends
    exactly where the second block does: the rows after it were once lost."""
    assert (csv_copy.BLOCK_BYTES, csv_copy.SEGMENT_CHARS) == (1 << 20, 2 << 20)
    width = 128  # 2 MiB is 16,384 lines of 128 bytes, the header included
    count = (2 << 20) // width - 1 + 700
    content, keys = csv_file([width] * count, header=width)
    assert len(content) > 2 << 20
    assert content[(2 << 20) - 1] == ord("\n")

    outcome = import_csv(BytesIO(content), source="csv", partial=False)

    assert (outcome.rows_read, outcome.created, outcome.rejected) == (count, count, 0)
    assert Handoff.objects.filter(source="csv").count() == count
    assert stored_ids() == keys


@st.composite
def files_and_sizes(draw):
    """A file of random row lengths, and block and segment sizes, random or chosen so that
    a line end falls on, or a byte either side of, a later block's end, where COPY's text is
    cut: chance alone seldom lines them up."""
    widths = draw(st.lists(st.integers(min_value=90, max_value=260), min_size=1, max_size=40))
    fill = draw(st.sampled_from(["a", "é", "€"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    final = draw(st.booleans())
    content, keys = csv_file(widths, fill=fill, newline=newline, final=final)
    ends = [i + 1 for i, byte in enumerate(content) if byte == ord("\n")]
    aligned = sorted(
        {end // k + shift for end in ends for k in (2, 3) for shift in (-1, 0, 1) if end % k == 0}
    )
    if aligned and draw(st.booleans()):
        block = draw(st.sampled_from(aligned))
    else:
        block = draw(st.integers(min_value=1, max_value=700))
    segment = draw(st.integers(min_value=1, max_value=block) | st.integers(1, 3 * block))
    return content, keys, block, segment


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(file_and_sizes=files_and_sizes())
def test_it_imports_exactly_the_files_rows_for_any_sizes(seam, file_and_sizes):
    content, keys, block, segment = file_and_sizes
    with (
        mock.patch.object(csv_copy, "BLOCK_BYTES", block),
        mock.patch.object(csv_copy, "SEGMENT_CHARS", segment),
        transaction.atomic(),
    ):
        outcome = import_csv(BytesIO(content), source="csv", partial=False)
        assert (outcome.rows_read, outcome.created, outcome.rejected) == (len(keys),) * 2 + (0,)
        assert stored_ids() == keys
        transaction.set_rollback(True)  # the next example starts from no handoffs


@postgresql_only
@pytest.mark.parametrize(
    "tail",
    [
        pytest.param(b"\\.\n", id="end-of-data marker"),
        pytest.param(b"\n", id="empty line"),
        pytest.param(b" , ,\xc2\xa0,,,,\xe2\x80\x83,,\n", id="blank cells and no-break spaces"),
    ],
)
def test_it_leaves_no_row_behind_lines_copy_reads_its_own_way(seam, monkeypatch, tail):
    monkeypatch.setattr(csv_import, "use_copy", lambda: True)
    monkeypatch.setattr(csv_copy, "BLOCK_BYTES", 200)
    monkeypatch.setattr(csv_copy, "SEGMENT_CHARS", 200)
    first, keys = csv_file([100] * 4)
    later = data_line("R-99999", 100)
    content = first + tail + later
    outcome = import_csv(BytesIO(content), source="csv", partial=True)
    marker = tail.startswith(b"\\.")
    assert outcome.rows_read == 5 + marker
    assert (outcome.created, outcome.rejected) == (5, marker)
    assert stored_ids() == [*keys, "R-99999"]


# --- A count that doesn't add up refuses the file, through every way in ------------------------


def drop_copied_rows(monkeypatch) -> None:
    """The COPY path loses its last rows, as it once did at a segment boundary."""
    real = csv_copy._copy_text

    def losing(cursor, *args):
        rows, layout = real(cursor, *args)
        cursor.execute(
            "DELETE FROM handoff_csv_raw WHERE n > (SELECT max(n) - 2 FROM handoff_csv_raw)"
        )
        return rows - 2, layout

    monkeypatch.setattr(csv_copy, "_copy_text", losing)


def drop_ingested_rows(monkeypatch) -> None:
    """The row reader's chunks lose a row on the way to the database."""
    real = csv_import.ingest
    monkeypatch.setattr(csv_import, "ingest", lambda chunk, **kwargs: real(chunk[:-1], **kwargs))


LOSSES = {
    "copy": (drop_copied_rows, "The import read 3 of the file's 5 rows"),
    "rows": (drop_ingested_rows, "The import accounted for 4 of the 5 rows it read"),
}


@pytest.fixture(params=LOSSES)
def losing_import(request, monkeypatch, seam):
    """An import that loses rows on its way: the COPY path's (PostgreSQL) or the row reader's."""
    if request.param == "copy" and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    monkeypatch.setattr(csv_import, "use_copy", lambda: request.param == "copy")
    lose, message = LOSSES[request.param]
    lose(monkeypatch)
    return message


FIVE_ROWS, _ = csv_file([100] * 5)


def test_it_refuses_a_file_whose_rows_dont_add_up_and_writes_nothing(losing_import, caplog):
    with (
        caplog.at_level(logging.ERROR, logger="seams.csv_import"),
        pytest.raises(CsvRejected) as refused,
    ):
        import_csv(BytesIO(FIVE_ROWS), source="csv", partial=True)
    assert str(refused.value) == f"{losing_import}; {REPORT}"
    assert not Handoff.objects.exists()
    assert "did not reconcile" in caplog.text
    assert [r.levelno for r in caplog.records if "reconcile" in r.message] == [logging.ERROR]


def test_it_fails_the_command_loudly_and_writes_nothing(losing_import, tmp_path):
    path = tmp_path / "handoffs.csv"
    path.write_bytes(FIVE_ROWS)
    out = StringIO()
    with pytest.raises(CommandError, match=f"was not imported: {losing_import}; nothing was"):
        call_command("import_handoffs", str(path), stdout=out, stderr=StringIO())
    assert "Imported" not in out.getvalue()
    assert not Handoff.objects.exists()


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, content: bytes, mode="partial"):
    file = SimpleUploadedFile("handoffs.csv", content, content_type="text/csv")
    return client.post(
        reverse("seams:handoff-import"), {"file": file, "source": "csv", "mode": mode}
    )


@pytest.mark.usefixtures("_media", "celery_eager")
def test_it_shows_the_refusal_on_the_upload_page_and_writes_nothing(
    losing_import, ops_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ops_client, FIVE_ROWS)
    job = HandoffImport.objects.get()
    assert response.status_code == 302
    assert (job.status, job.message, job.created, job.percent) == (
        "rejected",
        f"{losing_import}; {REPORT}",
        0,
        100,
    )
    page = ops_client.get(response["Location"])
    assert page.status_code == 200
    assert escape(f"{losing_import}; {REPORT}") in page.content.decode()
    partial = ops_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert escape(losing_import) in partial
    assert "hx-get" not in partial  # finished: polling stops
    assert not Handoff.objects.exists()


def stored_job(content: bytes, **fields) -> HandoffImport:
    return HandoffImport.objects.create(
        file=SimpleUploadedFile("handoffs.csv", content),
        filename="handoffs.csv",
        size=len(content),
        **fields,
    )


@pytest.mark.usefixtures("_media")
def test_it_records_the_refusal_from_the_worker_task_and_writes_nothing(losing_import):
    job = stored_job(FIVE_ROWS, partial=True)
    import_handoffs_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == ("rejected", f"{losing_import}; {REPORT}")
    assert job.finished_at is not None
    assert not Handoff.objects.exists()


# --- An unexpected failure ends the upload's job, with a message -------------------------------


@pytest.fixture
def broken_import(monkeypatch, csv_path):
    """Both import paths fail on something nobody foresaw."""

    def broken(*args, **kwargs):
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(csv_import, "copy_import", broken)
    monkeypatch.setattr(csv_import, "_import_rows", broken)


@pytest.mark.usefixtures("_media", "broken_import")
def test_it_ends_the_job_on_an_unexpected_failure_and_logs_the_traceback(caplog):
    job = stored_job(FIVE_ROWS)
    with caplog.at_level(logging.ERROR, logger="seams.csv_import"):
        import_handoffs_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message, job.percent) == ("rejected", csv_import.FAILED, 100)
    [record] = [r for r in caplog.records if r.name == "seams.csv_import"]
    assert record.levelno == logging.ERROR
    assert "something nobody foresaw" in str(record.exc_info[1])
    assert not Handoff.objects.exists()


@pytest.mark.usefixtures("_media", "broken_import", "celery_eager")
def test_it_shows_an_unexpected_failure_on_the_page_not_a_500(
    ops_client, seam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ops_client, FIVE_ROWS)
    assert response.status_code == 302
    partial = ops_client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "The import stopped on an unexpected error" in partial.content.decode()
    assert "hx-get" not in partial.content.decode()
    assert HandoffImport.objects.get().status == "rejected"


@pytest.mark.usefixtures("_media")
def test_it_ends_the_job_with_a_message_when_the_stored_file_has_gone(csv_path, seam):
    job = stored_job(FIVE_ROWS)
    job.file.storage.delete(job.file.name)
    import_handoffs_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == ("rejected", csv_import.FAILED)


# --- Wide files and odd headers -----------------------------------------------------------------


def wide_file(extra: int, *, name=lambda n: f"x{n}") -> bytes:
    header = ",".join([*CSV_COLUMNS, *(name(n) for n in range(extra))])
    row = f"{SLUG},W-1,Wide,standard,{TIMES},0" + ",v" * extra
    return f"{header}\n{row}\n".encode()


@pytest.mark.parametrize("extra", [100, 1591, 1592, 2000])
def test_it_imports_a_file_wider_than_a_table_and_names_some_ignored_columns(
    csv_path, seam, tmp_path, extra
):
    """PostgreSQL takes at most 1600 columns in a table and 100 arguments in a call; the file
    imports either way, and the summary names the first ignored columns, not thousands."""
    path = tmp_path / "wide.csv"
    path.write_bytes(wide_file(extra))
    out = StringIO()
    call_command("import_handoffs", str(path), stdout=out, stderr=StringIO())
    assert "1 new, 0 updated, 0 rejected" in out.getvalue()
    more = f" and {extra - 20} more" if extra > 20 else ""
    assert f"Ignored columns: {', '.join(f'x{n}' for n in range(20))}{more}." in out.getvalue()
    assert stored_ids() == ["W-1"]


@pytest.mark.usefixtures("_media", "celery_eager")
def test_it_finishes_an_upload_of_two_thousand_columns(
    csv_path, ops_client, seam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ops_client, wide_file(2000), mode="all")
    job = HandoffImport.objects.get()
    assert (job.status, job.created, job.percent) == ("done", 1, 100)
    assert "and 1980 more." in ops_client.get(response["Location"]).content.decode()


def test_it_imports_a_header_longer_than_a_block(csv_path, seam):
    content = wide_file(2000, name=lambda n: f"column-{n:04d}-" + "x" * 600)
    assert content.index(b"\n") > csv_copy.BLOCK_BYTES
    outcome = import_csv(BytesIO(content), source="csv", partial=False)
    assert (outcome.created, len(outcome.extra_columns)) == (1, 2000)


@pytest.mark.usefixtures("_media")
def test_it_imports_a_long_header_cell_and_a_nul_one_and_stores_their_names_readably(
    csv_path, seam
):
    """The binary check reads the first 64 KB; a NUL after them can't reach PostgreSQL."""
    content = wide_file(2, name=lambda n: ["y" * 70_000, "\x00z"][n])
    job = stored_job(content)
    import_handoffs_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 1)
    assert job.notes == [f"Ignored columns: {'y' * 60}, \ufffdz."]


def test_it_refuses_a_header_cell_over_the_csv_limit_with_a_clear_file_error(
    csv_path, seam, tmp_path
):
    path = tmp_path / "handoffs.csv"
    path.write_bytes(wide_file(1, name=lambda n: "y" * 200_000))
    with pytest.raises(CommandError, match="no readable header row: field larger than field"):
        call_command("import_handoffs", str(path), stdout=StringIO(), stderr=StringIO())
    assert not Handoff.objects.exists()
