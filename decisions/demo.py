"""Twelve months of demo decisions, escalations, constraints and dependencies.

Generated with a fixed random seed, through the same services the app uses, and only into an
empty log, so a second run of seed_demo leaves the same rows.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from contracts.models import DecisionRight, Initiative
from decisions.models import Constraint, Decision, Dependency, Escalation
from decisions.services import decide, log_decision, move_dependency, reopen
from seams import demo_plan
from seams.demo import DemoOrganisation
from seams.demo_plan import working_day
from seams.models import HandoffSpec

# Why each seam escalates, so that a few causes explain most of the pain at each.
CAUSES_BY_SEAM = {
    "Custom integration intake": ["missing_inputs"] * 5
    + ["unclear_decision_rights"] * 2
    + ["sla_breach"],
    "Security sign-off": ["sla_breach"] * 4 + ["conflicting_priorities"] * 2 + ["missing_inputs"],
    "Environment provisioning": ["dependency_missed"] * 3
    + ["conflicting_priorities"]
    + ["sla_breach"],
    "Pricing approval": ["unclear_decision_rights"] * 2 + ["sla_breach"],
    "Contract language": ["sla_breach", "missing_inputs", "unclear_decision_rights"],
}
DEFAULT_CAUSES = ["missing_inputs", "sla_breach", "other"]
SEVERITIES = ["low", "medium", "medium", "high", "critical"]
CUSTOMERS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Massive Dynamic",
]
# What was missing or late, by seam (the first words of a summary or resolution).
THINGS = {
    "Custom integration intake": [
        "the sample payload",
        "the target API version",
        "the auth method",
        "a data volume estimate",
        "the customer's architecture diagram",
        "the named technical contact",
    ],
    "Security sign-off": [
        "the updated threat model",
        "the data-flow diagram",
        "the pen-test summary",
        "the list of new third parties",
    ],
    "Environment provisioning": [
        "a staging environment",
        "the budget owner's approval",
        "the cost centre",
        "the network allow-list",
    ],
    "Contract language": ["the customer's redline", "the DPA clause", "the deal desk deadline"],
    "Pricing approval": ["the discount approval", "the competitor quote", "the multi-year terms"],
    "MQL handoff": ["the lead source", "the consent record", "the fit score"],
    "Feature spec handoff": ["the success metric", "the linked designs", "the open questions"],
    "Redline turnaround": ["the redlined document", "the highlighted clauses"],
    "Access review": ["the approver's name", "the role to remove"],
    "Release handover": ["the rollback plan", "the release notes"],
}
SUMMARIES = {
    "missing_inputs": [
        "{customer} request arrived without {thing}",
        "Sent back twice: {thing} missing from the {customer} request",
        "{customer} work stalled waiting for {thing}",
    ],
    "sla_breach": [
        "{customer} waited {n} business hours for a first response",
        "No one picked up the {customer} request for {n} business hours",
        "{customer} response came {n} business hours after it was asked for",
    ],
    "unclear_decision_rights": [
        "Nobody could say who decides on {thing} for {customer}",
        "{customer} question bounced between three people before anyone decided",
    ],
    "dependency_missed": [
        "Waited on {thing} for {customer} past the needed-by date",
        "{customer} go-live slipped: {thing} came late",
    ],
    "conflicting_priorities": [
        "{customer} work and the release freeze collided",
        "Two deadlines collided on {thing} for {customer}",
    ],
    "other": [
        "Surprise on {thing} for {customer}",
        "{customer} asked for something the spec doesn't cover",
    ],
}
RESOLUTIONS = {
    "missing_inputs": [
        "{person} sent it back with a note on {thing}; {customer} supplied it on {day} and "
        "work started the same afternoon.",
        "{person} got {thing} from {customer} on a 15-minute call and the request went back to "
        "the top of the queue.",
        "Request resubmitted complete on {day} after {person} walked {customer}'s team through "
        "the definition of ready.",
        "{customer} had {thing} all along, in an email thread; {person} attached it and the "
        "work went ahead on {day}.",
    ],
    "sla_breach": [
        "{person} picked it up on {day}; {customer} had an apology and a new date the same day.",
        "Borrowed a reviewer for the week; the {customer} request and {n} others cleared by {day}.",
        "{person} cleared the backlog in a Friday session; {customer} got an answer on {day}.",
        "Moved the {customer} request to the front of the queue on {day} and told the account "
        "team why it was late.",
    ],
    "unclear_decision_rights": [
        "{decider} decided it in the {forum} on {day}; the answer is in the decision log.",
        "Agreed in the {forum} that {decider} decides these; {customer} had the answer on {day}.",
        "{decider} took the call on {day} after {person} brought the options on one page.",
    ],
    "dependency_missed": [
        "{thing} arrived on {day}, {n} days late; {customer} agreed a new milestone.",
        "{person} put a stopgap in place for {customer} on {day} while the real fix is built.",
        "Escalated to the {forum}; {thing} was delivered on {day} and {customer} went live a "
        "week later.",
    ],
    "conflicting_priorities": [
        "{decider} ranked the {customer} work first for two weeks; {person} moved onto it on "
        "{day}.",
        "Split the week: mornings on {customer}, afternoons on the release, agreed with "
        "{decider} on {day}.",
        "{decider} pushed the internal work back a sprint so {customer} could go ahead on {day}.",
    ],
    "other": [
        "{person} wrote up what {customer} needed; it became a change request on {day}.",
        "Handled once as an exception for {customer}, signed off by {decider} on {day}.",
    ],
}
ROOT_CAUSES = {
    "missing_inputs": [
        "Nobody checks the definition of ready before a request is accepted.",
        "The request form doesn't ask for {thing}, so senders don't know it's needed.",
        "The account team sends requests from Slack, outside the form.",
        "{thing} is asked for in the spec but not in the form the sender fills in.",
    ],
    "sla_breach": [
        "One person covers the queue and nobody covers them when they're out.",
        "Capacity is planned for the average week, not the end-of-quarter peak.",
        "Urgent and routine requests share one queue with no triage.",
        "The queue isn't looked at on {weekday}s: the triage slot was cancelled.",
    ],
    "unclear_decision_rights": [
        "The decision right for this isn't written down, so it goes upward by default.",
        "Two leaders each think the other decides.",
        "The decider is named, but the requester didn't know who it was.",
    ],
    "dependency_missed": [
        "The provider team learned of the date after committing to other work.",
        "The needed-by date was never agreed, only assumed.",
        "The dependency was tracked in a spreadsheet nobody owns.",
    ],
    "conflicting_priorities": [
        "Both deadlines were set without looking at the other team's plan.",
        "The release calendar isn't visible to the teams that depend on it.",
    ],
    "other": ["The spec doesn't say what to do with this kind of request."],
}

QUESTIONS = {
    "Integration scope": [
        "Scope the {c} connector before the deal closes?",
        "Build a custom SSO integration for {c}?",
        "Take on a two-way CRM sync for {c}, or offer the standard export?",
    ],
    "Risk acceptance": [
        "Accept residual pen-test risk for {c}, or slip two weeks?",
        "Allow a contractor as second security reviewer for {c}?",
        "Ship the {c} feature with one medium finding open?",
    ],
    "Pricing exception": [
        "Let deal desk approve 25 % for {c} without the CFO?",
        "Grant {c} a three-year price lock?",
        "Match the competitor's per-seat price for {c}?",
    ],
    "Environment budget": [
        "Fund two more staging environments for {c}?",
        "Keep the {c} pilot environment past its end date?",
        "Give {c} a dedicated performance-test environment?",
    ],
    "Non-standard DPA clause": [
        "Accept {c}'s sub-processor clause?",
        "Allow EU-only support staff for {c}?",
        "Agree to {c}'s 24-hour breach notification?",
    ],
    "Lead qualification rules": ["Count webinar leads from {c} as MQLs?"],
    "Lead routing change": [
        "Route {c}'s inbound leads straight to the named account executive?",
        "Send partner-sourced leads like {c}'s to a separate queue?",
    ],
    "Sprint scope change": [
        "Pull the {c} reporting change into this sprint?",
        "Drop the audit-log export to make room for {c}'s SSO fix?",
    ],
    "Fallback clause": [
        "Offer {c} our fallback liability cap?",
        "Accept {c}'s governing-law change without a second review?",
    ],
    "Privileged access exception": [
        "Give the {c} implementation contractor admin access for a week?",
        "Keep a leaver's access for the {c} migration handover?",
    ],
    "Release window change": [
        "Move the release out of {c}'s quarter-end freeze?",
        "Ship the {c} hotfix outside the Friday window?",
    ],
}
OUTCOMES = [
    "Yes, with conditions.",
    "No: not this quarter.",
    "Yes.",
    "Yes, for this customer only.",
    "No: offer the standard option instead.",
    "Yes, reviewed again in 90 days.",
]
RATIONALES = [
    "Agreed in the seam sync with the consulted teams.",
    "The deal is worth it and the risk is contained; consulted teams agreed.",
    "It sets a precedent we don't want; the standard option covers the need.",
    "Cheaper than the delay it would cause; the owner confirmed capacity.",
    "The consulted team needs two more weeks; revisit after the release.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _day(when: datetime) -> str:
    return f"{when:%A} {when.day} {when:%B}"


class UniqueText:
    """Fills templates until a text not written before comes out."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def fill(self, rng: random.Random, templates: list[str], **slots) -> str:
        text = ""
        for attempt in range(40):
            values = {
                key: (rng.choice(value) if isinstance(value, list) else value)
                for key, value in slots.items()
            }
            text = rng.choice(templates).format(**values)
            text = text[:1].upper() + text[1:]
            if text not in self.seen:
                break
            if attempt > 30:  # the draw keeps repeating: say what is different this time
                text = f"{text[:-1]} (again, {values.get('day', '')})."
        self.seen.add(text)
        return text


