"""Demo contracts and a launch initiative for Northwind Cloud, on top of seams.demo.

Idempotent like the rest of seed_demo: objects are found by slug or natural key, and
revisions and signatures are written only the first time.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from contracts import catalogue
from contracts.models import (
    Assumption,
    Commitment,
    Contract,
    ContractEvent,
    ContractSeam,
    DecisionRight,
    Initiative,
    MetricTarget,
)
from contracts.services import publish_revision, sign_revision
from seams.demo import DemoOrganisation

LAUNCH = {
    "slug": "enterprise-launch-fy26",
    "title": "Enterprise Launch FY26",
    "scope": "Everything that has to cross a seam to win and onboard the first 40 enterprise "
    "customers of FY26: custom integrations, security reviews, environments, contract "
    "language and pricing.",
    "leader": "elena",
    "review_day": 9,
    "statuses": [Contract.Status.PILOT, Contract.Status.ACTIVE],  # after r1, after r2
    "targets": {
        # seam: [(metric, target, tolerance)]
        "Custom integration intake": [
            ("queue_time_p85_hours", 24, 20),
            ("sla_breach_rate", 10, 20),
            ("rework_rate", 15, 20),
            ("decision_latency_p85_hours", 48, 20),
            ("escalations", 2, 50),
        ],
        "Security sign-off": [
            ("queue_time_p85_hours", 40, 20),
            ("sla_breach_rate", 10, 20),
            ("decision_latency_p85_hours", 48, 20),
            ("escalations", 2, 50),
        ],
        "Environment provisioning": [
            ("queue_time_p85_hours", 16, 20),
            ("sla_breach_rate", 10, 20),
            ("rework_rate", 10, 20),
        ],
        "Contract language": [
            ("queue_time_p85_hours", 40, 20),
            ("sla_breach_rate", 10, 20),
            ("rework_rate", 15, 20),
            ("decision_latency_p85_hours", 72, 20),
        ],
        "Pricing approval": [
            ("queue_time_p85_hours", 8, 20),
            ("sla_breach_rate", 10, 20),
            ("decision_latency_p85_hours", 24, 20),
        ],
    },
    "rights": [
        # type, seam, decider, consulted, informed teams, SLA, forum
        (
            "Integration scope",
            "Custom integration intake",
            "maya",
            ["priya", "luis"],
            ["Sales"],
            24,
            "Revenue–Product seam sync",
        ),
        (
            "Risk acceptance",
            "Security sign-off",
            "rachel",
            ["arjun"],
            ["Engineering"],
            16,
            "Security risk review",
        ),
        (
            "Pricing exception",
            "Pricing approval",
            "david",
            ["hannah", "tom"],
            ["Sales"],
            8,
            "Deal desk",
        ),
        (
            "Environment budget",
            "Environment provisioning",
            "elena",
            ["luis", "lars"],
            ["Finance"],
            24,
            "Operations weekly",
        ),
        (
            "Non-standard DPA clause",
            "Contract language",
            "grace",
            ["sofia"],
            ["Product"],
            24,
            "Deal desk",
        ),
    ],
    "revisions": [
        (60, "maya", "First contract: five seams, decision rights and 3–5 targets each."),
        (
            20,
            "elena",
            "Security sign-off target 56 → 40 h after the Q3 review; pricing exceptions "
            "decided by the CFO within 8 h.",
        ),
    ],
    # What the first revision said where the second one changed it.
    "earlier_terms": {
        ("Security sign-off", "queue_time_p85_hours"): 56,
        "Pricing exception": 24,
    },
}

REVENUE = {
    "slug": "revenue-engine-pilot",
    "title": "Revenue engine pilot",
    "scope": "How marketing leads and legal redlines reach the sales team, piloted for one "
    "quarter before it joins the enterprise contract.",
    "leader": "tom",
    "review_day": 15,
    "statuses": [Contract.Status.PILOT],
    "targets": {
        "MQL handoff": [
            ("queue_time_p85_hours", 4, 25),
            ("rework_rate", 10, 20),
            ("throughput", 120, 20),
        ],
        "Redline turnaround": [("queue_time_p85_hours", 24, 20), ("sla_breach_rate", 10, 20)],
    },
    "rights": [
        (
            "Lead qualification rules",
            "MQL handoff",
            "amara",
            ["jonas", "tom"],
            ["Sales"],
            24,
            "Pipeline review",
        ),
    ],
    "revisions": [(10, "tom", "Pilot terms for the revenue seams.")],
    "unsigned": ["grace"],  # Legal's leader hasn't signed the pilot yet
}


def _seed_contract(spec: dict, org: DemoOrganisation) -> Contract:
    people = org.people
    contract, _ = Contract.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "title": spec["title"],
            "scope": spec["scope"],
            "leader": people[spec["leader"]],
            "review_day": spec["review_day"],
        },
    )
    _set_terms(contract, spec, org)
    if not contract.revisions.exists():
        _write_history(contract, spec, org)
    return contract


def _set_terms(contract: Contract, spec: dict, org: DemoOrganisation, overrides=None) -> None:
    """Targets and decision rights as the spec says, or as `overrides` said before."""
    overrides = overrides or {}
    people = org.people
    for seam_name, targets in spec["targets"].items():
        seam = org.seams[seam_name]
        ContractSeam.objects.get_or_create(contract=contract, seam=seam)
        for metric, target, tolerance in targets:
            MetricTarget.objects.update_or_create(
                contract=contract,
                seam=seam,
                metric=metric,
                defaults={
                    "target": Decimal(overrides.get((seam_name, metric), target)),
                    "tolerance_pct": Decimal(tolerance),
                    "direction": catalogue.BY_NAME[metric].better,
                },
            )
    for kind, seam_name, decider, consulted, informed, sla, forum in spec["rights"]:
        right, _ = DecisionRight.objects.update_or_create(
            contract=contract,
            decision_type=kind,
            defaults={
                "seam": org.seams[seam_name],
                "decider": people[decider],
                "decision_sla_hours": Decimal(overrides.get(kind, sla)),
                "escalation_forum": forum,
            },
        )
        right.consulted_people.set([people[u] for u in consulted])
        right.informed_teams.set([org.teams[t] for t in informed])


def _write_history(contract: Contract, spec: dict, org: DemoOrganisation) -> None:
    now = timezone.now()
    leader = org.people[spec["leader"]]
    for n, ((days_ago, author, changelog), status) in enumerate(
        zip(spec["revisions"], spec["statuses"], strict=True)
    ):
        at = now - timedelta(days=days_ago)
        latest = n == len(spec["revisions"]) - 1
        _set_terms(contract, spec, org, None if latest else spec.get("earlier_terms"))
        revision = publish_revision(
            contract=contract, changelog=changelog, by=org.people[author], at=at
        )
        unsigned = set(spec.get("unsigned", [])) if latest else set()
        for i, signer in enumerate(sorted(revision.binding_leaders.all(), key=lambda u: u.pk)):
            if signer.username not in unsigned:
                sign_revision(revision=revision, leader=signer, at=at + timedelta(hours=2 + i))
        # The status moves a day after each revision, as the leaders decided (the demo writes
        # the event itself so that it carries the past date).
        before = contract.get_status_display()
        contract.status = status
        contract.save(update_fields=["status"])
        ContractEvent.objects.create(
            contract=contract,
            kind=ContractEvent.Kind.STATUS,
            by=leader,
            at=at + timedelta(days=1),
            summary=f"{before} → {contract.get_status_display()}",
        )


LAUNCH_INITIATIVE = {
    "slug": "eu-enterprise-launch",
    "name": "EU enterprise launch",
    "description": "Sell and onboard the platform for regulated enterprise customers in the EU "
    "by the end of Q1: data residency, a security pack, and a sales motion for deals above "
    "£250k.",
    "leader": "elena",
    "commitments": {
        "Sales": ("Close 12 EU enterprise deals by 31 March.", "Selling our platform to EU banks."),
        "Product": (
            "Ship EU data residency and the admin audit log by 15 January.",
            "Making the product enterprise-ready for EU data rules.",
        ),
        "Engineering": (
            "Stand up the Frankfurt region and migrate pilot customers by 31 January.",
            "A new hosting region in Frankfurt.",
        ),
        "Security": (
            "Publish the security pack and complete ISO 27001 surveillance by February.",
            "Passing the audits EU buyers will ask for.",
        ),
        "Legal": (
            "Approve an EU DPA template and a standard SCC annex by December.",
            "New contract templates for GDPR.",
        ),
        "Operations": (
            "Onboard each new customer within 10 working days of signature.",
            "Onboarding capacity for a wave of big customers.",
        ),
    },
    "assumptions": [
        # statement, relied on by, relies on, owner, status, check-by (days from today), notes
        (
            "Onboarding capacity is in place before the first deals close",
            "Sales",
            "Operations",
            None,
            "unverified",
            10,
            "Two onboarding specialists are hired in January at the earliest.",
        ),
        (
            "The Frankfurt region is live before data residency is sold",
            "Sales",
            "Engineering",
            None,
            "unverified",
            30,
            "",
        ),
        (
            "The EU DPA template covers sub-processors in the Frankfurt region",
            "Legal",
            "Engineering",
            "sofia",
            "broken",
            -5,
            "The region uses a US-based monitoring vendor not listed as a sub-processor.",
        ),
        (
            "The security pack answers the top 20 questionnaire items",
            "Sales",
            "Security",
            "arjun",
            "unverified",
            -3,
            "Check due last week; waiting on the pen-test summary.",
        ),
        (
            "Audit log scope matches what EU banks require",
            "Product",
            "Security",
            "priya",
            "holding",
            20,
            "Confirmed with two design partners.",
        ),
    ],
}


def _seed_initiative(spec: dict, org: DemoOrganisation) -> Initiative:
    initiative, _ = Initiative.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "name": spec["name"],
            "description": spec["description"],
            "leader": org.people[spec["leader"]],
            "target_date": timezone.localdate() + timedelta(days=130),
        },
    )
    commitments = {}
    for team, (promise, story) in spec["commitments"].items():
        commitments[team], _ = Commitment.objects.update_or_create(
            initiative=initiative,
            team=org.teams[team],
            defaults={"commitment": promise, "description": story},
        )
    today = timezone.localdate()
    for statement, by, on, owner, status, days, notes in spec["assumptions"]:
        Assumption.objects.update_or_create(
            initiative=initiative,
            statement=statement,
            defaults={
                "from_commitment": commitments[by],
                "to_commitment": commitments[on],
                "owner": org.people[owner] if owner else None,
                "status": status,
                "check_by": today + timedelta(days=days),
                "notes": notes,
            },
        )
    return initiative


def seed(org: DemoOrganisation) -> None:
    _seed_contract(LAUNCH, org)
    _seed_contract(REVENUE, org)
    _seed_initiative(LAUNCH_INITIATIVE, org)
