"""History from other tools by CSV: the `import_history` command and the import module behind
the pages. Every rejection reason, encodings, partial vs all-or-nothing, re-import adding
nothing, a huge file, NUL and formula text."""

import csv
import io
from datetime import date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from decisions.history_rows import COLUMNS
from decisions.models import Decision, DecisionEvent, Dependency, DependencyMove, Escalation
from tests.decisions.conftest import LONDON, friday_4pm


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(datetime(2026, 12, 3, 12, 0, tzinfo=LONDON), tick=True):
        yield


def rows_csv(kind: str, *rows: dict, header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = header or COLUMNS[kind]
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(name, "") for name in names])
    return out.getvalue()


def decision(**cells) -> dict:
    return {
        "seam": "custom-integration-intake",
        "question": "Scope Acme?",
        "decision_type": "Integration scope",
        "requested_by": "owner@example.com",
        "requested_at": "2026-11-20T16:00",
    } | cells


def escalation(**cells) -> dict:
    return {
        "seam": "custom-integration-intake",
        "summary": "Missed the SLA",
        "severity": "high",
        "cause": "sla_breach",
        "raised_at": "2026-11-10T09:00",
    } | cells


def dependency(**cells) -> dict:
    return {
        "title": "SSO",
        "consumer": "sales",
        "provider": "product",
        "seam": "custom-integration-intake",
        "owner": "ops@example.com",
        "needed_by": "2026-11-20",
        "status": "requested",
        "created_at": "2026-11-02T09:00",
    } | cells


