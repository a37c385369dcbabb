"""GET /api/v1/signals/: the leading signals per seam, now or at `?at=`."""

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from metrics import signals
from seams.handoffs import complete_handoff
from seams.models import Calendar
from tests.factories import SeamFactory
from tests.metrics.at_risk_data import always_seam
from tests.metrics.test_signals import at, started, submitted

URL = "/api/v1/signals/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def always(db, team, other_team):
    return always_seam("Security sign-off", team, other_team, sla_hours=10)


def test_it_serves_a_seams_signals_with_design_field_names(leader, always):
    risky = submitted(always, at(3, 1), "Eight of ten hours gone")
    for n in range(20):
        when = at(1, month=11) + timedelta(hours=n)
        done = started(always, when, timedelta(hours=n + 1))
        complete_handoff(handoff=done, at=done.started_at + timedelta(hours=1))
    body = api(leader).get(URL, {"seam": always.slug, "at": "2026-12-03T09:00:00Z"}).json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["seam"] == always.slug
    assert row["at"] == "2026-12-03T09:00:00Z"
    assert row["open"] == [
        {
            "id": risky.pk,
            "title": "Eight of ten hours gone",
            "external_id": risky.external_id,
            "state": "submitted",
            "age_hours": "8.00",
        }
    ]
    assert [(r["id"], r["elapsed_hours"], r["breaches_in_hours"]) for r in row["at_risk"]] == [
        (risky.pk, "8.00", "2.00")
    ]
    # Queue 1..20 h: p85 at rank 16.15 = 17.15, rounded up to 18.
    assert row["queue_sle_hours"] == {
        "p50": "10.50",
        "p70": "14.30",
        "p85": "17.15",
        "p95": "19.05",
        "n": 20,
    }
    # Lead one hour longer each: 2..21 h.
    assert row["lead_sle_hours"] == {
        "p50": "11.50",
        "p70": "15.30",
        "p85": "18.15",
        "p95": "20.05",
        "n": 20,
    }
    assert row["proposed_response_sla_hours"] == 18
    assert row["proposed_response_sla"]["basis"] == "last_90_days"
    assert row["drift"]["status"] is None
    assert row["drift"]["response_sla_hours"] == "10.00"
    assert [p["month_end"] for p in row["drift"]["points"]] == [
        "2026-11-01T00:00:00Z",
        "2026-12-01T00:00:00Z",
    ]


def test_everyone_signed_in_reads_the_same_and_anonymous_callers_are_refused(
    seam, leader, ops, owner, viewer, other_owner
):
    submitted(seam, at(1, 10))
    query = {"at": "2026-12-03T10:00"}
    answers = [api(user).get(URL, query) for user in (leader, ops, owner, viewer, other_owner)]
    assert {a.status_code for a in answers} == {200}
    assert all(a.json() == answers[0].json() for a in answers)
    assert answers[0].json()["results"][0]["open"][0]["age_hours"] == "17.00"  # 7.5 + 8.5 + 1
    assert APIClient().get(URL).status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_only_reads(leader, seam, method):
    assert getattr(api(leader), method)(URL, {}, format="json").status_code == 405


def test_it_is_now_without_at_on_the_first_third_and_twenty_eighth(viewer, always):
    item = submitted(always, at(1, 0), "Since midnight on the 1st")
    for day, age in ((1, "6.00"), (3, "54.00"), (28, "654.00")):
        with time_machine.travel(at(day, 6), tick=False):
            (row,) = api(viewer).get(URL).json()["results"]
        assert row["open"] == [row["open"][0] | {"id": item.pk, "age_hours": age}]


