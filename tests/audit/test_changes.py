"""Every write recorded with who, when and before → after: from pages, the API, the admin,
tasks and commands."""

from io import StringIO

from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.urls import reverse

from connections.models import Source
from seams.models import (
    Handoff,
    HandoffImport,
)
from tests.audit.helpers import entries_for, token_client
from tests.factories import CalendarFactory, UserFactory


def test_a_page_edit_is_recorded_with_its_author_and_changes(leader_client, leader, seam):
    us_hours = CalendarFactory(name="US hours", time_zone="America/New_York")
    response = leader_client.post(
        reverse("seams:edit", args=[seam.slug]),
        {
            "name": "Integration intake",
            "description": seam.description,
            "from_team": seam.from_team_id,
            "to_team": seam.to_team_id,
            "calendar": us_hours.pk,
            "status": seam.status,
        },
    )
    assert response.status_code == 302
    entry = entries_for(seam)[-1]
    assert (entry.action, entry.actor) == (LogEntry.Action.UPDATE, leader)
    assert entry.changes["name"] == ["Custom integration intake", "Integration intake"]
    assert entry.changes["calendar"][1] == str(us_hours.pk)
    assert entry.remote_addr == "127.0.0.1"


def test_a_forged_forwarded_address_is_neither_trusted_nor_fatal(leader_client, seam):
    # auditlog alone would store the left-most X-Forwarded-For, which PostgreSQL refuses
    # when it is not an address: the write would fail.
    response = leader_client.post(
        reverse("seams:start-pilot", args=[seam.slug]),
        HTTP_X_FORWARDED_FOR="not-an-address, 10.0.0.1",
    )
    assert response.status_code == 302
    entry = entries_for(seam)[-1]
    assert entry.changes["status"] == ["active", "pilot"]
    assert entry.remote_addr == "127.0.0.1"


def test_a_spec_saved_on_its_page_is_recorded_as_the_specs_change(owner_client, owner, seam):
    response = owner_client.post(
        reverse("seams:spec-section-edit", args=[seam.slug, "sla"]),
        {"response_sla_hours": "12", "base_version": 1, "note": "Faster first response"},
    )
    assert response.status_code in (200, 302)
    entry = entries_for(seam.spec)[-1]
    assert entry.actor == owner
    assert entry.changes == {"response_sla_hours": ["16.00", "12.00"]}
    assert entry.additional_data == {"version": 2, "note": "Faster first response"}


def test_an_api_write_with_a_token_names_the_tokens_owner(leader, seam):
    client = token_client(leader)
    response = client.patch(
        f"/api/v1/seams/{seam.slug}/", {"description": "Bespoke work"}, format="json"
    )
    assert response.status_code == 200, response.content
    entry = entries_for(seam)[-1]
    assert entry.actor == leader  # DRF authenticated the token after auditlog's middleware
    assert entry.changes == {"description": [seam.description, "Bespoke work"]}


def test_a_spec_written_through_the_api_with_a_token_names_the_tokens_owner(owner, seam):
    response = token_client(owner).patch(
        f"/api/v1/specs/{seam.slug}/",
        {"forum": "Tuesday triage", "note": "New forum"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.content
    entry = entries_for(seam.spec)[-1]
    assert entry.actor == owner
    assert entry.changes == {"forum": ["Weekly seam sync", "Tuesday triage"]}


def test_handoffs_written_in_bulk_are_recorded_once_per_seam_with_who_sent_them(ops, seam):
    rows = [
        {
            "seam": seam.slug,
            "external_id": f"T-{n}",
            "title": f"Ticket {n}",
            "submitted_at": "2026-11-02T10:00:00Z",
        }
        for n in range(3)
    ]
    response = token_client(ops).post("/api/v1/handoffs/", rows, format="json")
    assert response.status_code in (200, 201), response.content
    [entry] = [e for e in entries_for(seam) if "handoffs" in e.changes]
    assert entry.actor == ops
    assert entry.changes["handoffs"] == {
        "type": "bulk",
        "via": "POST /api/v1/handoffs/",
        "earliest_submitted_at": "2026-11-02T10:00:00+00:00",
    }


def test_an_admin_change_is_recorded_with_the_administrator(db, client):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    source = Source.objects.create(slug="jira", name="Jira")
    inlines = {
        f"{prefix}-{key}": value
        for prefix in ("rules", "secrets")
        for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
    }
    response = client.post(
        reverse("admin:connections_source_change", args=[source.pk]),
        {
            "name": "Jira Cloud",
            "slug": "jira",
            "kind": "generic",
            "active": "on",
            "started_statuses": "",
            "done_statuses": "",
            **inlines,
        },
    )
    assert response.status_code == 302
    entry = entries_for(source)[-1]
    assert entry.actor == admin_user
    assert entry.changes == {"name": ["Jira", "Jira Cloud"]}


def test_a_task_write_is_recorded_without_an_actor_and_an_import_as_one_change(
    db, seam, settings, tmp_path, celery_eager
):
    from seams.tasks import import_handoffs

    settings.MEDIA_ROOT = tmp_path
    csv = (
        "seam,external_id,title,approval_type,submitted_at,started_at,completed_at,"
        "returned_count\n"
        "custom-integration-intake,J-1,Acme,standard,2026-11-13T16:00:00,,,0\n"
        "custom-integration-intake,J-2,Beta,standard,2026-11-13T17:00:00,,,0\n"
    )
    job = HandoffImport(filename="h.csv", size=len(csv), source="csv")
    job.file.save("h.csv", ContentFile(csv.encode()), save=False)
    job.save()
    import_handoffs.delay(job.pk)
    assert Handoff.objects.count() == 2
    created, finished = entries_for(job)
    assert created.action == LogEntry.Action.CREATE
    assert (finished.action, finished.actor) == (LogEntry.Action.UPDATE, None)
    assert finished.changes["status"] == ["queued", "done"]
    assert finished.changes["created"] == ["0", "2"]
    # The import's own entry covers its handoffs: no bulk entry on the seam besides it.
    assert not [e for e in entries_for(seam) if "handoffs" in (e.changes or {})]


def test_a_command_write_is_recorded_without_an_actor(seam, tmp_path):
    from django.core.management import call_command

    csv = tmp_path / "handoffs.csv"
    csv.write_text(
        "seam,external_id,title,approval_type,submitted_at,started_at,completed_at,"
        "returned_count\n"
        "custom-integration-intake,J-1,Acme,standard,2026-11-13T16:00:00,,,0\n"
    )
    call_command("import_handoffs", str(csv), stdout=StringIO())
    [entry] = [e for e in entries_for(seam) if "handoffs" in e.changes]
    assert entry.actor is None
    assert entry.changes["handoffs"]["via"] == "a task or command"
