from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from seams import permissions
from seams.demo import DEMO_PASSWORD
from seams.models import Membership, Team, User

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_it_builds_the_demo_organisation_with_people_in_every_role():
    output = seed()
    assert set(Team.objects.values_list("name", flat=True)) == {
        "Sales",
        "Marketing",
        "Product",
        "Engineering",
        "Security",
        "Legal",
        "Operations",
        "Finance",
    }
    assert all(team.leader for team in Team.objects.all())
    assert all(team.owners for team in Team.objects.with_people())
    people = {u.username: u for u in User.objects.all()}
    assert permissions.is_leader(people["elena"])
    assert permissions.is_ops(people["olivia"])
    assert permissions.role_label(people["victor"]) == "Viewer"
    assert Membership.objects.get(user=people["priya"]).role == "owner"
    assert authenticate(username="priya", password=DEMO_PASSWORD) == people["priya"]
    assert f'"{DEMO_PASSWORD}"' in output
    for username in ("elena", "priya", "olivia", "victor"):
        assert f"  {username} " in output


def test_it_leaves_the_same_rows_when_run_twice():
    seed()
    first = row_counts()
    seed()
    assert row_counts() == first


def test_it_restores_demo_roles_and_memberships_on_a_second_run():
    seed()
    priya = User.objects.get(username="priya")
    priya.groups.clear()
    Membership.objects.filter(user=priya).update(role="member")
    seed()
    assert Membership.objects.get(user=priya).role == "owner"


def test_it_keeps_a_changed_password():
    seed()
    elena = User.objects.get(username="elena")
    elena.set_password("my own secret 42")
    elena.save()
    seed()
    assert authenticate(username="elena", password="my own secret 42")


def test_it_seeds_only_an_empty_database_when_asked(leader):
    output = seed("--if-empty")
    assert "not seeded" in output
    assert not Team.objects.exists()
    assert User.objects.count() == 1


def test_it_gives_every_demo_seam_a_realistic_spec_with_versions():
    from seams.models import Seam

    seed()
    seams = Seam.objects.with_related()
    assert seams.count() == 10
    for seam in seams:
        spec = seam.spec
        assert spec.version >= 1, seam
        assert spec.owner
        assert spec.definition_of_ready
        assert spec.definition_of_done
        assert spec.response_sla_hours > 0
        assert spec.escalate_to
        assert spec.forum
        assert spec.versions.count() == spec.version
    intake = Seam.objects.get(slug="custom-integration-intake")
    assert intake.status == "pilot"
    assert intake.pilot_review_on
    history = list(intake.spec.versions.order_by("number").values_list("author__username", "note"))
    assert len(history) == 4
    assert {author for author, _ in history} == {"priya", "maya", "dana"}
    assert intake.spec.versions.get(number=1).owner.username == "wei"  # the owner changed in v2
    assert Seam.objects.get(slug="access-review").calendar.is_24x7


def test_it_adds_two_contracts_and_a_launch_with_unowned_and_broken_assumptions():
    from django.utils import timezone

    from contracts.models import Contract, Initiative
    from contracts.services import diff_snapshots, running_problems, target_warnings

    seed()
    statuses = dict(Contract.objects.values_list("slug", "status"))
    assert statuses == {"enterprise-launch-fy26": "active", "revenue-engine-pilot": "pilot"}
    launch = Contract.objects.get(slug="enterprise-launch-fy26")
    assert running_problems(launch) == []
    assert target_warnings(launch) == []  # every seam has 3 to 5 targets
    assert launch.revisions.first().status == "signed"
    # Revision 2's content differs from revision 1 exactly as its changelog says, and in
    # revision 3 five more seams join, each with its targets and a decision right.
    first, second, third = launch.revisions.order_by("number")
    assert [c.what for c in diff_snapshots(first.content, second.content)] == [
        "Target Queue time p85 on Security sign-off",
        "Decision right “Pricing exception”",
    ]
    assert launch.seams.count() == 10
    joined = " ".join(c.what for c in diff_snapshots(second.content, third.content))
    assert "Access review" in joined
    assert "Privileged access exception" in joined
    assert [e.summary for e in launch.events.filter(kind="status").order_by("at")] == [
        "Draft → Pilot",
        "Pilot → Active",
    ]
    pilot = Contract.objects.get(slug="revenue-engine-pilot")
    waiting = pilot.revisions.first()
    signed = {s.leader.username for s in waiting.signatures.all()}
    assert waiting.status == "awaiting"
    assert {u.username for u in waiting.binding_leaders.all()} - signed == {"grace"}

    initiative = Initiative.objects.get(slug="eu-enterprise-launch")
    ordered = list(initiative.assumptions.needing_attention_first(timezone.localdate()))
    assert sum(1 for a in ordered if a.owner is None) == 2
    assert sum(1 for a in ordered if a.status == "broken") == 1
    assert ordered[0].owner is None
    assert initiative.commitments.count() == 6


def test_demo_targets_point_the_way_their_metric_improves():
    from contracts.models import MetricTarget

    seed()
    assert MetricTarget.objects.get(metric="throughput").direction == "higher"
    assert set(
        MetricTarget.objects.exclude(metric="throughput").values_list("direction", flat=True)
    ) == {"lower"}


def test_it_fills_a_year_of_decisions_and_escalations_skewed_to_a_few_seams():
    from django.db.models import Count
    from django.utils import timezone

    from decisions.models import Constraint, Decision, Dependency, Escalation

    seed()
    now = timezone.now()
    requested = Decision.objects.order_by("requested_at").values_list("requested_at", flat=True)
    assert (now - requested.first()).days > 200
    assert Decision.objects.overdue(now).exists()
    assert Decision.objects.filter(status="reopened").exists()
    counts = list(
        Escalation.objects.values("seam__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)
    )
    assert sum(counts[:3]) / sum(counts) >= 0.6  # the top three seams explain most of the pain
    assert Constraint.objects.filter(removed_at__isnull=True).count() >= 3
    assert set(Dependency.objects.values_list("status", flat=True)) >= {
        "requested",
        "at_risk",
        "delivered",
        "missed",
    }


def test_it_loads_a_year_of_handoffs_with_skewed_queues_rework_and_open_ones():
    from django.db.models import Avg
    from django.utils import timezone

    from seams.models import Handoff

    seed()
    handoffs = Handoff.objects.filter(source="demo")
    assert handoffs.count() > 2000
    assert handoffs.open().exists()
    assert handoffs.filter(returned_count__gt=0).exists()
    assert handoffs.breached(timezone.now()).exists()
    queue = dict(
        handoffs.values("seam__name").annotate(q=Avg("queue_hours")).values_list("seam__name", "q")
    )
    assert queue["Security sign-off"] > 3 * queue["MQL handoff"]
