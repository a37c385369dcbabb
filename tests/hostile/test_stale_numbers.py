"""No stale numbers: a write that moves a handoff to another seam or another month refreshes
the seam and months it left as well as those it lands on, whichever way it was written (the
bulk API, the CSV import on both of its paths, a signed webhook's rows, a save, a delete)."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

import seams.csv_import as csv_import
from common.models import OutboxMessage
from connections.inbound import apply_generic
from connections.models import Delivery, Source
from metrics.models import MonthlySeamMetrics
from seams.models import Handoff
from tests.factories import SeamFactory

LONDON = ZoneInfo("Europe/London")
OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
IN_OCT = "2026-10-14T10:00:00+01:00"
IN_NOV = "2026-11-10T10:00:00+00:00"
# The refresh runs from the earliest month touched to the current one: days early, late and in
# between in December.
TODAYS = [dt.datetime(2026, 12, day, 12, tzinfo=LONDON) for day in (1, 3, 28)]


@pytest.fixture(params=TODAYS, ids=lambda d: f"dec-{d.day}")
def today(request):
    """The clock, stopped on the day; `later()` moves it on a minute between two writes, as a
    second import would come (an import skips rows it wrote itself since it started)."""
    with time_machine.travel(request.param, tick=False) as traveller:
        yield lambda: traveller.shift(dt.timedelta(minutes=1))


@pytest.fixture
def seams(db):
    return SeamFactory(name="Intake"), SeamFactory(name="Review")


def submitted(seam, month) -> int | None:
    """The snapshot's count of handoffs submitted, or None when there is no snapshot."""
    row = MonthlySeamMetrics.objects.filter(seam=seam, month=month).first()
    return None if row is None else row.submitted


def row(seam, submitted_at: str) -> dict:
    return {
        "seam": seam.slug,
        "external_id": "H-1",
        "title": "Integration request",
        "submitted_at": submitted_at,
    }


def post(ops, payload: dict) -> None:
    client = APIClient()
    client.force_authenticate(ops)
    response = client.post("/api/v1/handoffs/", [{**payload, "source": "crm"}], format="json")
    assert response.status_code == 200, response.json()


def write_csv(tmp_path, payload: dict):
    path = tmp_path / "handoffs.csv"
    header = (
        "seam,external_id,title,approval_type,submitted_at,started_at,completed_at,returned_count"
    )
    cells = [payload[name] for name in ("seam", "external_id", "title")]
    line = ",".join([*cells, "", payload["submitted_at"], "", "", ""])
    path.write_text(f"{header}\n{line}\n", encoding="utf-8")
    call_command("import_handoffs", str(path), "--source", "crm", stdout=StringIO())


@pytest.fixture
def hook(db):
    return Source.objects.create(slug="crm", name="CRM")


WRITERS = ["api", "csv-rows", "csv-copy", "webhook"]


@pytest.fixture(params=WRITERS)
def write(request, ops, tmp_path, hook, monkeypatch):
    """One way of writing a row: the bulk API, the CSV import's row reader or PostgreSQL's
    COPY path, or a generic webhook's rows."""
    if request.param == "csv-copy" and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    monkeypatch.setattr(csv_import, "use_copy", lambda: request.param == "csv-copy")

    def write(payload: dict) -> None:
        if request.param == "api":
            post(ops, payload)
        elif request.param == "webhook":
            delivery = Delivery(source=hook)
            apply_generic(delivery, [payload])
            assert delivery.error == ""
        else:
            write_csv(tmp_path, payload)

    return write


def test_it_refreshes_both_seams_when_an_upsert_moves_a_handoff(
    write, seams, today, django_capture_on_commit_callbacks, celery_eager
):
    intake, review = seams
    later = today
    with django_capture_on_commit_callbacks(execute=True):
        write(row(intake, IN_OCT))
    assert (submitted(intake, OCT), submitted(review, OCT)) == (1, None)  # not touched yet
    later()
    with django_capture_on_commit_callbacks(execute=True):
        write(row(review, IN_OCT))
    assert Handoff.objects.get().seam == review
    # The seam it left counts it no more; the one it landed on does.
    assert (submitted(intake, OCT), submitted(review, OCT)) == (0, 1)