def run(tmp_path, kind: str, content: bytes | str, *args, by="ops@example.com"):
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    out, err = StringIO(), StringIO()
    call_command(
        "import_history", str(path), "--kind", kind, "--by", by, *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def rejected(tmp_path, kind, *rows) -> str:
    with pytest.raises(CommandError, match="Nothing imported"):
        _, err = run(tmp_path, kind, rows_csv(kind, *rows))
    _, err = run(tmp_path, kind, rows_csv(kind, *rows), "--partial")
    return err


class TestDecisions:
    def test_a_full_history_keeps_every_time_and_a_second_run_adds_nothing(
        self, tmp_path, seam, right, ops, owner
    ):
        body = rows_csv(
            "decisions",
            decision(
                decided_at="2026-11-23T10:00",
                outcome="Yes",
                reopened_at="2026-11-25T09:00",
                decided_again_at="2026-11-26T11:00",
                rationale="Facts changed",
            ),
            decision(question="Price?", withdrawn_at="2026-11-23T09:30"),
        )
        out, _ = run(tmp_path, "decisions", body)
        assert "Imported 2 decisions" in out
        reopened = Decision.objects.get(question="Scope Acme?")
        assert reopened.requested_at == friday_4pm()
        assert reopened.due_at == datetime(2026, 11, 24, 15, 0, tzinfo=LONDON)
        assert (reopened.status, reopened.times_reopened, reopened.outcome) == ("decided", 1, "Yes")
        assert reopened.decided_at == datetime(2026, 11, 26, 11, 0, tzinfo=LONDON)
        assert [e.kind for e in reopened.events.all()] == [
            "logged",
            "decided",
            "reopened",
            "decided",
        ]
        withdrawn = Decision.objects.get(question="Price?")
        assert withdrawn.events.get(kind="withdrawn").at == datetime(
            2026, 11, 23, 9, 30, tzinfo=LONDON
        )
        out, _ = run(tmp_path, "decisions", body)
        assert "Imported 0 decisions" in out
        assert "2 imported before" in out
        assert Decision.objects.count() == 2
        assert DecisionEvent.objects.count() == 6

    @pytest.mark.parametrize(
        ("cells", "says"),
        [
            ({"seam": "nope"}, "seam: No seam “nope”."),
            ({"question": ""}, "question: It is missing."),
            ({"question": "x" * 301}, "question: Longer than 300 characters."),
            ({"requested_by": "who@example.com"}, "requested_by: No active person"),
            ({"requested_at": ""}, "requested_at: It is missing."),
            ({"requested_at": "20/11/2026"}, "requested_at: “20/11/2026” is not an ISO 8601"),
            ({"requested_at": "2027-01-01T00:00"}, "requested_at: “2027-01-01T00:00” is in the"),
            ({"requested_at": "1999-05-01T00:00"}, "is before 2000"),
            ({"decided_at": "2026-11-20T15:00", "outcome": "Y"}, "decided_at: It is before it"),
            ({"decided_at": "2026-11-23T10:00"}, "outcome: Say what was decided."),
            ({"reopened_at": "2026-11-23T10:00"}, "reopened_at: Only a decided decision"),
            (
                {"decided_at": "2026-11-23T10:00", "outcome": "Y", "reopened_at": "2026-11-22"},
                "reopened_at: It is before it was decided",
            ),
            ({"decided_again_at": "2026-11-23T10:00", "outcome": "Y"}, "only after a reopen"),
            (
                {"decided_at": "2026-11-23T10:00", "outcome": "Y", "withdrawn_at": "2026-11-24"},
                "withdrawn_at: A decided decision isn't withdrawn.",
            ),
            ({"withdrawn_at": "2026-11-19T10:00"}, "withdrawn_at: It is before its last step"),
            ({"decision_type": "Unknown type"}, "No decision right covers this"),
            ({"decision_type": "Unknown type", "decider": "viewer@example.com"}, "decider:"),
        ],
    )
    def test_each_rejection_reason_names_line_and_column(
        self, tmp_path, seam, right, ops, owner, viewer, cells, says
    ):
        err = rejected(tmp_path, "decisions", decision(question="Fine?"), decision(**cells))
        assert "line 3: " in err
        assert says in err
        assert Decision.objects.get().question == "Fine?"  # partial: the valid row only

    def test_a_row_twice_in_one_file_and_a_short_row_are_rejected(
        self, tmp_path, seam, right, ops, owner
    ):
        body = rows_csv("decisions", decision(), decision()) + "just,three,cells\n"
        _, err = run(tmp_path, "decisions", body, "--partial")
        assert "line 3: The same decision as line 2." in err
        assert "line 4: Has 3 cells where the header has 13." in err
        assert Decision.objects.count() == 1

    def test_all_or_nothing_writes_nothing_and_partial_writes_the_valid_rows(
        self, tmp_path, seam, right, ops, owner
    ):
        body = rows_csv("decisions", decision(), decision(question="Q2", seam="nope"))
        with pytest.raises(CommandError, match="1 row\\(s\\) rejected"):
            run(tmp_path, "decisions", body)
        assert not Decision.objects.exists()
        assert not DecisionEvent.objects.exists()
        out, err = run(tmp_path, "decisions", body, "--partial")
        assert "Imported 1 decisions" in out
        assert "line 3: seam: No seam" in err


class TestEscalations:
    def test_past_raised_and_resolved_times_are_kept(self, tmp_path, seam, ops):
        body = rows_csv(
            "escalations",
            escalation(resolved_at="2026-11-12T10:00", resolution="Staffed", root_cause="One"),
            escalation(summary="Other", severity="", raised_by="owner@example.com"),
        )
        out, _ = run(tmp_path, "escalations", body)
        assert "Imported 2 escalations" in out
        resolved = Escalation.objects.get(summary="Missed the SLA")
        assert resolved.raised_at == datetime(2026, 11, 10, 9, 0, tzinfo=LONDON)
        assert resolved.resolved_at == datetime(2026, 11, 12, 10, 0, tzinfo=LONDON)
        assert resolved.raised_by.username == "ops"  # nobody named: the importer
        other = Escalation.objects.get(summary="Other")
        assert (other.severity, other.raised_by.username) == ("medium", "owner")
        out, _ = run(tmp_path, "escalations", body)
        assert Escalation.objects.count() == 2

    @pytest.mark.parametrize(
        ("cells", "says"),
        [
            ({"cause": "bad luck"}, "cause: “bad luck” is not one of: missing_inputs"),
            ({"severity": "huge"}, "severity: “huge” is not one of"),
            ({"raised_at": ""}, "raised_at: It is missing."),
            (
                {"resolved_at": "2026-11-09T10:00", "resolution": "r", "root_cause": "c"},
                "resolved_at: It is before it was raised",
            ),
            ({"resolved_at": "2026-11-12T10:00"}, "resolution: A resolved escalation needs it."),
            ({"resolution": "r"}, "resolved_at: Give when it was resolved."),
            ({"seam": ""}, "seam: It is missing."),
        ],
    )
    def test_each_rejection_reason(self, tmp_path, seam, ops, cells, says):
        err = rejected(tmp_path, "escalations", escalation(summary="Fine"), escalation(**cells))
        assert "line 3: " in err
        assert says in err
        assert Escalation.objects.get().summary == "Fine"


class TestDependencies:
    def test_delivered_and_cancelled_ones_keep_their_dates(self, tmp_path, seam, ops):
        body = rows_csv(
            "dependencies",
            dependency(status="delivered", delivered_at="2026-11-19"),
            dependency(title="Audit", status="cancelled"),
        )
        out, _ = run(tmp_path, "dependencies", body)
        assert "Imported 2 dependencies" in out
        delivered = Dependency.objects.get(title="SSO")
        assert delivered.created_at == datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)
        assert (delivered.delivered_at, delivered.delivered_on_time) == (date(2026, 11, 19), True)
        assert DependencyMove.objects.get(dependency=delivered).at == datetime(
            2026, 11, 19, tzinfo=LONDON
        )
        cancelled = Dependency.objects.get(title="Audit")
        assert cancelled.status == "cancelled"
        assert cancelled.moves.get().at == cancelled.created_at
        run(tmp_path, "dependencies", body)
        assert Dependency.objects.count() == 2

    @pytest.mark.parametrize(
        ("cells", "says"),
        [
            ({"provider": "sales"}, "provider: A dependency is between two different teams."),
            ({"consumer": "nope"}, "consumer: No team “nope”."),
            ({"status": "delivered"}, "delivered_at: A delivered dependency needs"),
            ({"delivered_at": "2026-11-19"}, "delivered_at: Only a delivered dependency"),
            ({"status": "delivered", "delivered_at": "2026-11-01"}, "before it was logged"),
            ({"status": "delivered", "delivered_at": "2026-12-24"}, "is in the future"),
            ({"needed_by": "next week"}, "needed_by: “next week” is not a date"),
            ({"needed_by": "1990-01-01"}, "needed_by: “1990-01-01” is before 2000."),
            ({"status": "lost"}, "status: “lost” is not one of"),
            ({"owner": "viewer@example.com"}, "owner:"),
            ({"created_at": "2030-01-01T00:00"}, "created_at: “2030-01-01T00:00” is in the"),
        ],
    )
    def test_each_rejection_reason(self, tmp_path, seam, ops, viewer, cells, says):
        err = rejected(tmp_path, "dependencies", dependency(title="Fine"), dependency(**cells))
        assert "line 3: " in err
        assert says in err
        assert Dependency.objects.get().title == "Fine"


