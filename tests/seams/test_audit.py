"""The audit log: every write recorded with who, when and before → after; every refused write
recorded with why; leaders browse both."""

import logging
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import DatabaseError
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from seams import audit
from seams.models import (
    Handoff,
    HandoffImport,
    HandoffSpec,
    RefusedWrite,
    Seam,
    SpecVersion,
    Team,
    User,
    WebhookSource,
)
from tests.factories import CalendarFactory, TeamFactory, UserFactory, write_spec


def entries_for(obj) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
        ).order_by("timestamp", "pk")
    )


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def row_counts() -> dict:
    """Rows of what a refused write might have touched, to check that it touched none."""
    return {
        model.__name__: model.objects.count()
        for model in (LogEntry, Team, Seam, HandoffSpec, SpecVersion, Handoff, User)
    }


# A view that writes and then refuses, to show that the refusal's record outlives the
# rollback of the view's transaction (ATOMIC_REQUESTS).
@login_required
@require_POST
def _rename_then_refuse(request, slug):
    team = Team.objects.get(slug=slug)
    team.name = "Renamed, then refused"
    team.save()
    raise PermissionDenied("Changed my mind after writing.")


urlpatterns = [
    path("test/teams/<slug:slug>/rename/", _rename_then_refuse, name="rename-then-refuse"),
    path("", include("config.urls")),
]


# --- What is registered -----------------------------------------------------------------------


def test_it_registers_the_domain_models_and_not_the_computed_or_historical_ones():
    from django.apps import apps

    registered = {f"{m._meta.app_label}.{m.__name__}" for m in auditlog.get_models()}
    assert set(audit.REGISTRATIONS) <= registered
    for label in [
        "seams.Team",
        "seams.WebhookSource",
        "seams.HandoffImport",
        "contracts.SpecTemplate",
        "decisions.Dependency",
        "onboarding.GuidedStart",
        "seams.User",
    ]:
        assert label in registered
    for label in [
        "metrics.MonthlySeamMetrics",
        "metrics.MetricsRun",
        "metrics.DataQualityReport",
        "seams.SpecVersion",
        "seams.WebhookDelivery",
        "seams.OutboxMessage",
        "seams.RefusedWrite",
        "decisions.DecisionEvent",
        "authtoken.Token",
    ]:
        assert not auditlog.contains(apps.get_model(label)), label


def test_it_never_records_a_password_or_a_webhook_secret(db, seam):
    user = UserFactory(username="pat")
    user.set_password("a new secret phrase")
    user.last_login = timezone.now()
    user.save()
    change = entries_for(user)[-1]
    assert change.changes == {"password": [audit.HIDDEN, audit.HIDDEN]}  # no last_login
    source = WebhookSource.objects.create(slug="jira", name="Jira", secret="s3cret-value")
    source.secret = "rotated-value"
    source.save()
    created, rotated = entries_for(source)
    assert created.changes["secret"] == ["", audit.HIDDEN]
    assert rotated.changes == {"secret": [audit.HIDDEN, audit.HIDDEN]}
    text = str([e.changes for e in LogEntry.objects.all()])
    for secret in ("s3cret", "rotated", "md5$"):
        assert secret not in text


def test_the_same_number_written_differently_is_no_change(seam):
    spec = HandoffSpec.objects.get(seam=seam)  # 16.00 hours, as stored
    before = len(entries_for(spec))
    spec.response_sla_hours = Decimal("16")
    spec.save()
    assert len(entries_for(spec)) == before
    spec.response_sla_hours, spec.forum = Decimal("16.0"), "Daily stand-up"
    spec.save()
    assert entries_for(spec)[-1].changes == {"forum": ["Weekly seam sync", "Daily stand-up"]}


def test_it_records_who_joins_and_leaves_a_group(db):
    user = UserFactory(username="pat")
    leaders = Group.objects.get(name="leader")
    user.groups.add(leaders)
    user.groups.remove(leaders)
    added, removed = [e.changes["groups"] for e in entries_for(user) if "groups" in e.changes]
    assert (added["operation"], added["objects"]) == ("add", ["leader"])
    assert (removed["operation"], removed["objects"]) == ("delete", ["leader"])


