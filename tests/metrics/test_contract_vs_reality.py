"""Contract vs reality: the proposed response SLA beside the contracted one once the pilot has
ended, drift badges on the review, and drafting (then publishing) a contract revision that
carries the proposed SLA (metrics.reality)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from contracts.models import Contract, ContractRevision, ContractSeam, MetricTarget
from metrics import signals
from metrics.models import MonthlySeamMetrics, SlaRevisionDraft
from seams.handoffs import start_handoff
from seams.models import Seam
from tests.factories import TeamFactory
from tests.metrics.at_risk_data import always_seam, submitted

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# The pilot ran in December 2025; the month under review is February 2026.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=LONDON)
PILOT = (date(2025, 12, 1), date(2025, 12, 31))


def with_history(seam: Seam, count: int = 20) -> Seam:
    """`count` handoffs started in the pilot, queue times 1, 2, … count hours (24x7): with 20,
    the p85 is 17.15 h, so the proposal is 18 h."""
    Seam.objects.filter(pk=seam.pk).update(
        status=Seam.Status.ACTIVE, pilot_started_on=PILOT[0], pilot_review_on=PILOT[1]
    )
    for n in range(1, count + 1):
        when = datetime(2025, 12, 1 + n, 9, 0, tzinfo=LONDON)
        handoff = submitted(seam, when, f"Item {n}", f"H-{seam.pk}-{n}")
        start_handoff(handoff=handoff, at=when + timedelta(hours=n))
    seam.refresh_from_db()
    return seam


@pytest.fixture
def seam(team, other_team, owner):
    return with_history(always_seam("Security sign-off", team, other_team, owner=owner))


@pytest.fixture
def contract(leader, seam):
    contract = Contract.objects.create(
        slug="enterprise-launch",
        title="Enterprise launch",
        scope="The first 40 customers.",
        leader=leader,
        review_day=9,
        status=Contract.Status.ACTIVE,
    )
    ContractSeam.objects.create(contract=contract, seam=seam)
    return contract


def drilldown(client, seam):
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("metrics:seam", args=[seam.slug]))


def propose(client, seam, contract_slug="enterprise-launch"):
    with time_machine.travel(NOW, tick=False):
        return client.post(
            reverse("metrics:propose-revision", args=[seam.slug]), {"contract": contract_slug}
        )


# --- The proposed SLA beside the contracted one -------------------------------------------------


def test_the_drilldown_shows_the_signals_proposed_sla_beside_the_contracted_one(
    viewer_client, seam, contract
):
    expected = signals.signals_for([seam], NOW)[seam.pk].proposed_response_sla
    assert (expected.hours, expected.basis, expected.n) == (18, "pilot", 20)
    response = drilldown(viewer_client, seam)
    shown = response.context["reality"]
    assert shown.proposed_hours == expected.hours
    assert shown.contracted_hours == Decimal(10)
    html = response.content.decode()
    assert '<dd class="proposed-sla">18 h</dd>' in html
    assert '<dd class="contracted-sla">10 h</dd>' in html
    assert "Queue time p85 17.15 h over the pilot" in html
    assert "n = 20 started handoffs" in html
    assert "Propose revision" not in html  # viewers don't draft


def test_it_waits_for_the_pilot_to_end(viewer_client, seam, contract):
    Seam.objects.filter(pk=seam.pk).update(
        status=Seam.Status.PILOT,
        pilot_started_on=date(2026, 3, 1),
        pilot_review_on=date(2026, 3, 31),
    )
    html = drilldown(viewer_client, seam).content.decode()
    assert "The proposed SLA shows when the pilot ends, on 31 Mar 2026" in html
    assert 'class="proposed-sla"' not in html


def test_it_says_why_there_is_no_proposal_below_20_started(viewer_client, team, other_team):
    thin = with_history(always_seam("Legal review", team, other_team), count=5)
    html = drilldown(viewer_client, thin).content.decode()
    assert "Not enough data to propose one: 5 handoffs started over the pilot, 20 needed." in html


# --- Drift badges on the review -----------------------------------------------------------------


def test_drift_badges_show_only_for_seams_in_drift(leader_client, seam, team):
    # Same queue times (p85 17.15 h at both month ends) against three SLAs: 10 h → not met
    # (> 12), 40 h → slack (< 20), 16 h → neither.
    slack = with_history(always_seam("Legal review", team, TeamFactory(name="Legal"), 40))
    fine = with_history(always_seam("Finance check", team, TeamFactory(name="Finance"), 16))
    for computed in (seam, slack, fine):  # the month's snapshots: the review shows its table
        MonthlySeamMetrics.objects.create(seam=computed, month=date(2026, 2, 1))
    with time_machine.travel(NOW, tick=False):
        found = signals.signals_for([seam, slack, fine], NOW.replace(day=1, hour=0))
        drift_only = signals.drift_for([seam, slack, fine], NOW.replace(day=1, hour=0))
        response = leader_client.get(reverse("metrics:review"), {"month": "2026-02"})
    assert [found[s.pk].drift.status for s in (seam, slack, fine)] == ["not_met", "slack", None]
    assert drift_only == {s.pk: found[s.pk].drift for s in (seam, slack, fine)}  # what rows show
    rows = {
        name: row
        for row in response.content.decode().split('<tr class="review-row')[1:]
        for name in ("Security sign-off", "Legal review", "Finance check")
        if f">{name}</a>" in row
    }
    assert "SLA not met" in rows["Security sign-off"]
    assert "SLA slack" not in rows["Security sign-off"]
    assert "SLA slack" in rows["Legal review"]
    assert "SLA not met" not in rows["Legal review"]
    assert "SLA not met" not in rows["Finance check"]
    assert "SLA slack" not in rows["Finance check"]


# --- Propose revision ---------------------------------------------------------------------------


def test_a_leader_drafts_a_revision_with_the_proposed_sla_and_nothing_goes_live(
    leader_client, leader, seam, contract
):
    response = propose(leader_client, seam)
    assert response.status_code == 302
    assert response["Location"].endswith("#contract-vs-reality")
    draft = SlaRevisionDraft.objects.get()
    assert (draft.contract, draft.seam, draft.created_by) == (contract, seam, leader)
    assert (
        draft.response_sla_hours
        == signals.signals_for([seam], NOW)[seam.pk].proposed_response_sla_hours
        == 18
    )
    assert draft.contracted_sla_hours == 10
    assert (draft.basis, draft.n) == ("pilot", 20)
    assert "response SLA 10 h → 18 h" in draft.changelog
    # Drafting publishes nothing and changes neither the spec nor the targets.
    seam.spec.refresh_from_db()
    assert seam.spec.response_sla_hours == 10
    assert not ContractRevision.objects.exists()
    assert not MetricTarget.objects.exists()
    html = drilldown(leader_client, seam).content.decode()
    assert "Draft revision: response SLA 10 h → 18 h" in html
    assert "Publish for signatures" in html
    # Proposing again redrafts the open draft: still one.
    propose(leader_client, seam)
    assert SlaRevisionDraft.objects.count() == 1


@pytest.mark.parametrize("who", ["ops_client", "owner_client", "viewer_client"])
def test_only_leaders_draft_or_publish(request, who, seam, contract):
    client = request.getfixturevalue(who)
    assert propose(client, seam).status_code == 403
    publish = reverse("metrics:publish-sla-revision", args=[seam.slug])
    assert client.post(publish, {"contract": contract.slug}).status_code == 403
    assert not SlaRevisionDraft.objects.exists()


def test_it_refuses_a_seam_without_a_proposal_with_a_clear_message(
    leader_client, team, other_team, contract
):
    thin = with_history(always_seam("Legal review", team, other_team), count=5)
    ContractSeam.objects.create(contract=contract, seam=thin)
    response = propose(leader_client, thin)
    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        "Nothing drafted: No SLA to propose for Legal review yet: it needs 20 started handoffs "
        "over the pilot and has 5."
    )
    assert not SlaRevisionDraft.objects.exists()


def test_it_refuses_while_the_pilot_runs_and_for_a_contract_not_covering_the_seam(
    leader_client, leader, seam, contract, team
):
    other = Contract.objects.create(
        slug="other", title="Other", scope="x", leader=leader, review_day=1
    )
    response = propose(leader_client, seam, "other")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "Nothing drafted: Other doesn't cover Security sign-off."
    Seam.objects.filter(pk=seam.pk).update(pilot_review_on=date(2026, 3, 31))
    response = propose(leader_client, seam)
    [*_, message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "runs until 31 Mar 2026" in message
    assert not SlaRevisionDraft.objects.exists()
    assert other.pk


@pytest.mark.parametrize("body", [{}, {"contract": ""}, {"contract": "nope"}])
def test_it_answers_400_without_a_known_contract(leader_client, seam, contract, body):
    url = reverse("metrics:propose-revision", args=[seam.slug])
    response = leader_client.post(url, body)
    assert response.status_code == 400
    assert not SlaRevisionDraft.objects.exists()


def test_it_answers_only_post(leader_client, seam):
    assert (
        leader_client.get(reverse("metrics:propose-revision", args=[seam.slug])).status_code == 405
    )


def test_publishing_the_draft_changes_the_spec_and_target_and_awaits_signatures(
    leader_client, leader, seam, contract
):
    propose(leader_client, seam)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        response = leader_client.post(
            reverse("metrics:publish-sla-revision", args=[seam.slug]),
            {"contract": contract.slug},
        )
    revision = ContractRevision.objects.get()
    assert response["Location"] == reverse("contracts:revision", args=[contract.slug, 1])
    assert revision.status == ContractRevision.Status.AWAITING
    assert "response SLA 10 h → 18 h" in revision.changelog
    assert revision.content["targets"] == [
        {
            "seam": "Security sign-off",
            "metric": "Queue time p85",
            "target": "18",
            "direction": "lower",
            "tolerance_pct": "20",
        }
    ]
    seam.spec.refresh_from_db()
    assert seam.spec.response_sla_hours == 18
    draft = SlaRevisionDraft.objects.get()
    assert draft.published_revision == revision
    # Nothing left to publish.
    response = leader_client.post(
        reverse("metrics:publish-sla-revision", args=[seam.slug]), {"contract": contract.slug}
    )
    [*_, message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "no draft revision" in message
    assert ContractRevision.objects.count() == 1