class TestTheFile:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "The file is empty."),
            (b"  \n\n", "The file is empty."),
            (b"seam,question\x00\nx,y\n", "contains binary data"),
            (b"seam,question\nx,y\n", "Missing columns: contract, decision_type"),
            (",".join(COLUMNS["decisions"]) + "\n", "a header but no rows"),
            (b'seam,"question\n', "can't be read|Missing column"),
        ],
    )
    def test_a_file_it_cant_use_is_refused_whole(self, tmp_path, seam, ops, content, message):
        with pytest.raises(CommandError, match=message):
            run(tmp_path, "decisions", content)
        assert not Decision.objects.exists()

    def test_a_huge_file_is_refused_with_the_limit(self, tmp_path, seam, right, ops, settings):
        settings.HISTORY_IMPORT_MAX_BYTES = 100
        body = rows_csv("decisions", decision(), decision(question="Another question?"))
        with pytest.raises(CommandError, match=r"is 0\.[0-9] MB; the limit is 0 MB"):
            run(tmp_path, "decisions", body)
        assert not Decision.objects.exists()

    def test_windows_1252_is_read_and_said(self, tmp_path, seam, right, ops, owner):
        body = rows_csv("decisions", decision(question="Café pricing — yes?")).encode("cp1252")
        out, _ = run(tmp_path, "decisions", body)
        assert "read as Windows-1252" in out
        assert Decision.objects.get().question == "Café pricing — yes?"

    def test_a_bom_and_extra_columns_are_fine_and_named(self, tmp_path, seam, right, ops, owner):
        header = ["notes", *COLUMNS["decisions"], "jira key"]
        body = "\ufeff" + rows_csv("decisions", decision(notes="n"), header=header)
        out, _ = run(tmp_path, "decisions", body)
        assert "Ignored columns: notes, jira key." in out
        assert "Windows-1252" not in out
        assert Decision.objects.count() == 1

    def test_formula_text_is_stored_as_written(self, tmp_path, seam, right, ops, owner):
        body = rows_csv("decisions", decision(question='=HYPERLINK("http://x","y")'))
        run(tmp_path, "decisions", body)
        assert Decision.objects.get().question == '=HYPERLINK("http://x","y")'

    def test_a_nul_far_into_the_file_rejects_its_row(self, tmp_path, seam, right, ops, owner):
        filler = [decision(question=f"Question {n}?" + " " * 200) for n in range(400)]
        body = rows_csv("decisions", *filler, decision(question="Bad\x00one"))
        _, err = run(tmp_path, "decisions", body, "--partial")
        assert "question: It contains a NUL character." in err
        assert Decision.objects.count() == 400

    def test_only_leaders_and_ops_import(self, tmp_path, seam, right, owner):
        with pytest.raises(CommandError, match="neither a leader nor ops"):
            run(tmp_path, "decisions", rows_csv("decisions", decision()), by="owner@example.com")
        with pytest.raises(CommandError, match="No active person"):
            run(tmp_path, "decisions", rows_csv("decisions", decision()), by="x@example.com")