def _seed_escalations(org: DemoOrganisation) -> None:
    raisers = [org.people[u] for u in ("olivia", "ben", "dana", "priya", "arjun", "luis")]
    solvers = [org.people[u] for u in ("priya", "wei", "arjun", "luis", "sofia", "hannah", "nadia")]
    now = timezone.now()
    resolutions = UniqueText()
    specs = {s.seam_id: s for s in HandoffSpec.objects.select_related("escalate_to")}
    for seam_name, seam in org.seams.items():
        profile = demo_plan.PROFILES[seam_name]
        things = THINGS[seam_name]
        spec = specs.get(seam.pk)
        decider = spec.escalate_to.display_name if spec and spec.escalate_to else "The owner"
        forum = spec.forum.split(",")[0] if spec and spec.forum else "seam sync"
        for back, month in demo_plan.demo_months(timezone.localdate()):
            rng = demo_plan.month_rng(seam_name, month, "escalations")
            plan = demo_plan.plan_for(seam_name, back, rng)
            count = (
                plan.escalations
                if plan.escalations is not None
                else demo_plan.poisson(rng, profile.escalations)
            )
            clock = demo_plan.MonthClock(seam.calendar, month)
            for _ in range(count):
                raised = clock.at(rng.uniform(demo_plan.EPS, clock.hours - demo_plan.EPS))
                cause = rng.choice(CAUSES_BY_SEAM.get(seam_name, DEFAULT_CAUSES))
                customer, thing = rng.choice(CUSTOMERS), rng.choice(things)
                summary = rng.choice(SUMMARIES[cause]).format(
                    customer=customer, thing=thing, n=rng.randint(20, 60)
                )
                if raised > now:
                    continue  # later this month
                escalation = Escalation(
                    seam=seam,
                    cause=cause,
                    raised_by=rng.choice(raisers),
                    raised_at=raised,
                    severity=rng.choice(SEVERITIES),
                    summary=summary[:1].upper() + summary[1:],
                )
                # Resolved in working time, within a couple of weeks.
                resolved = seam.calendar.add_business_hours(raised, rng.uniform(3, 70))
                if resolved < now - timedelta(days=3):
                    escalation.resolved_at = resolved
                    escalation.resolution = resolutions.fill(
                        rng,
                        RESOLUTIONS[cause],
                        person=[p.first_name for p in solvers],
                        customer=customer,
                        thing=thing,
                        day=_day(resolved),
                        n=str(rng.randint(2, 9)),
                        decider=decider,
                        forum=forum,
                    )
                    # Root causes recur: the same cause behind several escalations is the point.
                    escalation.root_cause = rng.choice(ROOT_CAUSES[cause]).format(
                        thing=thing, weekday=rng.choice(WEEKDAYS)
                    )
                    escalation.root_cause = (
                        escalation.root_cause[:1].upper() + escalation.root_cause[1:]
                    )
                escalation.save()


