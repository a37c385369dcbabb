"""A small organisation for the API schema tests, built once per module.

`world` holds something of every resource the API serves (so detail routes find objects),
a token per role, and, per path of the schema, the parameter values that name real objects.
Each test still runs in its own transaction inside the module's, so writes made while fuzzing
one operation are gone before the next.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from connections.models import Source, SourceSecret
from contracts.models import (
    Assumption,
    Commitment,
    Contract,
    ContractSeam,
    DecisionRight,
    Initiative,
    MetricTarget,
)
from contracts.services import publish_revision
from decisions.models import Constraint, Dependency, Escalation
from decisions.services import decide, log_decision
from metrics import engine
from metrics.models import CorrectiveAction, MonthlySeamMetrics, Review, RootCause
from seams.models import Calendar, Handoff, Membership
from tests.factories import (
    CalendarFactory,
    MembershipFactory,
    SeamFactory,
    TeamFactory,
    UserFactory,
    write_spec,
)


@dataclass
class World:
    tokens: dict[str, str] = field(default_factory=dict)
    # "/api/v1/seams/{slug}/" → [{"slug": "intake"}, ...]: parameters that name real objects.
    path_values: dict[str, list[dict]] = field(default_factory=dict)
    # Body fields that refer to other objects → values that exist ("seam" → seam slugs).
    references: dict[str, list] = field(default_factory=dict)


# Long: the API's whole test world, written out once so every test reads the same data.
def build_world() -> World:
    people = {
        "leader": UserFactory(username="fuzz_leader", roles=["leader"]),
        "ops": UserFactory(username="fuzz_ops", roles=["ops"]),
        "viewer": UserFactory(username="fuzz_viewer", roles=["viewer"]),
        "owner": UserFactory(username="fuzz_owner"),
    }
    decider = UserFactory(username="fuzz_decider", roles=["leader"])
    sales = TeamFactory(name="Fuzz Sales", leader=people["leader"])
    product = TeamFactory(name="Fuzz Product", leader=decider)
    legal = TeamFactory(name="Fuzz Legal")
    MembershipFactory(team=sales, user=people["owner"], role=Membership.Role.OWNER)
    MembershipFactory(team=product, user=decider, role=Membership.Role.OWNER)
    uk = CalendarFactory(name="Fuzz UK hours")
    always = Calendar.objects.always()

    intake = SeamFactory(name="Fuzz intake", from_team=sales, to_team=product, calendar=uk)
    review = SeamFactory(name="Fuzz review", from_team=product, to_team=legal, calendar=always)
    for seam, by in ((intake, people["owner"]), (review, decider)):
        write_spec(seam, by=by)
        write_spec(seam, by=by, note="Tighter SLA", response_sla_hours=Decimal("8"))

    contract = Contract.objects.create(
        slug="fuzz-launch", title="Fuzz launch", scope="The first customers.", leader=decider
    )
    spare = Contract.objects.create(
        slug="fuzz-spare", title="Fuzz spare", scope="A draft to delete.", leader=decider
    )
    for seam in (intake, review):
        ContractSeam.objects.create(contract=contract, seam=seam)
        for metric in ("queue_time_p85_hours", "sla_breach_rate", "rework_rate"):
            MetricTarget.objects.create(
                contract=contract, seam=seam, metric=metric, target=Decimal(24)
            )
    right = DecisionRight.objects.create(
        contract=contract,
        seam=intake,
        decision_type="Integration scope",
        decider=decider,
        decision_sla_hours=Decimal(16),
        escalation_forum="Weekly sync",
    )
    revision = publish_revision(contract=contract, changelog="First cut", by=decider)

    initiative = Initiative.objects.create(slug="fuzz-go-live", name="Fuzz go-live", leader=decider)
    commitments = [
        Commitment.objects.create(initiative=initiative, team=team, commitment=f"{team.name} ships")
        for team in (sales, product)
    ]
    assumption = Assumption.objects.create(
        initiative=initiative,
        statement="Sales sends complete briefs",
        from_commitment=commitments[0],
        to_commitment=commitments[1],
        owner=people["owner"],
    )

    now = timezone.now()
    open_decision = log_decision(
        question="Scope the Acme integration?",
        decision_type="Integration scope",
        seam=intake,
        requested_by=people["ops"],
        requested_at=now - timedelta(days=2),
    )
    decided = log_decision(
        question="Take on Globex?",
        decision_type="Budget",
        seam=review,
        requested_by=people["ops"],
        decider=decider,
        requested_at=now - timedelta(days=3),
    )
    decide(decision=decided, by=decider, outcome="Yes", at=now - timedelta(days=1))
    escalation = Escalation.objects.create(
        seam=intake,
        summary="Brief without a payload",
        cause=Escalation.Cause.values[0],
        raised_by=people["ops"],
        raised_at=now - timedelta(days=1),
    )
    constraint = Constraint.objects.create(
        description="No sandbox for integrations", owner=people["owner"], seam=intake
    )
    dependency = Dependency.objects.create(
        title="SSO for Acme",
        consumer=sales,
        provider=product,
        seam=intake,
        owner=decider,
        needed_by=timezone.localdate() + timedelta(days=14),
    )
    handoffs = [
        Handoff.objects.create(
            seam=intake,
            source="api",
            external_id=f"FUZZ-{n}",
            title=f"Integration request {n}",
            submitted_at=now - timedelta(days=n + 1),
            started_at=now - timedelta(days=n) if n % 2 else None,
        )
        for n in range(3)
    ]
    snapshot = MonthlySeamMetrics.objects.create(
        seam=intake, month=engine.current_month(), submitted=3, started=1
    )
    meeting = Review.objects.create(
        month=engine.previous_month(engine.current_month()), started_by=people["leader"]
    )
    RootCause.objects.create(review=meeting, seam=intake, text="No payload", recorded_by=decider)
    action = CorrectiveAction.objects.create(
        review=meeting,
        seam=intake,
        title="Require the payload",
        owner=people["owner"],
        due_on=timezone.localdate() + timedelta(days=7),
        metric="queue_time_p85_hours",
        created_by=people["leader"],
    )
    hook = Source.objects.create(slug="fuzz-hook", name="Fuzz hook")
    SourceSecret.objects.create(source=hook, value="s3cret")

    world = World()
    world.tokens = {role: Token.objects.create(user=user).key for role, user in people.items()}
    seams = [{"slug": s.slug} for s in (intake, review)]
    ids = lambda objects: [{"id": o.pk} for o in objects]  # noqa: E731
    world.path_values = {
        "/api/v1/teams/{slug}/": [{"slug": t.slug} for t in (sales, product, legal)],
        "/api/v1/calendars/{slug}/": [{"slug": uk.slug}, {"slug": always.slug}],
        "/api/v1/seams/{slug}/": seams,
        "/api/v1/seams/{slug}/start-pilot/": seams,
        "/api/v1/specs/{slug}/": seams,
        "/api/v1/specs/{slug}/versions/": seams,
        "/api/v1/specs/{slug}/versions/{number}/": [
            {"slug": s["slug"], "number": n} for s in seams for n in (1, 2)
        ],
        "/api/v1/specs/{slug}/versions/{number}/restore/": [
            {"slug": s["slug"], "number": 1} for s in seams
        ],
        "/api/v1/contracts/{slug}/": [{"slug": contract.slug}, {"slug": spare.slug}],
        "/api/v1/contracts/{slug}/transition/": [{"slug": contract.slug}, {"slug": spare.slug}],
        "/api/v1/contracts/{slug}/targets/": [{"slug": contract.slug}],
        "/api/v1/contracts/{slug}/targets/{id}/": [
            {"slug": contract.slug, "id": t.pk} for t in contract.targets.all()
        ],
        "/api/v1/contracts/{slug}/decision-rights/": [{"slug": contract.slug}],
        "/api/v1/contracts/{slug}/decision-rights/{id}/": [{"slug": contract.slug, "id": right.pk}],
        "/api/v1/contracts/{slug}/revisions/": [{"slug": contract.slug}],
        "/api/v1/contracts/{slug}/revisions/{number}/sign/": [
            {"slug": contract.slug, "number": revision.number}
        ],
        "/api/v1/initiatives/{slug}/": [{"slug": initiative.slug}],
        "/api/v1/initiatives/{slug}/commitments/": [{"slug": initiative.slug}],
        "/api/v1/initiatives/{slug}/commitments/{id}/": [
            {"slug": initiative.slug, "id": c.pk} for c in commitments
        ],
        "/api/v1/initiatives/{slug}/assumptions/": [{"slug": initiative.slug}],
        "/api/v1/initiatives/{slug}/assumptions/{id}/": [
            {"slug": initiative.slug, "id": assumption.pk}
        ],
        "/api/v1/decisions/{id}/": ids([open_decision, decided]),
        "/api/v1/decisions/{id}/decide/": ids([open_decision]),
        "/api/v1/decisions/{id}/reopen/": ids([decided]),
        "/api/v1/decisions/{id}/withdraw/": ids([open_decision]),
        "/api/v1/escalations/{id}/": ids([escalation]),
        "/api/v1/constraints/{id}/": ids([constraint]),
        "/api/v1/dependencies/{id}/": ids([dependency]),
        "/api/v1/dependencies/{id}/move/": ids([dependency]),
        "/api/v1/handoffs/{id}/": ids(handoffs),
        "/api/v1/metrics/{id}/": ids([snapshot]),
        "/api/v1/hooks/handoffs/{source}/": [{"source": hook.slug}],
        "/api/v1/reviews/{id}/": ids([meeting]),
        "/api/v1/reviews/{id}/root-causes/": ids([meeting]),
        "/api/v1/reviews/{id}/actions/": ids([meeting]),
        "/api/v1/reviews/{id}/close/": ids([meeting]),
        "/api/v1/actions/{id}/": ids([action]),
    }
    usernames = [u.username for u in (*people.values(), decider)]
    teams = [t.slug for t in (sales, product, legal)]
    world.references = {
        "seam": [intake.slug, review.slug],
        "seams": [intake.slug, review.slug],
        "contract": [contract.slug],
        "calendar": [uk.slug, always.slug],
        "team": teams,
        "from_team": teams,
        "to_team": teams,
        "provider": teams,
        "consumer": teams,
        "consulted_teams": teams,
        "informed_teams": teams,
        "owner": usernames,
        "leader": usernames,
        "decider": usernames,
        "escalate_to": usernames,
        "username": usernames,
        "consulted_people": usernames,
        "informed_people": usernames,
        "from_commitment": [c.pk for c in commitments],
        "to_commitment": [c.pk for c in commitments],
    }
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
