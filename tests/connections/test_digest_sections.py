"""The one daily digest also lists corrective actions due or overdue and yesterday's
notifications for the person; still once a day. Run on the 1st, 3rd and 28th."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from connections.notify import notify
from contracts.models import Contract
from decisions.digest import SECTIONS, send_daily_digests
from metrics.models import CorrectiveAction, Review

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/London")


def test_connections_adds_its_sections_once():
    headings = [heading for heading, _, _ in SECTIONS]
    assert headings.count("Corrective actions you own, due or overdue:") == 1
    assert headings.count("Yesterday, for you:") == 1


@pytest.mark.parametrize("day", [date(2026, 3, 1), date(2026, 3, 3), date(2026, 2, 28)])
def test_the_digest_lists_actions_and_yesterdays_events_once_a_day(day, seam, owner, leader):
    contract = Contract.objects.create(slug="c", title="C", scope="x", leader=leader)
    review = Review.objects.create(month=date(2026, 1, 1), contract=contract, started_by=leader)
    for title, due in (
        ("Late one", day - timedelta(days=2)),
        ("Today's", day),
        ("Next month", day + timedelta(days=30)),
    ):
        CorrectiveAction.objects.create(
            review=review,
            seam=seam,
            title=title,
            owner=owner,
            due_on=due,
            metric="rework_rate",
            created_by=leader,
        )
    yesterday = datetime(day.year, day.month, day.day, 15, tzinfo=TZ) - timedelta(days=1)
    with time_machine.travel(yesterday, tick=False):
        notify(kind="handoff.returned", key="r1", title="Returned: Acme SSO", people=[owner])
    with time_machine.travel(datetime(day.year, day.month, day.day, 7, tzinfo=TZ), tick=False):
        assert send_daily_digests() == 1
        assert send_daily_digests() == 0
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "Seamline today: 2 actions due, 1 new for you"
    assert "Late one (Custom integration intake), overdue since" in message.body
    assert "Today's (Custom integration intake), due" in message.body
    assert "Next month" not in message.body
    assert "Yesterday, for you:\n  - Returned: Acme SSO" in message.body
