"""The API's returns: `returns` on a bulk row replaces a handoff's returns and restamps it, and
the return and resubmit actions. Hand-computed on the UK business calendar (Mon–Fri
09:00–17:30, 8.5 h a day) with a 16-business-hour response SLA; May 2026 is British Summer Time
(UTC+1)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from seams.handoffs import return_handoff, submit_handoff
from seams.models import Handoff, HandoffReturn

LONDON = ZoneInfo("Europe/London")
URL = "/api/v1/handoffs/"


def may(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _june():
    with time_machine.travel(datetime(2026, 6, 3, 12, tzinfo=LONDON), tick=False):
        yield


def row(seam, **changes) -> dict:
    return {
        "seam": seam.slug,
        "external_id": "J-1",
        "title": "Acme SSO",
        "submitted_at": "2026-05-18T09:00:00+01:00",  # Mon 09:00
        "started_at": "2026-05-20T10:00:00+01:00",  # Wed 10:00
    } | changes


def a_return(**changes) -> dict:
    return {
        "returned_at": "2026-05-18T10:00:00+01:00",
        "reason": "No sample payload",
        "missing_item": "Sample payload attached",
        "resubmitted_at": "2026-05-18T12:00:00+01:00",
    } | changes


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_returns_replace_the_handoffs_returns_and_restamp_it(leader_client, seam):
    response = post(leader_client, row(seam, returns=[a_return()]))
    assert response.status_code == 200, response.json()
    handoff = Handoff.objects.get()
    # Paused Mon 10–12 = 2 h: due after 18 h (Mon 8.5, Tue 8.5, Wed 09:00 + 1) = Wed 10:00.
    assert handoff.sla_deadline == may(20, 10)
    # Queue: Mon 8.5 + Tue 8.5 + Wed 1 = 18, minus 2 = 16.
    assert handoff.queue_hours == Decimal("16.0000")
    assert (handoff.paused_hours, handoff.returned_count) == (Decimal("2.0000"), 1)
    assert handoff.submitted_clock is not None

    later = a_return(resubmitted_at="2026-05-19T12:00:00+01:00", missing_item="Other: NDA")
    response = post(leader_client, row(seam, returns=[later]))
    assert response.json()["updated"] == 1
    handoff = Handoff.objects.get()
    # Paused Mon 10:00–17:30 = 7.5 + Tue 09–12 = 3 → 10.5 h. Due after 26.5 h: Mon 8.5,
    # Tue 8.5, Wed 8.5 (25.5), Thu 09:00 + 1 = Thu 10:00. Queue 18 - 10.5 = 7.5.
    assert handoff.paused_hours == Decimal("10.5000")
    assert handoff.sla_deadline == may(21, 10)
    assert handoff.queue_hours == Decimal("7.5000")
    [only] = HandoffReturn.objects.all()  # replaced, not added
    assert (only.missing_item, only.pause_hours, only.pauses) == (
        "Other: NDA",
        Decimal("10.5000"),
        True,
    )

    # Without `returns` the returns stay, and still pause after another change.
    response = post(leader_client, row(seam, title="Acme SSO v2"))
    handoff = Handoff.objects.get()
    assert (handoff.title, handoff.sla_deadline) == ("Acme SSO v2", may(21, 10))
    assert HandoffReturn.objects.count() == 1

    response = post(leader_client, row(seam, returns=[]))
    handoff = Handoff.objects.get()
    # No pauses: 16 h from Mon 09:00 = Tue 16:30; queue 18 h.
    assert (handoff.sla_deadline, handoff.queue_hours) == (may(19, 16, 30), Decimal("18.0000"))
    assert (handoff.returned_count, HandoffReturn.objects.count()) == (0, 0)


def test_a_bulk_row_may_leave_a_handoff_waiting_on_its_sender(leader_client, seam):
    waiting = a_return(resubmitted_at=None)
    response = post(leader_client, row(seam, started_at=None, returns=[waiting]))
    assert response.status_code == 200, response.json()
    handoff = Handoff.objects.get()
    assert (handoff.waiting_since, handoff.sla_deadline) == (may(18, 10), None)
    detail = leader_client.get(f"{URL}{handoff.pk}/").json()
    assert detail["waiting_since"] is not None
    assert detail["returns"][0]["resubmitted_at"] is None
    assert detail["returns"][0]["missing_item"] == "Sample payload attached"


BAD_RETURNS = [
    ("not a list", "Must be a list"),
    ([1], "must be an object"),
    ([a_return(returned_at=12)], "returned_at must be an ISO 8601"),
    ([a_return(reason=["x"])], "reason must be text"),
    ([a_return(reason="a\x00b")], "NUL"),
    ([a_return(missing_item="A unicorn")], "not in the seam's definition of ready"),
    ([a_return(missing_item="Other: ")], "not in the seam's definition of ready"),
    ([a_return(returned_at="9999-12-31T23:59:59+14:00")], "in the future"),
    ([a_return(returned_at="0001-01-01T00:00:00-12:00")], "before 2000"),
    ([a_return(returned_at="2026-02-30T10:00:00")], "not a real date"),
    ([a_return(returned_at="2026-07-01T10:00:00+01:00")], "in the future"),
    ([a_return(returned_at="2026-05-18T08:00:00+01:00")], "before the handoff was submitted"),
    ([a_return(resubmitted_at="2026-05-18T09:30:00+01:00")], "resubmitted_at is before"),
    ([a_return(resubmitted_at="2026-05-21T09:30:00+01:00")], "after the handoff started"),
    ([a_return(resubmitted_at=None)], "resubmitted_at is needed"),
    (
        [
            a_return(
                returned_at="2026-05-20T11:00:00+01:00",
                resubmitted_at="2026-05-20T12:00:00+01:00",
            )
        ],
        "only for a return before the start",
    ),
    ([a_return(), a_return()], "before the previous return ended"),
    ([a_return(extra="x")], "unknown field extra"),
    ([a_return()] * 101, "At most 100 returns"),
]


@pytest.mark.parametrize(("returns", "said"), BAD_RETURNS)
def test_bad_returns_are_a_400_and_nothing_is_written(leader_client, seam, returns, said):
    response = post(leader_client, row(seam, returns=returns))
    assert response.status_code == 400, response.json()
    assert said in str(response.json())  # NUL anywhere in a body is refused before the rows
    assert not Handoff.objects.exists()
    assert not HandoffReturn.objects.exists()


def test_a_bad_row_leaves_the_recorded_returns_as_they_were(leader_client, seam):
    post(leader_client, row(seam, returns=[a_return()]))
    before = list(HandoffReturn.objects.values_list("pk", "resubmitted_at"))
    bad = [a_return(resubmitted_at="2026-05-18T09:00:00+01:00")]
    good = row(seam, external_id="J-2", returns=[a_return()])
    response = post(leader_client, [row(seam, returns=bad), good])
    assert response.status_code == 200  # the API writes the valid rows and reports the others
    assert [e["index"] for e in response.json()["errors"]] == [0]
    assert (
        list(
            HandoffReturn.objects.filter(handoff__external_id="J-1").values_list(
                "pk", "resubmitted_at"
            )
        )
        == before
    )
    assert Handoff.objects.get(external_id="J-2").paused_hours == Decimal("2.0000")


# --- The return and resubmit actions -------------------------------------------------------------


def test_a_leader_records_a_past_return_and_resubmission(leader_client, seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    response = leader_client.post(
        f"{URL}{handoff.pk}/return/",
        {
            "reason": "No payload",
            "missing_item": "Sample payload attached",
            "at": "2026-05-18T10:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["sla_deadline"] is None
    assert response.json()["waiting_since"] is not None
    response = leader_client.post(
        f"{URL}{handoff.pk}/resubmit/", {"at": "2026-05-18T12:00"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    handoff.refresh_from_db()
    # Paused Mon 10–12 = 2 h: 18 h from Mon 09:00 = Wed 10:00.
    assert handoff.sla_deadline == may(20, 10)
    conflict = leader_client.post(
        f"{URL}{handoff.pk}/resubmit/", {}, content_type="application/json"
    )
    assert conflict.status_code == 409
    assert "not waiting" in conflict.json()["detail"]


def test_an_owner_returns_now_but_gives_no_past_times(owner_client, seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    past = owner_client.post(
        f"{URL}{handoff.pk}/return/",
        {"reason": "x", "at": "2026-05-18T10:00"},
        content_type="application/json",
    )
    assert past.status_code == 403
    assert not HandoffReturn.objects.exists()
    now = owner_client.post(
        f"{URL}{handoff.pk}/return/",
        {"reason": "x", "missing_item": "other", "other_item": "NDA"},
        content_type="application/json",
    )
    assert now.status_code == 200
    assert HandoffReturn.objects.get().missing_item == "Other: NDA"


def test_a_viewer_can_not_return_or_resubmit(viewer_client, seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    return_handoff(handoff=handoff, reason="x", at=may(18, 10))
    for action in ("return", "resubmit"):
        response = viewer_client.post(
            f"{URL}{handoff.pk}/{action}/", {"reason": "x"}, content_type="application/json"
        )
        assert response.status_code == 403
    assert Handoff.objects.get().waiting_since == may(18, 10)


@pytest.mark.parametrize(
    "body",
    [
        {"reason": ["x"]},
        {"reason": "a\x00b"},
        {"reason": ""},
        {"reason": "x", "missing_item": "A unicorn"},
        {"reason": "x", "missing_item": "other"},
        {"reason": "x", "at": "9999-12-31T23:59:59+14:00"},
        {"reason": "x", "at": "2026-02-30T10:00"},
        {"reason": "x", "at": 42},
        {"reason": "x", "at": "2026-05-18T08:00"},  # before it was submitted
        {"reason": "x", "at": "2026-06-30T10:00"},  # in the future
    ],
)
def test_hostile_returns_are_a_400_and_nothing_is_written(leader_client, seam, owner, body):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    response = leader_client.post(
        f"{URL}{handoff.pk}/return/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert not HandoffReturn.objects.exists()
    assert Handoff.objects.get().returned_count == 0


def test_a_resubmission_before_the_return_is_a_400(leader_client, seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    return_handoff(handoff=handoff, reason="x", at=may(18, 10))
    response = leader_client.post(
        f"{URL}{handoff.pk}/resubmit/", {"at": "2026-05-18T09:30"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "before it was returned" in str(response.json())
    assert Handoff.objects.get().waiting_since == may(18, 10)