# --- Writes: pages, API, admin, tasks ---------------------------------------------------------


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
    source = WebhookSource.objects.create(slug="jira", name="Jira", secret="old-secret")
    response = client.post(
        reverse("admin:seams_webhooksource_change", args=[source.pk]),
        {
            "name": "Jira Cloud",
            "slug": "jira",
            "kind": "generic",
            "secret": "new-secret",
            "active": "on",
            "seam": "",
            "started_statuses": "",
            "done_statuses": "",
        },
    )
    assert response.status_code == 302
    entry = entries_for(source)[-1]
    assert entry.actor == admin_user
    assert entry.changes == {
        "name": ["Jira", "Jira Cloud"],
        "secret": [audit.HIDDEN, audit.HIDDEN],
    }


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


# --- Refused writes ----------------------------------------------------------------------------


def test_a_refused_page_post_is_recorded_once_with_its_reason_and_changes_nothing(
    viewer_client, viewer
):
    before = row_counts()
    response = viewer_client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
    assert response.status_code == 403
    assert row_counts() == before
    refusal = RefusedWrite.objects.get()
    assert (refusal.user, refusal.username, refusal.method, refusal.status) == (
        viewer,
        "viewer",
        "POST",
        403,
    )
    assert refusal.reason == "Only leaders change teams and who belongs to them."
    assert (refusal.path, refusal.view_name) == ("/teams/new/", "seams:team-create")
    assert refusal.remote_addr == "127.0.0.1"


@pytest.mark.urls(__name__)
def test_a_refusal_after_a_write_keeps_its_record_while_the_write_is_rolled_back(
    viewer_client, team
):
    before = row_counts()
    response = viewer_client.post(reverse("rename-then-refuse", args=[team.slug]))
    assert response.status_code == 403
    assert Team.objects.get(pk=team.pk).name == "Sales"
    assert row_counts() == before  # the rename's audit entry went with it
    refusal = RefusedWrite.objects.get()
    assert refusal.reason == "Changed my mind after writing."
    assert refusal.target == {"slug": "sales"}