def test_an_import_marks_the_months_it_reaches_stale(
    tmp_path, seam, right, ops, owner, django_capture_on_commit_callbacks
):
    from common.models import OutboxMessage

    body = rows_csv("decisions", decision(requested_at="2026-09-14T10:00"))
    with django_capture_on_commit_callbacks(execute=True):
        run(tmp_path, "decisions", body)
    refreshes = list(
        OutboxMessage.objects.filter(task="metrics.tasks.compute_metrics").values_list(
            "args", "kwargs"
        )
    )
    # One refresh for the whole import, from the record's month (September) to now.
    from metrics import engine

    months = engine.months_between(date(2026, 9, 1), engine.current_month())
    [(args, kwargs)] = refreshes
    assert args == [[f"{month:%Y-%m}" for month in months]]
    assert kwargs.pop("stale_since")  # when the import committed: see metrics.recompute
    assert kwargs == {"seam_ids": [seam.pk]}


def test_a_row_imported_before_is_left_whatever_its_other_cells_say_now(
    tmp_path, seam, right, ops, owner
):
    run(tmp_path, "decisions", rows_csv("decisions", decision()))
    # The same key (seam, question, requested_at); a cell that would not pass on its own.
    changed = rows_csv("decisions", decision(decided_at="2026-11-23T10:00"))
    out, err = run(tmp_path, "decisions", changed)
    assert "1 row(s) were imported before" in out
    assert err == ""
    assert Decision.objects.get().status == "open"
