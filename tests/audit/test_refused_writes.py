"""Every refused write recorded with why, outliving the refused view's rollback; the admin shows
them read-only."""

import logging

import pytest
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.test import Client
from django.urls import include, path, reverse
from django.views.decorators.http import require_POST
from rest_framework.test import APIClient

from audit.models import RefusedWrite
from seams.models import (
    Team,
)
from tests.audit.helpers import row_counts, token_client
from tests.factories import UserFactory


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
    assert viewer_client.get(reverse("audit:list")).status_code == 403  # a refused read
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
    with caplog.at_level(logging.ERROR, logger="audit.middleware"):
        response = viewer_client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
    assert response.status_code == 403
    assert "Could not record the refused POST /teams/new/" in caplog.text


def test_the_admin_shows_refusals_read_only(db, client, viewer_client):
    viewer_client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    refusal = RefusedWrite.objects.get()
    assert client.get(reverse("admin:audit_refusedwrite_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_refusedwrite_add")).status_code == 403
    change = reverse("admin:audit_refusedwrite_change", args=[refusal.pk])
    assert client.get(change).status_code == 200  # viewable
    assert client.post(change, {"reason": "edited"}).status_code == 403
    refusal.refresh_from_db()
    assert refusal.reason == "Only leaders change teams and who belongs to them."