def _seed_decisions(org: DemoOrganisation) -> None:
    requesters = [
        org.people[u] for u in ("olivia", "dana", "priya", "arjun", "hannah", "luis", "ben")
    ]
    rights = list(
        DecisionRight.objects.select_related("seam__calendar", "decider", "contract").order_by(
            "contract_id", "pk"
        )
    )
    now = timezone.now()
    today = timezone.localdate()
    for seam_name, seam in org.seams.items():
        own = [r for r in rights if r.seam_id == seam.pk]
        if not own:
            continue
        calendar = own[0].seam.calendar
        profile = demo_plan.PROFILES[seam_name]
        for back, month in demo_plan.demo_months(today):
            rng = demo_plan.month_rng(seam_name, month, "decisions")
            plan = demo_plan.plan_for(seam_name, back, rng)
            clock = demo_plan.MonthClock(calendar, month)
            latencies = demo_plan.sample(rng, profile.decisions, plan.decision_p85, spread=0.4)
            for i, latency in enumerate(latencies):
                right = own[i % len(own)]
                at = rng.uniform(demo_plan.EPS, clock.hours - demo_plan.EPS)
                requested, decided_at = clock.at(at - latency), clock.at(at)
                if requested > now:
                    continue
                decision = log_decision(
                    question=rng.choice(QUESTIONS[right.decision_type]).format(
                        c=rng.choice(CUSTOMERS)
                    ),
                    decision_type=right.decision_type,
                    seam=seam,
                    requested_by=rng.choice(requesters),
                    requested_at=requested,
                )
                if decided_at > now:
                    continue  # still waiting for its decider
                decide(
                    decision=decision,
                    by=right.decider,
                    at=decided_at,
                    outcome=rng.choice(OUTCOMES),
                    rationale=rng.choice(RATIONALES),
                )
        # One recent request per right still waiting: about half past their due time.
        clock = demo_plan.MonthClock(calendar, demo_plan.month_start(today))
        elapsed = calendar.business_hours_between(clock.start, now)
        rng = demo_plan.month_rng(seam_name, today, "waiting")
        for right in own:
            waited = rng.choice([0.25, 0.5, 0.8, 1.6]) * float(right.decision_sla_hours)
            log_decision(
                question=rng.choice(QUESTIONS[right.decision_type]).format(c=rng.choice(CUSTOMERS)),
                decision_type=right.decision_type,
                seam=seam,
                requested_by=rng.choice(requesters),
                requested_at=min(clock.at(elapsed - waited), now),
            )
        if seam_name in REOPENED:
            _reopened(rng, own[0], seam, clock, elapsed, requesters)


