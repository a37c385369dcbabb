"""Demo contracts and a launch initiative for Northwind Cloud, on top of seams.demo.

Idempotent like the rest of seed_demo: objects are found by slug or natural key, and
revisions and signatures are written only the first time.
"""

import re
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
from seams.demo_plan import working_day

LAUNCH = {
    "slug": "enterprise-launch-fy26",
    "title": "Enterprise Launch FY26",
    "scope": "Everything that has to cross a seam to win and onboard the first 40 enterprise "
    "customers of FY26: custom integrations, security reviews, environments, contract "
    "language and pricing.",
    "leader": "elena",
    "review_day": 9,
    "statuses": [Contract.Status.PILOT, Contract.Status.ACTIVE, Contract.Status.ACTIVE],
    # Seams that joined with a later revision (its index); the others are there from r1.
    "joined": {
        "MQL handoff": 2,
        "Feature spec handoff": 2,
        "Redline turnaround": 2,
        "Access review": 2,
        "Release handover": 2,
        "Lead routing change": 2,
        "Sprint scope change": 2,
        "Fallback clause": 2,
        "Privileged access exception": 2,
        "Release window change": 2,
    },
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
        "MQL handoff": [
            ("queue_time_p85_hours", 4, 25),
            ("sla_breach_rate", 10, 20),
            ("rework_rate", 10, 20),
            ("escalations", 2, 50),
        ],
        "Feature spec handoff": [
            ("queue_time_p85_hours", 16, 20),
            ("sla_breach_rate", 10, 20),
            ("rework_rate", 10, 20),
            ("decision_latency_p85_hours", 24, 20),
        ],
        "Redline turnaround": [
            ("queue_time_p85_hours", 24, 20),
            ("sla_breach_rate", 10, 20),
            ("rework_rate", 15, 20),
        ],
        "Access review": [
            ("queue_time_p85_hours", 8, 20),
            ("sla_breach_rate", 10, 20),
            ("escalations", 2, 50),
        ],
        "Release handover": [
            ("queue_time_p85_hours", 8, 20),
            ("sla_breach_rate", 10, 20),
            ("rework_rate", 10, 20),
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
        (
            "Lead routing change",
            "MQL handoff",
            "amara",
            ["jonas", "dana"],
            ["Sales"],
            16,
            "Pipeline review",
        ),
        (
            "Sprint scope change",
            "Feature spec handoff",
            "maya",
            ["wei", "luis"],
            ["Engineering"],
            16,
            "Product–Engineering sync",
        ),
        (
            "Fallback clause",
            "Redline turnaround",
            "grace",
            ["sam", "tom"],
            ["Sales"],
            24,
            "Deal desk",
        ),
        (
            "Privileged access exception",
            "Access review",
            "rachel",
            ["nadia", "arjun"],
            ["Operations"],
            8,
            "Security operations channel",
        ),
        (
            "Release window change",
            "Release handover",
            "lars",
            ["kofi", "nadia"],
            ["Operations"],
            8,
            "Release review",
        ),
    ],
    "revisions": [
        (130, "maya", "First contract: five seams, decision rights and 3–5 targets each."),
        (
            95,
            "elena",
            "Security sign-off target 56 → 40 h after the Q3 review; pricing exceptions "
            "decided by the CFO within 8 h.",
        ),
        (
            70,
            "elena",
            "Five more seams join: MQL handoff, feature specs, redlines, access reviews and "
            "release handover, each with 3–4 targets and a decision right.",
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
    "scope": "Tighter terms for how marketing leads and legal redlines reach the sales team, "
    "piloted for one quarter before they replace the enterprise contract's.",
    "leader": "tom",
    "review_day": 15,
    "statuses": [Contract.Status.PILOT],
    "targets": {
        "MQL handoff": [
            ("queue_time_p85_hours", 4, 25),
            ("rework_rate", 10, 20),
            ("throughput", 55, 20),
        ],
        "Redline turnaround": [("queue_time_p85_hours", 24, 20), ("sla_breach_rate", 10, 20)],
    },
    "joined": {},
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
    if not contract.revisions.exists():
        _write_history(contract, spec, org)
    _set_terms(contract, spec, org)
    return contract


def _set_terms(
    contract: Contract, spec: dict, org: DemoOrganisation, overrides=None, upto: int = 99
) -> None:
    """Targets and decision rights as the spec says, or as `overrides` said before, for the
    seams and rights that had joined by revision index `upto`."""
    overrides = overrides or {}
    people = org.people
    joined = spec.get("joined", {})
    for seam_name, targets in spec["targets"].items():
        if joined.get(seam_name, 0) > upto:
            continue
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
        if joined.get(kind, 0) > upto:
            continue
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
        _set_terms(contract, spec, org, spec.get("earlier_terms") if n == 0 else None, upto=n)
        revision = publish_revision(
            contract=contract, changelog=changelog, by=org.people[author], at=at
        )
        unsigned = set(spec.get("unsigned", [])) if latest else set()
        for i, signer in enumerate(sorted(revision.binding_leaders.all(), key=lambda u: u.pk)):
            if signer.username not in unsigned:
                sign_revision(revision=revision, leader=signer, at=at + timedelta(hours=2 + i))
        # The status moves a day after a revision, as the leaders decided (the demo writes
        # the event itself so that it carries the past date).
        if contract.status == status:
            continue
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
        "Sales": ("Close 12 EU enterprise deals by {130}.", "Selling our platform to EU banks."),
        "Product": (
            "Ship EU data residency and the admin audit log by {45}.",
            "Making the product enterprise-ready for EU data rules.",
        ),
        "Engineering": (
            "Stand up the Frankfurt region and migrate pilot customers by {60}.",
            "A new hosting region in Frankfurt.",
        ),
        "Security": (
            "Publish the security pack and complete ISO 27001 surveillance by {90}.",
            "Passing the audits EU buyers will ask for.",
        ),
        "Legal": (
            "Approve an EU DPA template and a standard SCC annex by {20}.",
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
            "Two onboarding specialists start in {75:month} at the earliest.",
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


def _dated(text: str) -> str:
    """Fill "{45}" with the working day 45 days from today ("Friday 16 January"), on or
    before it, and "{75:month}" with that day's month."""

    def day(match: re.Match) -> str:
        when = working_day(timezone.localdate() + timedelta(days=int(match[1])), back=True)
        return f"{when:%B}" if match[2] else f"{when:%A} {when.day} {when:%B}"

    return re.sub(r"\{(\d+)(:month)?\}", day, text)


def _seed_initiative(spec: dict, org: DemoOrganisation) -> Initiative:
    initiative, _ = Initiative.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "name": spec["name"],
            "description": spec["description"],
            "leader": org.people[spec["leader"]],
            "target_date": working_day(timezone.localdate() + timedelta(days=130), back=True),
        },
    )
    commitments = {}
    for team, (promise, story) in spec["commitments"].items():
        commitments[team], _ = Commitment.objects.update_or_create(
            initiative=initiative,
            team=org.teams[team],
            defaults={"commitment": _dated(promise), "description": story},
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
                "check_by": working_day(today + timedelta(days=days), back=days < 0),
                "notes": _dated(notes),
            },
        )
    return initiative


def seed(org: DemoOrganisation) -> None:
    _seed_contract(LAUNCH, org)
    _seed_contract(REVENUE, org)
    _seed_initiative(LAUNCH_INITIATIVE, org)