def test_a_naive_at_is_in_the_organisations_time_zone(viewer, always):
    # London is on summer time in July: 10:00 there is 09:00 UTC.
    (row,) = api(viewer).get(URL, {"at": "2026-07-01T10:00"}).json()["results"]
    assert row["at"] == "2026-07-01T10:00:00+01:00"
    (row,) = api(viewer).get(URL, {"at": "2026-07-01T09:00:00Z"}).json()["results"]
    assert row["at"] == "2026-07-01T10:00:00+01:00"
    (row,) = api(viewer).get(URL, {"at": "2026-07-01"}).json()["results"]
    assert row["at"] == "2026-07-01T00:00:00+01:00"  # a date alone: its midnight


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "ISO 8601"),
        ("2026-02-30T10:00", "There is no instant"),
        ("1999-12-31T23:00Z", "from 2000 on"),
        ("2100-01-01T00:00", "too far ahead"),
        ("0001-01-01", "from 2000 on"),
        ("9999-12-31T23:59:59", "too far ahead"),
        ("2026-12-03T10:00+99:00", "There is no instant"),
        ("2026-12-03T10:00\x00", "ISO 8601"),
        ("2026-12-03T10:00" + "0" * 10_000, "ISO 8601"),
    ],
)
def test_it_refuses_an_instant_it_cant_use_with_a_clear_message(viewer, always, value, message):
    response = api(viewer).get(URL, {"at": value})
    assert response.status_code == 400
    assert message in response.json()["errors"]["at"][0]
    assert len(response.content) < 1000  # the answer doesn't echo a huge value


@pytest.mark.parametrize("slug", ["no such seam", "x\x00y", "a" * 10_000, "../seams"])
def test_a_malformed_seam_is_a_400(viewer, always, slug):
    response = api(viewer).get(URL, {"seam": slug})
    assert response.status_code == 400
    assert "slug" in response.json()["errors"]["seam"][0]


def test_an_unknown_seam_is_a_404(viewer, always):
    response = api(viewer).get(URL, {"seam": "nope"})
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_it_pages_by_seam_with_a_bounded_number_of_queries(
    viewer, always, seam, django_assert_max_num_queries
):
    for n in range(5):
        other = SeamFactory(name=f"Seam {n}", calendar=Calendar.objects.always())
        submitted(other, at(1, 10))
    client = api(viewer)
    first = client.get(URL, {"page_size": 2, "at": "2026-12-03T10:00"}).json()
    assert first["count"] == 7
    assert [r["seam"] for r in first["results"]] == ["custom-integration-intake", "seam-0"]
    assert first["next"]
    # The request's savepoint and its release (2), count (3), the page of seams (4), then
    # metrics.signals: seams with calendars and specs (5), holidays (6), open items (7), queue
    # (8), lead (9); pilots (none here).
    with django_assert_max_num_queries(9):
        body = client.get(URL, {"page_size": 500, "at": "2026-12-03T10:00"}).json()
    assert len(body["results"]) == 7


def test_the_api_and_the_function_agree(viewer, seam):
    submitted(seam, at(1, 15))
    when = at(3, 10)
    found = signals.signals_for([seam], when)[seam.pk]
    (row,) = api(viewer).get(URL, {"at": when.isoformat()}).json()["results"]
    assert [r["breaches_in_hours"] for r in row["at_risk"]] == [
        str(r.breaches_in_hours) for r in found.at_risk
    ]
    assert row["at_risk"][0]["breaches_in_hours"] == "4.00"


def test_an_empty_seam_filter_is_no_filter(viewer, always, seam):
    body = api(viewer).get(URL, {"seam": "", "at": ""}).json()
    assert [r["seam"] for r in body["results"]] == [seam.slug, always.slug]


def test_a_future_instant_projects_the_open_work_forward(viewer, always):
    item = submitted(always, at(3, 1), "Not started")
    (row,) = api(viewer).get(URL, {"at": "2027-01-01T01:00:00Z"}).json()["results"]
    # 3 December 01:00 to 1 January 01:00 is 29 days of 24 h: long past its 10 h SLA.
    assert row["open"] == [row["open"][0] | {"id": item.pk, "age_hours": "696.00"}]
    assert row["at_risk"] == []
