from decimal import Decimal

import pytest

from contracts.models import Contract, ContractSeam, DecisionRight, MetricTarget
from tests.factories import UserFactory


@pytest.fixture
def leaders(team, other_team, leader):
    """Sales and Product each have a leader; with the contract's owner, three leaders in all."""
    team.leader = UserFactory(
        username="sales_chief", first_name="Tom", last_name="Becker", roles=["leader"]
    )
    team.save()
    other_team.leader = UserFactory(
        username="product_chief", first_name="Maya", last_name="Chen", roles=["leader"]
    )
    other_team.save()
    return [leader, team.leader, other_team.leader]


@pytest.fixture
def contract(leader):
    return Contract.objects.create(
        slug="enterprise-launch",
        title="Enterprise launch",
        scope="The first 40 customers.",
        leader=leader,
        review_day=9,
    )


def add_targets(contract, seam, *metrics):
    ContractSeam.objects.get_or_create(contract=contract, seam=seam)
    for metric in metrics:
        MetricTarget.objects.create(contract=contract, seam=seam, metric=metric, target=Decimal(24))


@pytest.fixture
def ready_contract(contract, seam, leaders):
    """A draft covering `seam` with three targets: ready for a pilot."""
    add_targets(contract, seam, "queue_time_p85_hours", "sla_breach_rate", "rework_rate")
    DecisionRight.objects.create(
        contract=contract,
        seam=seam,
        decision_type="Integration scope",
        decider=leaders[2],
        decision_sla_hours=Decimal(24),
        escalation_forum="Weekly sync",
    )
    return contract
