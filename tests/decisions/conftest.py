from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contracts.models import Contract, ContractSeam, DecisionRight

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def right(seam, leader, other_owner):
    """Integration scope at `seam` (Sales → Product, Mon–Fri 09:00–17:30 London): Otto decides
    within 16 business hours."""
    contract = Contract.objects.create(
        slug="launch", title="Launch", scope="s", leader=leader, status=Contract.Status.ACTIVE
    )
    ContractSeam.objects.create(contract=contract, seam=seam)
    return DecisionRight.objects.create(
        contract=contract,
        seam=seam,
        decision_type="Integration scope",
        decider=other_owner,
        decision_sla_hours=Decimal(16),
        escalation_forum="Weekly sync",
    )


def friday_4pm() -> datetime:
    return datetime(2026, 11, 20, 16, 0, tzinfo=LONDON)