# Seams where a recent decision is being re-litigated: (question, outcome, why reopened).
REOPENED = {
    "Custom integration intake": (
        "Build the Stark SAP connector as a paid extension?",
        "Yes, as a fixed-price extension.",
        "Stark's procurement now wants it in the subscription: the decision needs another look.",
    ),
    "Pricing approval": (
        "Let deal desk approve 25 % for Globex without the CFO?",
        "Yes, this once.",
        "Globex asked for the same on their second region; is this now the rule?",
    ),
}


def _reopened(rng, right, seam, clock, elapsed, requesters) -> None:
    """A decision made days ago and reopened since: its due time (from the first request)
    has passed while it waits again. Reopened, it has no latency in any month."""
    question, outcome, reason = REOPENED[seam.name]
    sla = float(right.decision_sla_hours)
    requested = clock.at(elapsed - 1.6 * sla)
    decision = log_decision(
        question=question,
        decision_type=right.decision_type,
        seam=seam,
        requested_by=rng.choice(requesters),
        requested_at=requested,
    )
    decided = seam.calendar.add_business_hours(requested, 0.7 * sla)
    decision = decide(
        decision=decision,
        by=right.decider,
        at=decided,
        outcome=outcome,
        rationale=rng.choice(RATIONALES),
    )
    reopen(
        decision=decision,
        by=decision.requested_by,
        at=max(timezone.now() - timedelta(hours=2), decided),
        reason=reason,
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
            raised_at=working_day(today - timedelta(days=raised_days), back=True),
            removed_at=(
                working_day(today - timedelta(days=removed_days), back=True)
                if removed_days
                else None
            ),
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
    for index, (title, provider, consumer, seam, owner, needed, committed, status) in enumerate(
        cards
    ):
        dependency = Dependency.objects.create(
            title=title,
            provider=org.teams[provider],
            consumer=org.teams[consumer],
            seam=org.seams[seam] if seam else None,
            owner=org.people[owner],
            needed_by=working_day(today + timedelta(days=needed), back=needed < 0),
            committed_date=(
                working_day(today + timedelta(days=committed), back=committed < 0)
                if committed is not None
                else None
            ),
        )
        # Each has an age and the delivered ones took some time: the initiative forecast
        # reads both.
        # The launch's were asked for this week, the rest two to six weeks ago.
        age = 2 + index % 4 if title in LAUNCH_DEPENDENCIES else 14 + 3 * (index % 10)
        Dependency.objects.filter(pk=dependency.pk).update(
            created_at=timezone.now() - timedelta(days=age)
        )
        for step in path[status]:
            move_dependency(dependency=dependency, to_status=step, by=ops)
        if status == "delivered":
            # One delivered the working day before it was needed, one three working days late.
            late = -1 if "CRM" in title else 3
            Dependency.objects.filter(pk=dependency.pk).update(
                delivered_at=demo_plan.working_days_from(dependency.needed_by, late)
            )
    # What the EU launch waits on: its forecast reads these (contracts.demo seeds the launch).
    Dependency.objects.filter(title__in=LAUNCH_DEPENDENCIES).update(
        initiative=Initiative.objects.filter(slug=LAUNCH_SLUG).first()
    )


LAUNCH_SLUG = "eu-enterprise-launch"
LAUNCH_DEPENDENCIES = {
    "DPA clause set approved",
    "Data-processing addendum for Globex",
    "Vendor security questionnaire template",
    "Staging environment for the Globex pilot",
}


def seed(org: DemoOrganisation) -> None:
    if Decision.objects.exists() or Escalation.objects.exists() or Dependency.objects.exists():
        return  # the log is history: written once, never rewritten
    _seed_escalations(org)
    _seed_decisions(org)
    _seed_constraints(org)
    _seed_dependencies(org)
