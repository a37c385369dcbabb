"""Rules written once: resolving an escalation (the page and the API through one service), what
an open dependency is (the board, a seam's page and anywhere else), and the words a handoff
move reports."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from decisions.models import Dependency, Escalation
from seams.handoffs import submit_handoff
from tests.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def escalation(seam, ops):
    return Escalation.objects.create(
        seam=seam,
        summary="Brief without a payload",
        cause=Escalation.Cause.MISSING_INPUTS,
        raised_by=ops,
        raised_at=timezone.now() - timedelta(days=1),
    )


def unresolved(escalation) -> bool:
    escalation.refresh_from_db()
    return (escalation.resolved_at, escalation.resolution, escalation.root_cause) == (None, "", "")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Resolving an escalation: one service -----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"resolved_at": timezone.now().isoformat()}, {"resolution", "root_cause"}),
        ({"resolution": "Added the field"}, {"root_cause"}),
        ({"resolution": "Added the field", "root_cause": "   "}, {"root_cause"}),
        ({"root_cause": "No template"}, {"resolution"}),
    ],
)
def test_it_refuses_an_api_resolution_without_resolution_and_root_cause(
    ops, escalation, body, missing
):
    response = api(ops).patch(f"/api/v1/escalations/{escalation.pk}/", body, format="json")
    assert response.status_code == 400
    assert missing <= set(response.json()["errors"])
    assert unresolved(escalation)


def test_it_refuses_an_api_create_that_resolves_without_the_root_cause(ops, seam):
    response = api(ops).post(
        "/api/v1/escalations/",
        {
            "seam": seam.slug,
            "summary": "x",
            "cause": "other",
            "resolved_at": timezone.now().isoformat(),
            "resolution": "Fixed",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "root_cause" in response.json()["errors"]
    assert not Escalation.objects.exists()


def test_it_resolves_once_through_the_api(ops, escalation):
    client = api(ops)
    url = f"/api/v1/escalations/{escalation.pk}/"
    first = client.patch(
        url, {"resolution": "Added it", "root_cause": "No template"}, format="json"
    )
    assert first.status_code == 200
    resolved_at = Escalation.objects.get().resolved_at
    assert resolved_at is not None
    again = client.patch(url, {"resolution": "Other", "root_cause": "Other"}, format="json")
    assert again.status_code == 409
    assert "stays resolved" in again.json()["detail"]
    escalation.refresh_from_db()
    assert (escalation.resolution, escalation.root_cause, escalation.resolved_at) == (
        "Added it",
        "No template",
        resolved_at,
    )


def test_it_still_edits_an_escalations_summary_without_resolving_it(ops, escalation):
    response = api(ops).patch(
        f"/api/v1/escalations/{escalation.pk}/", {"summary": "Renamed"}, format="json"
    )
    assert response.status_code == 200
    assert Escalation.objects.get().summary == "Renamed"
    assert unresolved(escalation)


def test_it_refuses_a_resolution_before_the_escalation_or_in_the_future(ops, escalation):
    for when, message in (
        (escalation.raised_at - timedelta(hours=1), "before it was raised"),
        (timezone.now() + timedelta(days=1), "in the future"),
    ):
        response = api(ops).patch(
            f"/api/v1/escalations/{escalation.pk}/",
            {"resolved_at": when.isoformat(), "resolution": "r", "root_cause": "c"},
            format="json",
        )
        assert response.status_code == 400
        assert message in response.json()["errors"]["resolved_at"][0]
    assert unresolved(escalation)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_it_refuses_a_page_resolution_without_the_root_cause(ops, escalation, htmx):
    response = client_for(ops).post(
        reverse("decisions:escalation-resolve", args=[escalation.pk]),
        {"resolution": "Added it", "root_cause": ""},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Not resolved: Give its root cause."]
    assert unresolved(escalation)


def test_it_resolves_once_on_the_page(ops, escalation):
    client = client_for(ops)
    url = reverse("decisions:escalation-resolve", args=[escalation.pk])
    first = client.post(url, {"resolution": "Added it", "root_cause": "No template"})
    assert messages_of(first)[-1] == "Escalation resolved."
    again = client.post(url, {"resolution": "Other", "root_cause": "Other"})
    assert again.status_code == 302
    assert "stays resolved" in messages_of(again)[-1]
    assert Escalation.objects.get().resolution == "Added it"


# --- An open dependency: one definition ------------------------------------------------------


@pytest.fixture
def dependencies(team, other_team, seam, owner):
    today = timezone.localdate()
    return {
        status: Dependency.objects.create(
            title=f"Needs {status}",
            consumer=team,
            provider=other_team,
            seam=seam,
            owner=owner,
            needed_by=today - timedelta(days=3),
            status=status,
        )
        for status in Dependency.Status.values
    }


OPEN = {"requested", "committed", "in_progress", "at_risk"}


def test_it_counts_the_same_dependencies_open_everywhere(viewer_client, seam, dependencies):
    assert {d.status for d in Dependency.objects.open()} == OPEN
    assert {d.status for d in Dependency.objects.finished()} == set(Dependency.FINISHED)
    page = viewer_client.get(reverse("metrics:seam", args=[seam.slug])).content.decode()
    shown = {s for s in Dependency.Status.values if f"<li>Needs {s}<div" in page}
    assert shown == OPEN  # a missed one is finished, not open
    board = viewer_client.get(reverse("decisions:dependencies"))
    columns = {c["status"]: c for c in board.context["columns"]}
    finished_columns = {s for s, c in columns.items() if s in Dependency.FINISHED}
    assert finished_columns == {"delivered", "missed", "cancelled"}
    on_open_columns = {d.status for s, c in columns.items() if s in OPEN for d, *_ in c["cards"]}
    assert on_open_columns == OPEN


# --- What a handoff move says -----------------------------------------------------------------


def test_it_says_started_and_completed_in_plain_words(owner, seam):
    handoff = submit_handoff(seam=seam, title="Acme", by=owner)
    client = client_for(owner)
    said = []
    for move in ("start", "complete"):
        response = client.post(reverse("seams:handoff-move", args=[handoff.pk, move]))
        assert response.status_code == 302
        said.append(messages_of(response)[-1])  # unread messages pile up between redirects
    assert said == ["“Acme” started.", "“Acme” completed."]