def test_an_anonymous_api_write_is_recorded_with_the_address(db):
    before = row_counts()
    response = APIClient().post(
        "/api/v1/teams/", {"name": "Ghost"}, format="json", REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code in (401, 403)
    assert row_counts() == before
    refusal = RefusedWrite.objects.get()
    assert (refusal.user, refusal.username, refusal.remote_addr) == (None, "", "203.0.113.9")
    assert refusal.status == response.status_code
    assert refusal.reason == "Authentication credentials were not provided."
    assert refusal.view_name == "team-list"


def test_a_viewers_api_write_is_recorded_with_the_object_it_addressed(viewer, team):
    before = row_counts()
    response = token_client(viewer).patch(
        f"/api/v1/teams/{team.slug}/", {"name": "Mine now"}, format="json"
    )
    assert response.status_code == 403
    assert row_counts() == before
    refusal = RefusedWrite.objects.get()
    assert (refusal.user, refusal.method, refusal.view_name) == (viewer, "PATCH", "team-detail")
    assert refusal.target == {"slug": "sales"}
    assert refusal.reason == "Only leaders change teams and who belongs to them."


def test_a_csrf_failure_is_a_refused_write(viewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    response = client.post(reverse("seams:team-create"), {"name": "Forged"})
    assert response.status_code == 403
    refusal = RefusedWrite.objects.get()
    assert (refusal.user, refusal.reason) == (viewer, "CSRF check failed.")


def test_a_wrong_method_is_a_refused_write(viewer_client):
    response = viewer_client.delete(reverse("seams:list"))
    assert response.status_code == 405
    refusal = RefusedWrite.objects.get()
    assert (refusal.method, refusal.status) == ("DELETE", 405)
    assert refusal.reason.startswith("DELETE is not allowed here")


def test_reads_and_accepted_writes_are_not_refusals(viewer_client, leader_client, team):
    assert viewer_client.get(reverse("seams:audit")).status_code == 403  # a refused read
    response = leader_client.post(
        reverse("seams:team-edit", args=[team.slug]),
        {
            "name": "Sales EMEA",
            "description": "",
            "leader": "",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert not RefusedWrite.objects.exists()


def test_recording_a_refusal_never_breaks_the_response(viewer_client, monkeypatch, caplog):
    def broken(**kwargs):
        raise DatabaseError("the audit table is gone")

    monkeypatch.setattr(RefusedWrite.objects, "create", broken)
    with caplog.at_level(logging.ERROR, logger="seams.audit"):
        response = viewer_client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
    assert response.status_code == 403
    assert "Could not record the refused POST /teams/new/" in caplog.text


# --- Leaders browse the log -------------------------------------------------------------------


@pytest.fixture
def history(leader, owner, viewer, seam):
    """Through the API: a seam renamed by the leader, its spec saved by the owner, and a
    viewer refused."""
    renamed = token_client(leader).patch(
        f"/api/v1/seams/{seam.slug}/", {"name": "Intake"}, format="json"
    )
    saved = token_client(owner).patch(
        f"/api/v1/specs/{seam.slug}/",
        {"response_sla_hours": "8", "note": "Faster"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    refused = token_client(viewer).patch(
        f"/api/v1/teams/{seam.from_team.slug}/", {"name": "X"}, format="json"
    )
    assert (renamed.status_code, saved.status_code, refused.status_code) == (200, 200, 403)
    return seam


class TestAuditPage:
    def test_leaders_see_who_changed_what_before_and_after(self, leader_client, history):
        page = leader_client.get(reverse("seams:audit")).content.decode()
        assert "Lena Leader" in page
        assert "Custom integration intake</del> → <ins>Intake</ins>" in page
        assert "16.00</del> → <ins>8.00</ins>" in page
        assert f'href="{history.get_absolute_url()}"' in page  # the seam still exists
        assert f'href="{reverse("seams:spec", args=[history.slug])}"' in page
        assert "“Faster”" in page  # the spec save's note

    def test_related_objects_and_choices_read_as_names(self, leader_client, leader, seam):
        us_hours = CalendarFactory(name="US hours", time_zone="America/New_York")
        seam.calendar = us_hours
        seam.status = Seam.Status.RETIRED
        seam.save()
        page = leader_client.get(reverse("seams:audit")).content.decode()
        assert "UK business hours</del> → <ins>US hours</ins>" in page
        assert "Active</del> → <ins>Retired</ins>" in page

    def test_a_deleted_object_is_named_but_not_linked(self, leader_client, db):
        team = TeamFactory(name="Gone")
        url = team.get_absolute_url()
        team.delete()
        page = leader_client.get(reverse("seams:audit")).content.decode()
        assert "Deleted" in page
        assert "Gone" in page
        assert f'href="{url}"' not in page

    @pytest.mark.parametrize("who", ["owner_client", "ops_client", "viewer_client"])
    def test_others_are_refused(self, request, who, seam):
        client = request.getfixturevalue(who)
        assert client.get(reverse("seams:audit")).status_code == 403
        assert client.get(reverse("seams:audit-refused")).status_code == 403
        assert client.get(reverse("seams:audit-export")).status_code == 403

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, db):
        assert client.get(reverse("seams:audit")).status_code == 302

    def test_it_answers_only_get(self, leader_client):
        assert leader_client.post(reverse("seams:audit")).status_code == 405

    def test_it_filters_by_person_kind_action_text_and_period(
        self, leader_client, leader, owner, history
    ):
        def objects(**params) -> set[str]:
            response = leader_client.get(reverse("seams:audit"), params)
            return {row.entry.object_repr for row in response.context["rows"]}

        assert objects(person="leader") == {"Intake"}
        assert objects(person="owner") == {"Spec of Intake v2"}
        specs = objects(kind="seams.handoffspec")
        assert "Spec of Intake v2" in specs
        assert all(text.startswith("Spec of") for text in specs)
        assert objects(action="changed", kind="seams.seam") == {"Intake"}
        assert objects(action="created", q="produc") == {"Product"}
        assert objects(q="intake v2") == {"Spec of Intake v2"}
        assert objects(action="deleted") == set()
        today = timezone.localdate()
        assert "Intake" in objects(since=today.isoformat(), until=today.isoformat())
        assert objects(until=(today - timedelta(days=1)).isoformat()) == set()
        response = leader_client.get(
            reverse("seams:audit"), {"since": today.isoformat(), "until": "2000-01-01"}
        )
        assert "before its start" in response.content.decode()
        assert objects(person="-") >= {"Sales"}  # the fixtures' writes had no actor

    def test_it_renders_the_table_alone_for_htmx(self, leader_client, history):
        response = leader_client.get(reverse("seams:audit"), {"q": "x"}, HTTP_HX_REQUEST="true")
        assert (
            response.content.decode().lstrip().startswith('<section class="card" id="audit-table"')
        )

    def test_it_says_when_nothing_matches_and_when_nothing_happened(self, leader_client, db):
        LogEntry.objects.all().delete()
        assert (
            "No changes recorded yet" in leader_client.get(reverse("seams:audit")).content.decode()
        )
        page = leader_client.get(reverse("seams:audit"), {"q": "nothing like this"})
        assert "No changes match" in page.content.decode()

    def test_it_pages_fifty_at_a_time_in_bounded_queries(
        self, leader_client, owner, seam, django_assert_max_num_queries
    ):
        for n in range(45):
            team = TeamFactory(name=f"Team {n:02d}")
            team.description = f"Renamed {n}"
            team.save()
        for hours in (10, 11, 12, 13, 14):
            write_spec(seam, by=owner, note=f"{hours} h", response_sla_hours=Decimal(hours))
        seam.calendar = CalendarFactory(name="US hours", time_zone="America/New_York")
        seam.save()
        assert LogEntry.objects.count() >= 100
        with django_assert_max_num_queries(20):
            response = leader_client.get(reverse("seams:audit"))
        assert len(response.context["rows"]) == 50
        with django_assert_max_num_queries(20):
            second = leader_client.get(reverse("seams:audit"), {"page": 2})
        assert len(second.context["rows"]) == 50

    def test_it_exports_the_filtered_log_with_formulas_escaped(self, leader_client, leader, seam):
        seam.name = "=HYPERLINK(evil)"
        seam.save()
        response = leader_client.get(reverse("seams:audit-export"), {"person": "-"})
        assert response["Content-Type"].startswith("text/csv")
        body = b"".join(response.streaming_content).decode()
        lines = body.splitlines()
        assert lines[0].lstrip("\ufeff").startswith("when,person,action,kind,object")
        assert "'=HYPERLINK(evil)" in body
        assert "Custom integration intake → =HYPERLINK(evil)" in body

    def test_leaders_get_the_menu_flag_and_others_do_not(self, leader_client, viewer_client):
        assert leader_client.get(reverse("seams:list")).context["can_browse_audit"] is True
        assert viewer_client.get(reverse("seams:list")).context["can_browse_audit"] is False


class TestRefusedPage:
    def test_leaders_see_every_refused_write_with_its_reason(self, leader_client, history):
        page = leader_client.get(reverse("seams:audit-refused")).content.decode()
        assert "PATCH /api/v1/teams/sales/" in page
        assert "team-detail · slug sales" in page
        assert "Vic Viewer" in page
        assert "Only leaders change teams and who belongs to them." in page

    def test_it_filters_by_person_status_text_and_period(self, leader_client, history):
        def paths(**params) -> list[str]:
            response = leader_client.get(reverse("seams:audit-refused"), params)
            return [r.path for r in response.context["page"].object_list]

        APIClient().post("/api/v1/teams/", {"name": "Ghost"}, format="json")
        assert paths(person="viewer") == ["/api/v1/teams/sales/"]
        assert paths(person="-") == ["/api/v1/teams/"]
        assert len(paths(status="403")) + len(paths(status="401")) == 2
        assert paths(q="only leaders") == ["/api/v1/teams/sales/"]
        tomorrow = timezone.localdate() + timedelta(days=1)
        assert paths(since=tomorrow.isoformat()) == []

    def test_it_renders_the_table_alone_for_htmx(self, leader_client, history):
        response = leader_client.get(reverse("seams:audit-refused"), HTTP_HX_REQUEST="true")
        assert (
            response.content.decode()
            .lstrip()
            .startswith('<section class="card" id="refused-table"')
        )

    def test_it_says_when_there_are_none(self, leader_client):
        page = leader_client.get(reverse("seams:audit-refused")).content.decode()
        assert "No refused writes" in page

    def test_it_lists_in_bounded_queries(
        self, leader_client, viewer_client, django_assert_max_num_queries
    ):
        viewer_client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
        first = RefusedWrite.objects.get()
        # Distinct refusals (repeats of one would add to its row instead).
        RefusedWrite.objects.bulk_create(
            RefusedWrite(
                user=first.user,
                username=first.username,
                method="POST",
                path=f"/teams/new/{n}/",
                status=403,
                reason=first.reason,
            )
            for n in range(59)
        )
        with django_assert_max_num_queries(10):
            response = leader_client.get(reverse("seams:audit-refused"))
        assert len(response.context["page"].object_list) == 50


def test_the_admin_shows_refusals_read_only(db, client, viewer_client):
    viewer_client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    refusal = RefusedWrite.objects.get()
    assert client.get(reverse("admin:seams_refusedwrite_changelist")).status_code == 200
    assert client.get(reverse("admin:seams_refusedwrite_add")).status_code == 403
    change = reverse("admin:seams_refusedwrite_change", args=[refusal.pk])
    assert client.get(change).status_code == 200  # viewable
    assert client.post(change, {"reason": "edited"}).status_code == 403
    refusal.refresh_from_db()
    assert refusal.reason == "Only leaders change teams and who belongs to them."


def test_nightly_pruning_forgets_only_what_is_past_its_keeping_time(settings, seam, leader):
    from axes.models import AccessAttempt, AccessLog

    from seams.tasks import prune_records

    settings.AUDIT_REFUSED_KEEP_DAYS = 30
    settings.SIGN_IN_LOG_KEEP_DAYS = 30
    settings.AUDIT_LOG_KEEP_DAYS = 0  # changes: for ever
    now = timezone.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    for at in (old, recent):
        RefusedWrite.objects.create(at=at, method="POST", path="/x/", status=403)
        AccessLog.objects.create(username="elena", ip_address="10.0.0.1", user_agent="")
        AccessLog.objects.filter(attempt_time__gt=at).update(attempt_time=at)
    for at in (now - settings.AXES_COOLOFF_TIME - timedelta(minutes=1), now):
        AccessAttempt.objects.create(
            username="elena", ip_address="10.0.0.1", user_agent=str(at), failures_since_start=1
        )
        AccessAttempt.objects.filter(attempt_time__gt=at).update(attempt_time=at)
    LogEntry.objects.update(timestamp=now - timedelta(days=4000))
    changes = LogEntry.objects.count()
    assert changes > 0

    assert prune_records() == {
        "refused writes": 1,
        "changes": 0,
        "sign-ins": 1,
        "expired sign-in failures": 1,
    }
    assert list(RefusedWrite.objects.values_list("at", flat=True)) == [recent]
    assert list(AccessLog.objects.values_list("attempt_time", flat=True)) == [recent]
    assert AccessAttempt.objects.get().attempt_time == now
    assert LogEntry.objects.count() == changes

    settings.AUDIT_LOG_KEEP_DAYS = 3650
    assert prune_records()["changes"] == changes
    assert not LogEntry.objects.exists()
