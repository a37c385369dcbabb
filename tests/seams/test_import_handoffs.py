"""The CSV import as a command: every bad input has a clear message and writes nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from seams.models import Handoff

pytestmark = pytest.mark.usefixtures("csv_path")

HEADER = "seam,external_id,title,approval_type,submitted_at,started_at,completed_at,returned_count"


def good(n="J-1", title="Acme SSO", **cells):
    values = {
        "seam": "custom-integration-intake",
        "external_id": n,
        "title": title,
        "approval_type": "standard",
        "submitted_at": "2026-11-13T16:00:00",
        "started_at": "2026-11-16T10:00:00",
        "completed_at": "",
        "returned_count": "0",
    } | cells
    return ",".join(values[c] for c in HEADER.split(","))


def run(tmp_path, content: bytes | str, *args):
    path = tmp_path / "handoffs.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    out, err = StringIO(), StringIO()
    call_command("import_handoffs", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_and_a_second_run_updates_the_same_rows(tmp_path, seam):
    body = "\n".join([HEADER, good("J-1"), good("J-2")]) + "\n"
    out, _ = run(tmp_path, body)
    assert "2 new, 0 updated, 0 rejected" in out
    out, _ = run(tmp_path, body)
    assert "0 new, 2 updated" in out
    assert Handoff.objects.filter(source="csv").count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n\n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "contains binary data"),
        ("seam,external_id,title\nx,1,t\n", "Missing columns: approval_type, submitted_at"),
        (HEADER + "\n", "a header but no rows"),
    ],
)
def test_a_file_it_cant_use_is_refused_whole(tmp_path, seam, content, message):
    with pytest.raises(CommandError, match=message):
        run(tmp_path, content)
    assert not Handoff.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(tmp_path, seam, settings):
    settings.HANDOFF_IMPORT_MAX_BYTES = 100
    with pytest.raises(CommandError, match=r"is 0\.[0-9] MB; the limit is 0 MB"):
        run(tmp_path, "\n".join([HEADER, good(), good("J-2")]))


def test_rejected_rows_are_listed_with_line_numbers_and_nothing_is_written(tmp_path, seam):
    body = "\n".join(
        [
            HEADER,
            good("J-1"),
            good("J-2", seam="nope"),
            good("J-3", started_at="2026-11-12T10:00"),
            good("J-4", returned_count="-1"),
            good("J-1", title="duplicate"),
            "a,b,c",
            good("J-5", submitted_at="30/11/2026"),
        ]
    )
    err = StringIO()
    path = tmp_path / "h.csv"
    path.write_text(body)
    with pytest.raises(CommandError, match="Nothing imported: 6 row"):
        call_command("import_handoffs", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines == [
        "line 3: seam: No seam “nope”.",
        "line 4: started_at: Started before it was submitted.",
        "line 5: returned_count: “-1” is not a whole number of 0 or more.",
        "line 6: external_id: “J-1” is already used on line 2 of this file.",
        "line 7: Has 3 cells where the header has 8.",
        "line 8: submitted_at: “30/11/2026” is not an ISO 8601 date and time (2026-11-20T16:00).",
    ]
    assert not Handoff.objects.exists()


def test_partial_imports_the_valid_rows_and_reports_the_rest(tmp_path, seam):
    out, err = run(
        tmp_path, "\n".join([HEADER, good("J-1"), good("J-2", seam="nope")]), "--partial"
    )
    assert "1 new, 0 updated, 1 rejected" in out
    assert "line 3: seam" in err
    assert list(Handoff.objects.values_list("external_id", flat=True)) == ["J-1"]


def test_utf8_with_bom_and_extra_columns_are_fine_and_named(tmp_path, seam):
    body = "\ufeff" + HEADER + ",owner_email\n" + good() + ",x@example.com\n"
    out, _ = run(tmp_path, body.encode("utf-8"))
    assert "Ignored columns: owner_email." in out
    assert Handoff.objects.get().external_id == "J-1"


def test_windows_1252_from_excel_is_read_and_said(tmp_path, seam):
    body = (HEADER + "\n" + good(title="Café – Zürich rollout") + "\r\n").encode("cp1252")
    out, _ = run(tmp_path, body)
    assert "read as Windows-1252" in out
    assert Handoff.objects.get().title == "Café – Zürich rollout"


def test_formula_looking_cells_are_stored_as_written(tmp_path, seam):
    run(tmp_path, HEADER + "\n" + good(title="\"=cmd()|' /C calc'!A0\"") + "\n")
    assert Handoff.objects.get().title == "=cmd()|' /C calc'!A0"


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Can't read"):
        call_command("import_handoffs", str(tmp_path / "nope.csv"))


def test_a_row_with_the_wrong_number_of_cells_alone_still_stops_an_all_or_nothing_import(
    tmp_path, seam
):
    with pytest.raises(CommandError, match="Nothing imported: 1 row"):
        run(tmp_path, "\n".join([HEADER, good("J-1"), "a,b,c"]))
    assert not Handoff.objects.exists()


@pytest.mark.usefixtures("rows_path")
def test_a_duplicate_id_in_a_later_chunk_is_still_caught(tmp_path, seam, monkeypatch):
    import seams.csv_import as csv_import

    monkeypatch.setattr(csv_import, "CHUNK_ROWS", 2)
    rows = [good("J-1"), good("J-2"), good("J-3"), good("J-1", title="again")]
    out, err = run(tmp_path, "\n".join([HEADER, *rows]), "--partial")
    assert "3 new, 0 updated, 1 rejected" in out
    assert "line 5: external_id: “J-1” is already used on an earlier line of this file." in err
    assert Handoff.objects.get(external_id="J-1").title == "Acme SSO"


@pytest.mark.usefixtures("rows_path")
def test_all_or_nothing_rolls_back_chunks_already_written(tmp_path, seam, monkeypatch):
    import seams.csv_import as csv_import

    monkeypatch.setattr(csv_import, "CHUNK_ROWS", 2)
    rows = [good("J-1"), good("J-2"), good("J-3", seam="nope")]
    with pytest.raises(CommandError, match="Nothing imported: 1 row"):
        run(tmp_path, "\n".join([HEADER, *rows]))
    assert not Handoff.objects.exists()
