"""The demo's live work: whatever day it is seeded, Today shows handoffs about to breach and
one waiting on its sender (seams.demo.seed_live_handoffs)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from metrics import signals
from seams import demo
from seams.models import Handoff

LONDON = ZoneInfo("Europe/London")


@pytest.mark.django_db
@pytest.mark.parametrize("day", [1, 3, 28])
def test_it_leaves_work_about_to_breach_and_one_waiting_on_its_sender(day):
    # The 1st of March 2027 is a Monday, the 3rd a Wednesday, the 28th a Sunday.
    with time_machine.travel(datetime(2027, 3, day, 10, 0, tzinfo=LONDON), tick=False):
        org = demo.seed()
        assert demo.seed_live_handoffs(org) == 3
        at_risk = signals.at_risk_handoffs()
        waiting = Handoff.objects.get(external_id__endswith="-waiting")
        assert demo.seed_live_handoffs(org) == 0  # once

    assert sorted(item.title for item in at_risk) == sorted(title for _, _, title in demo.LIVE)
    for item in at_risk:
        used = item.elapsed_hours / item.sla_hours
        share = next(s for _, s, title in demo.LIVE if title == item.title)
        assert abs(float(used) - share) < 0.01  # 90 % and 80 % of the response SLA used
        assert item.breaches_in_hours > 0
    assert waiting.waiting_since is not None
    assert waiting.sla_deadline is None  # unknown while it waits
    assert waiting.returns.get().missing_item
