"""Twelve months of demo decisions, escalations, constraints and dependencies.

Generated with a fixed random seed, through the same services the app uses, and only into an
empty log, so a second run of seed_demo leaves the same rows.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from contracts.models import DecisionRight
from decisions.models import Constraint, Decision, Dependency, Escalation
from decisions.services import decide, log_decision, move_dependency, reopen
from seams.demo import DemoOrganisation

# How often each seam escalates, so that a few seams explain most of the pain.
ESCALATION_WEIGHTS = {
    "Custom integration intake": 18,
    "Security sign-off": 14,
    "Environment provisioning": 9,
    "Pricing approval": 4,
    "Contract language": 3,
    "MQL handoff": 2,
    "Redline turnaround": 2,
    "Access review": 1,
    "Feature spec handoff": 1,
}
CAUSES_BY_SEAM = {
    "Custom integration intake": ["missing_inputs"] * 5
    + ["unclear_decision_rights"] * 2
    + ["sla_breach"],
    "Security sign-off": ["sla_breach"] * 4 + ["conflicting_priorities"] * 2 + ["missing_inputs"],
    "Environment provisioning": ["dependency_missed"] * 3
    + ["conflicting_priorities"]
    + ["sla_breach"],
}
SUMMARIES = {
    "missing_inputs": "Request arrived without {what}",
    "sla_breach": "Response took {n} business hours against the SLA",
    "unclear_decision_rights": "Nobody could say who decides {what}",
    "dependency_missed": "Waited on {what} past the needed-by date",
    "conflicting_priorities": "Two deadlines collided on {what}",
    "other": "Surprise on {what}",
}
THINGS = [
    "the sample payload",
    "the security questionnaire",
    "a staging environment",
    "the customer's architecture diagram",
    "the discount approval",
    "the DPA redline",
    "the pen-test summary",
    "the lead source",
]

QUESTIONS = {
    "Integration scope": [
        "Scope the {c} connector before the deal closes?",
        "Build a custom SSO integration for {c}?",
    ],
    "Risk acceptance": [
        "Accept residual pen-test risk for {c}, or slip two weeks?",
        "Allow a contractor as second security reviewer for {c}?",
    ],
    "Pricing exception": [
        "Let deal desk approve 25 % for {c} without the CFO?",
        "Grant {c} a three-year price lock?",
    ],
    "Environment budget": [
        "Fund two more staging environments for {c}?",
        "Keep the {c} pilot environment past its end date?",
    ],
    "Non-standard DPA clause": [
        "Accept {c}'s sub-processor clause?",
        "Allow EU-only support staff for {c}?",
    ],
    "Lead qualification rules": ["Count webinar leads from {c} as MQLs?"],
}
CUSTOMERS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"]


def _at(rng: random.Random, days_ago: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(
        datetime.combine(day, time(rng.randint(9, 16), rng.choice([0, 15, 30, 45])))
    )


def _seed_escalations(rng: random.Random, org: DemoOrganisation) -> None:
    raisers = [org.people[u] for u in ("olivia", "ben", "dana", "priya", "arjun", "luis")]
    for seam_name, weight in ESCALATION_WEIGHTS.items():
        seam = org.seams[seam_name]
        for _ in range(weight * 2):  # twelve months
            cause = rng.choice(
                CAUSES_BY_SEAM.get(seam_name, ["missing_inputs", "sla_breach", "other"])
            )
            days_ago = rng.randint(0, 364)
            raised = _at(rng, days_ago)
            escalation = Escalation(
                seam=seam,
                cause=cause,
                raised_by=rng.choice(raisers),
                raised_at=raised,
                severity=rng.choice(["low", "medium", "medium", "high", "critical"]),
                summary=SUMMARIES[cause].format(what=rng.choice(THINGS), n=rng.randint(20, 60)),
            )
            if days_ago > 20:
                escalation.resolved_at = raised + timedelta(days=rng.randint(1, 10))
                escalation.resolution = "Handled in the seam sync; requester informed."
                escalation.root_cause = (
                    "Definition of ready not checked at intake."
                    if cause == "missing_inputs"
                    else "Capacity planned for the average week, not the peak."
                )
            escalation.save()


def _seed_decisions(rng: random.Random, org: DemoOrganisation) -> None:
    requesters = [
        org.people[u] for u in ("olivia", "dana", "priya", "arjun", "hannah", "luis", "ben")
    ]
    rights = DecisionRight.objects.select_related("seam__calendar", "decider")
    now = timezone.now()
    for right in rights:
        for _ in range(6):
            days_ago = rng.randint(1, 360)
            requested = _at(rng, days_ago)
            question = rng.choice(QUESTIONS[right.decision_type]).format(c=rng.choice(CUSTOMERS))
            decision = log_decision(
                question=question,
                decision_type=right.decision_type,
                seam=right.seam,
                requested_by=rng.choice(requesters),
                requested_at=requested,
            )
            if days_ago < 8 and rng.random() < 0.7:
                continue  # still open, some of them overdue
            # Mostly on time, sometimes late.
            hours_late = rng.choice([0, 0, 0, 0, 6, 30])
            decided_at = min(
                decision.due_at + timedelta(hours=hours_late) - timedelta(hours=rng.randint(1, 8)),
                now,
            )
            decide(
                decision=decision,
                by=right.decider,
                at=max(decided_at, requested),
                outcome=rng.choice(["Yes, with conditions.", "No: not this quarter.", "Yes."]),
                rationale="Agreed in the seam sync with the consulted teams.",
            )
    # One recent request per right still waiting: most of them past their due time.
    for n, right in enumerate(rights):
        question = rng.choice(QUESTIONS[right.decision_type]).format(c=rng.choice(CUSTOMERS))
        log_decision(
            question=question,
            decision_type=right.decision_type,
            seam=right.seam,
            requested_by=rng.choice(requesters),
            requested_at=_at(rng, [9, 6, 4, 3, 1, 0][n % 6]),
        )
    # A couple of decisions re-litigated, to show reopened ones.
    for decision in Decision.objects.filter(status="decided").order_by("-decided_at")[:2]:
        reopen(
            decision=decision,
            by=decision.requested_by,
            at=max(now - timedelta(days=2), decision.decided_at),
            reason="New facts from the customer: the decision needs another look.",
        )


def _seed_constraints(org: DemoOrganisation) -> None:
    today = timezone.localdate()
    items = [
        (
            "One security reviewer signs off every release",
            "Security sign-off",
            None,
            "rachel",
            41,
            None,
        ),
        (
            "60 % of integration requests still arrive by Slack DM",
            "Custom integration intake",
            None,
            "dana",
            23,
            None,
        ),
        (
            "Staging capped at 6 environments by budget",
            "Environment provisioning",
            None,
            "luis",
            12,
            None,
        ),
        ("Legal has no template for EU sub-processor lists", None, "Legal", "sofia", 30, None),
        ("Deal desk meets twice a week only", "Pricing approval", None, "hannah", 90, 40),
    ]
    for text, seam, team, owner, raised_days, removed_days in items:
        Constraint.objects.create(
            description=text,
            owner=org.people[owner],
            seam=org.seams[seam] if seam else None,
            team=org.teams[team] if team else None,
            raised_at=today - timedelta(days=raised_days),
            removed_at=today - timedelta(days=removed_days) if removed_days else None,
        )


def _seed_dependencies(org: DemoOrganisation) -> None:
    today = timezone.localdate()
    cards = [
        # title, provider, consumer, seam, owner, needed in, committed in, final status
        (
            "Pricing sign-off for the Initech renewal",
            "Finance",
            "Sales",
            "Pricing approval",
            "hannah",
            5,
            None,
            "requested",
        ),
        (
            "Data-processing addendum for Globex",
            "Legal",
            "Sales",
            "Redline turnaround",
            "sofia",
            12,
            None,
            "requested",
        ),
        (
            "Vendor security questionnaire template",
            "Security",
            "Sales",
            None,
            "arjun",
            12,
            10,
            "committed",
        ),
        (
            "Staging environment for the Globex pilot",
            "Operations",
            "Engineering",
            "Environment provisioning",
            "luis",
            10,
            10,
            "committed",
        ),
        (
            "SSO/SAML connector for the Acme pilot",
            "Engineering",
            "Sales",
            None,
            "tom",
            15,
            12,
            "in_progress",
        ),
        ("Sandbox tenant for the Acme pilot", "Engineering", "Sales", None, "wei", 5, 9, "at_risk"),
        (
            "DPA clause set approved",
            "Legal",
            "Product",
            "Contract language",
            "sofia",
            3,
            10,
            "at_risk",
        ),
        (
            "Lead-scoring rules in the CRM",
            "Marketing",
            "Sales",
            "MQL handoff",
            "jonas",
            -6,
            -7,
            "delivered",
        ),
        (
            "Second security reviewer onboarded",
            "Security",
            "Engineering",
            "Security sign-off",
            "arjun",
            -12,
            -12,
            "delivered",
        ),
        (
            "Self-service environment templates",
            "Operations",
            "Engineering",
            "Environment provisioning",
            "luis",
            -3,
            -3,
            "missed",
        ),
    ]
    path = {
        "requested": [],
        "committed": ["committed"],
        "in_progress": ["committed", "in_progress"],
        "at_risk": ["committed", "at_risk"],
        "delivered": ["committed", "in_progress", "delivered"],
        "missed": ["committed", "in_progress", "missed"],
    }
    ops = org.people["olivia"]
    for title, provider, consumer, seam, owner, needed, committed, status in cards:
        dependency = Dependency.objects.create(
            title=title,
            provider=org.teams[provider],
            consumer=org.teams[consumer],
            seam=org.seams[seam] if seam else None,
            owner=org.people[owner],
            needed_by=today + timedelta(days=needed),
            committed_date=today + timedelta(days=committed) if committed is not None else None,
        )
        for step in path[status]:
            move_dependency(dependency=dependency, to_status=step, by=ops)
        if status == "delivered":
            Dependency.objects.filter(pk=dependency.pk).update(
                delivered_at=dependency.needed_by - timedelta(days=1 if "CRM" in title else -3)
            )


def seed(org: DemoOrganisation) -> None:
    if Decision.objects.exists() or Escalation.objects.exists() or Dependency.objects.exists():
        return  # the log is history: written once, never rewritten
    rng = random.Random(2026)
    _seed_escalations(rng, org)
    _seed_decisions(rng, org)
    _seed_constraints(org)
    _seed_dependencies(org)