def test_it_refreshes_both_months_when_an_upsert_moves_a_handoff_later(
    write, seams, today, django_capture_on_commit_callbacks, celery_eager
):
    intake, _ = seams
    later = today
    with django_capture_on_commit_callbacks(execute=True):
        write(row(intake, IN_OCT))
    assert (submitted(intake, OCT), submitted(intake, NOV)) == (1, 0)
    later()
    with django_capture_on_commit_callbacks(execute=True):
        write(row(intake, IN_NOV))
    # October was refreshed although the new row starts in November.
    assert (submitted(intake, OCT), submitted(intake, NOV)) == (0, 1)


def test_it_refreshes_both_sides_when_a_save_moves_a_handoff(
    ops, seams, today, django_capture_on_commit_callbacks, celery_eager
):
    intake, review = seams
    with django_capture_on_commit_callbacks(execute=True):
        post(ops, row(intake, IN_OCT))
    handoff = Handoff.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        handoff.seam = review
        handoff.submitted_at = dt.datetime(2026, 11, 10, 10, tzinfo=LONDON)
        handoff.save()
    assert (submitted(intake, OCT), submitted(review, NOV)) == (0, 1)


def test_it_refreshes_the_seam_a_deleted_handoff_was_counted_on(
    ops, seams, today, django_capture_on_commit_callbacks, celery_eager
):
    intake, _ = seams
    with django_capture_on_commit_callbacks(execute=True):
        post(ops, row(intake, IN_OCT))
    with django_capture_on_commit_callbacks(execute=True):
        Handoff.objects.get().delete()
    assert submitted(intake, OCT) == 0


def test_it_refreshes_only_the_landing_side_when_nothing_moved(
    ops, seams, today, django_capture_on_commit_callbacks, celery_eager
):
    """A second write of the same row (a new title) queues one refresh of its own seam."""
    intake, review = seams
    with django_capture_on_commit_callbacks(execute=True):
        post(ops, row(intake, IN_OCT))
    refreshes = OutboxMessage.objects.filter(task="metrics.tasks.compute_metrics")
    before = refreshes.count()
    with django_capture_on_commit_callbacks(execute=True):
        post(ops, {**row(intake, IN_OCT), "title": "Renamed"})
    assert refreshes.count() == before + 1
    assert refreshes.order_by("-pk").first().kwargs["seam_ids"] == [intake.pk]
    assert submitted(review, OCT) is None


# --- Decisions, escalations and dependencies refresh their seam too --------------------------


def escalations(seam, month) -> int | None:
    row = MonthlySeamMetrics.objects.filter(seam=seam, month=month).first()
    return None if row is None else row.escalations


def test_logging_and_moving_an_escalation_refreshes_both_seams(
    ops, seams, today, django_capture_on_commit_callbacks, celery_eager
):
    from decisions.models import Escalation

    intake, review = seams
    client = APIClient()
    client.force_authenticate(ops)
    body = {
        "seam": intake.slug,
        "severity": "high",
        "summary": "Scope arrived without a payload",
        "cause": "missing_inputs",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/escalations/", body, format="json")
    assert response.status_code == 201, response.json()
    this_month = dt.date(2026, 12, 1)
    assert (escalations(intake, this_month), escalations(review, this_month)) == (1, None)
    escalation = Escalation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        escalation.seam = review
        escalation.save()
    assert (escalations(intake, this_month), escalations(review, this_month)) == (0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        escalation.delete()
    assert escalations(review, this_month) == 0


def test_a_dependency_needed_later_queues_nothing_and_one_due_this_month_refreshes(
    ops, seams, today, django_capture_on_commit_callbacks
):
    from decisions.models import Dependency

    intake, _ = seams
    before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        Dependency.objects.create(
            consumer=intake.to_team,
            provider=intake.from_team,
            seam=intake,
            owner=ops,
            title="Sandbox tenant",
            needed_by=dt.date(2027, 2, 1),
        )
    assert OutboxMessage.objects.count() == before  # counts only from February on
    with django_capture_on_commit_callbacks(execute=True):
        Dependency.objects.update(needed_by=dt.date(2026, 12, 31))
        dependency = Dependency.objects.get()
        dependency.save()
    message = OutboxMessage.objects.latest("pk")
    assert message.kwargs["seam_ids"] == [intake.pk]
    assert message.args[0] == ["2026-12"]
