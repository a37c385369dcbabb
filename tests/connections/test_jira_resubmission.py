"""A Jira issue moved back to the "new" category while its handoff waits on its sender is the
sender resubmitting it (DESIGN.md, Returns and waiting on the sender).

The issue was created Sunday 16 November 2025 09:30 (London is on UTC then); the seam works
Mon–Fri 09:00–17:30 with a 16-business-hour response SLA, so the clock starts Monday 09:00.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from seams.handoffs import return_handoff
from seams.models import Handoff
from tests.connections.senders import body_of, fixture, jira_headers, make_source

HOUR = 3_600_000
MON_NOON = 1_763_380_800_000  # 2025-11-17 12:00 UTC


@pytest.fixture
def jira(seam):
    return make_source("jira", seam=seam)


def event(category: str, status: str, *, at: int, change: str) -> dict:
    payload = fixture("jira_issue_updated")
    payload["issue"]["fields"]["status"] = {
        "name": status,
        "statusCategory": {"key": category, "name": status},
    }
    payload["timestamp"] = at
    payload["changelog"]["id"] = change
    return payload


def send(deliver, payload: dict) -> None:
    assert deliver("jira", body_of(payload), jira_headers(body_of(payload))).status_code == 202


def test_back_to_new_while_waiting_is_a_resubmission(jira, deliver, owner):
    created = event("new", "To Do", at=MON_NOON - 3 * HOUR, change="1")
    created["webhookEvent"] = "jira:issue_created"
    created.pop("changelog")
    send(deliver, created)
    handoff = Handoff.objects.get(source="jira", external_id="INT-42")
    # 16 h from Monday 09:00: Mon 8.5, Tue 7.5 → Tue 18 16:30.
    assert handoff.sla_deadline == datetime(2025, 11, 18, 16, 30, tzinfo=UTC)
    return_handoff(
        handoff=handoff,
        reason="No sample payload",
        missing_item="Sample payload attached",
        by=owner,
        at=datetime(2025, 11, 17, 10, 0, tzinfo=UTC),
    )
    # An event from before the return says nothing about the sender: still waiting.
    send(deliver, event("new", "To Do", at=MON_NOON - 2 * HOUR - HOUR // 2, change="2"))
    handoff.refresh_from_db()
    assert handoff.waiting_since == datetime(2025, 11, 17, 10, 0, tzinfo=UTC)

    send(deliver, event("new", "To Do", at=MON_NOON, change="3"))  # resubmitted at 12:00
    handoff.refresh_from_db()
    assert handoff.waiting_since is None
    assert handoff.returns.get().resubmitted_at == datetime(2025, 11, 17, 12, 0, tzinfo=UTC)
    # Paused Mon 10–12 = 2 h: 18 h from Mon 09:00 = Mon 8.5, Tue 8.5, Wed 09:00 + 1 = 10:00.
    assert handoff.paused_hours == Decimal("2.0000")
    assert handoff.sla_deadline == datetime(2025, 11, 19, 10, 0, tzinfo=UTC)

    send(deliver, event("indeterminate", "In Progress", at=MON_NOON + 2 * HOUR, change="4"))
    handoff.refresh_from_db()
    # Queue: Mon 09:00–14:00 = 5 h, minus the 2 paused = 3 h.
    assert handoff.queue_hours == Decimal("3.0000")
    assert handoff.returned_count == 1


def test_leaving_done_is_still_rework_that_pauses_nothing(jira, deliver):
    created = event("new", "To Do", at=MON_NOON - 3 * HOUR, change="1")
    created["webhookEvent"] = "jira:issue_created"
    created.pop("changelog")
    send(deliver, created)
    send(deliver, event("indeterminate", "In Progress", at=MON_NOON, change="2"))
    send(deliver, event("done", "Done", at=MON_NOON + HOUR, change="3"))
    send(deliver, event("new", "To Do", at=MON_NOON + 2 * HOUR, change="4"))
    handoff = Handoff.objects.get(source="jira", external_id="INT-42")
    assert handoff.completed_at is None
    assert handoff.returned_count == 1
    assert handoff.waiting_since is None  # after its start: rework, no pause
    assert handoff.paused_hours == Decimal("0.0000")
    assert handoff.queue_hours == Decimal("3.0000")  # Mon 09:00–12:00
