"""The demo organisation (Northwind Cloud, a B2B software company): people, teams, calendars,
seams and their handoff specs with a few versions each.

`seed` is idempotent: it creates or updates rows by their natural keys (username, team slug)
and makes each demo person's roles and memberships exactly those listed here. Later apps
seed their own demo data (seams, contracts, decisions, handoffs) on top of what it returns.
"""

from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal

import holidays
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from common.slugs import slug_for, slug_length
from seams import demo_plan
from seams.business_time import business_hours_between
from seams.models import (
    Calendar,
    CalendarHoliday,
    Handoff,
    HandoffSpec,
    Membership,
    Seam,
    Team,
    User,
)
from seams.permissions import LEADER, OPS, ORG_ROLES, VIEWER, role_label
from seams.services import MemberSpec, save_spec, save_team

DEMO_PASSWORD = "seamline-demo"
DEMO_EMAIL_DOMAIN = "northwind.example"

OWNER, MEMBER = Membership.Role.OWNER, Membership.Role.MEMBER


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    job_title: str
    org_role: str | None = None
    teams: tuple[tuple[str, str], ...] = ()  # (team name, membership role)
    admin: bool = False


TEAMS = [
    # name, one line on what it does, leader's username
    ("Sales", "Wins and grows customer accounts.", "tom"),
    ("Marketing", "Generates and qualifies demand.", "amara"),
    ("Product", "Decides what we build and why.", "maya"),
    ("Engineering", "Builds and runs the platform.", "lars"),
    ("Security", "Keeps customers' data and the platform safe.", "rachel"),
    ("Legal", "Contracts, privacy and regulatory commitments.", "grace"),
    ("Operations", "Environments, access and customer onboarding.", "elena"),
    ("Finance", "Pricing approvals, budgets and billing.", "david"),
]

PEOPLE = [
    # The leadership team: each leads a function.
    Person("elena", "Elena", "Ward", "Chief Operating Officer", LEADER, admin=True),
    Person("maya", "Maya", "Chen", "VP Product", LEADER),
    Person("tom", "Tom", "Becker", "VP Sales", LEADER),
    Person("amara", "Amara", "Okafor", "Chief Marketing Officer", LEADER),
    Person("lars", "Lars", "Henriksen", "VP Engineering", LEADER),
    Person("rachel", "Rachel", "Kim", "Chief Information Security Officer", LEADER),
    Person("grace", "Grace", "Liu", "General Counsel", LEADER),
    Person("david", "David", "Osei", "Chief Financial Officer", LEADER),
    # Team owners: they write the handoff specs of their team's seams.
    Person("dana", "Dana", "Ortiz", "Sales Operations Manager", teams=(("Sales", OWNER),)),
    Person("jonas", "Jonas", "Berg", "Marketing Operations Manager", teams=(("Marketing", OWNER),)),
    Person("priya", "Priya", "Nair", "Product Operations Lead", teams=(("Product", OWNER),)),
    Person(
        "luis", "Luis", "Moreno", "Platform Engineering Manager", teams=(("Engineering", OWNER),)
    ),
    Person("arjun", "Arjun", "Rao", "Security Engineering Lead", teams=(("Security", OWNER),)),
    Person("sofia", "Sofia", "Marin", "Commercial Counsel", teams=(("Legal", OWNER),)),
    Person("nadia", "Nadia", "Haddad", "Operations Manager", teams=(("Operations", OWNER),)),
    Person("hannah", "Hannah", "Lee", "Finance Business Partner", teams=(("Finance", OWNER),)),
    # Ops: they log decisions, escalations and handoffs across the organisation.
    Person(
        "olivia",
        "Olivia",
        "Park",
        "Business Operations Analyst",
        OPS,
        teams=(("Operations", MEMBER),),
    ),
    Person("ben", "Ben", "Carter", "Revenue Operations Analyst", OPS, teams=(("Sales", MEMBER),)),
    # Viewers read everything and change nothing.
    Person("victor", "Victor", "Hale", "Strategy Analyst", VIEWER),
    Person("ines", "Ines", "Duarte", "Financial Analyst", VIEWER, teams=(("Finance", MEMBER),)),
    # Team members.
    Person("wei", "Wei", "Zhang", "Group Product Manager", teams=(("Product", MEMBER),)),
    Person("kofi", "Kofi", "Mensah", "Release Manager", teams=(("Engineering", MEMBER),)),
    Person(
        "noah", "Noah", "Fischer", "Site Reliability Engineer", teams=(("Engineering", MEMBER),)
    ),
    Person("sam", "Sam", "Whitfield", "Legal Operations Specialist", teams=(("Legal", MEMBER),)),
    Person("ethan", "Ethan", "Brooks", "Account Executive", teams=(("Sales", MEMBER),)),
    Person("mia", "Mia", "Rossi", "Demand Generation Manager", teams=(("Marketing", MEMBER),)),
    Person("leah", "Leah", "Porter", "Security Analyst", teams=(("Security", MEMBER),)),
    Person("omar", "Omar", "Said", "Onboarding Specialist", teams=(("Operations", MEMBER),)),
]

# One login per kind of user, printed after seeding.
SAMPLE_LOGINS = ["elena", "priya", "olivia", "victor"]


@dataclass
class DemoOrganisation:
    people: dict[str, User] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    seams: dict[str, Seam] = field(default_factory=dict)


def seed() -> DemoOrganisation:
    org = DemoOrganisation()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ORG_ROLES}
    # One hash for every demo account: hashing 28 passwords one by one takes seconds.
    password_hash = make_password(DEMO_PASSWORD)
    for person in PEOPLE:
        user, created = User.objects.update_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.first_name}.{person.last_name}@{DEMO_EMAIL_DOMAIN}".lower(),
                "job_title": person.job_title,
                "is_active": True,
                "is_staff": person.admin,
                "is_superuser": person.admin,
            },
        )
        if created:
            user.password = password_hash
            user.save(update_fields=["password"])
        user.groups.set([groups[person.org_role]] if person.org_role else [])
        org.people[person.username] = user

    for name, description, leader in TEAMS:
        slug = slug_for(name, slug_length(Team))
        team = Team.objects.filter(slug=slug).first() or Team(slug=slug)
        team.name, team.description, team.leader = name, description, org.people[leader]
        members = [
            MemberSpec(user=org.people[p.username], role=role)
            for p in PEOPLE
            for team_name, role in p.teams
            if team_name == name
        ]
        org.teams[name] = save_team(team=team, members=members)
    org.seams = seed_seams(org)
    return org


def describe_login(user: User) -> str:
    return f"{user.username:<8} {user.display_name}, {user.job_title} ({role_label(user)})"


# --- Calendars, seams and their specs --------------------------------------------------------


@dataclass(frozen=True)
class DemoSeam:
    name: str
    from_team: str
    to_team: str
    owner: str
    status: str
    calendar: str
    description: str
    ready: tuple[str, ...]
    done: str
    response_sla: int
    completion_sla: int | None
    escalate_to: str
    escalate_after: int
    forum: str
    # Earlier versions, oldest first: (days ago, author, note, changes to the final content).
    history: tuple[tuple[int, str, str, dict], ...] = ()


UK_CALENDAR = ("uk-business-hours", "UK business hours", "Europe/London", "GB", "ENG")
US_CALENDAR = (
    "us-eastern-business-hours",
    "US Eastern business hours",
    "America/New_York",
    "US",
    "NY",
)

SEAMS = [
    DemoSeam(
        "Custom integration intake",
        "Sales",
        "Product",
        "priya",
        "pilot",
        "uk-business-hours",
        "Requests for custom integrations from deals in flight.",
        (
            "Customer use case in one paragraph, with the business outcome",
            "Target systems named, with API versions and auth method",
            "Data volume estimate and a sample payload attached",
            "Deal value and expected close date, from the CRM",
            "Security questionnaire status: not started, in progress or done",
            "Named technical contact at the customer",
        ),
        "A scoped integration brief with an effort estimate (S, M or L) and the assumptions "
        "behind it, a named engineering owner and the earliest start date, and the go or no-go "
        "recorded in the decision log.",
        16,
        40,
        "maya",
        24,
        "Revenue–Product seam sync, Thursdays 10:00",
        history=(
            (
                70,
                "priya",
                "First spec agreed in the Revenue–Product sync",
                {
                    "response_sla_hours": 32,
                    "completion_sla_hours": None,
                    "ready": 4,
                    "owner": "wei",
                },
            ),
            (
                40,
                "maya",
                "Owner changed from Wei Zhang to Priya Nair",
                {"response_sla_hours": 32, "completion_sla_hours": None, "ready": 4},
            ),
            (17, "priya", "Pilot starts: response SLA 32 → 16 h", {"ready": 5}),
            (3, "dana", "Sample payload now required in the definition of ready", {}),
        ),
    ),
    DemoSeam(
        "Security sign-off",
        "Engineering",
        "Security",
        "arjun",
        "active",
        "uk-business-hours",
        "Security review before a feature ships to customers.",
        (
            "Threat model updated for the change",
            "Data flows and new third parties listed",
            "Pen-test findings from the last cycle closed or accepted",
        ),
        "A signed-off security review in the ticket, with any accepted risks named and their "
        "owner.",
        40,
        80,
        "rachel",
        40,
        "Security risk review, Tuesdays 14:00",
        history=(
            (60, "arjun", "First spec", {"response_sla_hours": 56}),
            (20, "rachel", "Response SLA 56 → 40 h after the Q3 review", {}),
        ),
    ),
    DemoSeam(
        "Environment provisioning",
        "Operations",
        "Engineering",
        "luis",
        "active",
        "uk-business-hours",
        "Staging and pilot environments for customer projects.",
        (
            "Customer and project code",
            "Environment size from the standard list",
            "Budget owner approval for non-standard sizes",
        ),
        "A running environment with access granted to the named people, and its cost centre set.",
        16,
        40,
        "lars",
        16,
        "Platform stand-up, daily 09:30",
        history=((45, "luis", "First spec", {}),),
    ),
    DemoSeam(
        "Contract language",
        "Product",
        "Legal",
        "sofia",
        "active",
        "uk-business-hours",
        "Non-standard contract and DPA language that needs a product view.",
        (
            "Clause text and the customer's redline",
            "Product capability it depends on",
            "Deadline from the deal desk",
        ),
        "Approved, amended or rejected language with the reason, recorded on the deal.",
        40,
        None,
        "grace",
        40,
        "Deal desk, Mondays and Thursdays",
        history=(
            (50, "sofia", "First spec", {"response_sla_hours": 48}),
            (12, "sofia", "SLA 48 → 40 h; DPA clauses go to privacy counsel first", {}),
        ),
    ),
    DemoSeam(
        "Pricing approval",
        "Finance",
        "Sales",
        "hannah",
        "active",
        "us-eastern-business-hours",
        "Discount and pricing exceptions above the deal desk's authority.",
        (
            "Discount requested and the list price",
            "Competitive situation in one line",
            "Multi-year commitment, if any",
        ),
        "An approved or declined price with conditions, visible on the opportunity.",
        8,
        16,
        "david",
        8,
        "Deal desk, daily 16:00",
        history=((30, "hannah", "First spec", {}),),
    ),
    DemoSeam(
        "MQL handoff",
        "Marketing",
        "Sales",
        "jonas",
        "active",
        "us-eastern-business-hours",
        "Marketing-qualified leads passed to sales development.",
        ("Lead source and campaign", "Fit score and the reason", "Contact consent recorded"),
        "First contact attempt logged, or the lead returned with a reason.",
        4,
        24,
        "amara",
        8,
        "Pipeline review, Mondays 11:00",
        history=(
            (25, "jonas", "First spec", {"ready": 2}),
            (6, "jonas", "Consent must be recorded before handoff", {}),
        ),
    ),
    DemoSeam(
        "Feature spec handoff",
        "Product",
        "Engineering",
        "wei",
        "active",
        "uk-business-hours",
        "Product specs handed to engineering for sizing.",
        ("Problem statement and success metric", "Designs linked", "Open questions listed"),
        "A sized estimate and a planned sprint, or questions back to product.",
        16,
        40,
        "maya",
        24,
        "Product–Engineering sync, Wednesdays",
    ),
    DemoSeam(
        "Redline turnaround",
        "Legal",
        "Sales",
        "sam",
        "active",
        "uk-business-hours",
        "Legal's redlines back to the account executive.",
        ("Redlined document attached", "Clauses that need the customer's answer highlighted"),
        "The account executive confirms the redline went to the customer.",
        24,
        None,
        "grace",
        24,
        "Deal desk, Mondays and Thursdays",
    ),
    DemoSeam(
        "Access review",
        "Security",
        "Operations",
        "nadia",
        "active",
        "24x7",
        "Quarterly and joiner-mover-leaver access changes.",
        ("Person, system and role", "Approver named"),
        "Access granted or removed, and the ticket closed with evidence.",
        8,
        24,
        "rachel",
        8,
        "Security operations channel",
    ),
    DemoSeam(
        "Release handover",
        "Engineering",
        "Operations",
        "kofi",
        "proposed",
        "uk-business-hours",
        "Releases handed to operations for customer communication.",
        ("Release notes", "Rollback plan", "Customer-facing changes flagged"),
        "Customers told and the support team briefed before the release window.",
        8,
        None,
        "lars",
        8,
        "Release review, Fridays",
    ),
]


def _seed_calendar(slug: str, name: str, zone: str, country: str, region: str) -> Calendar:
    calendar, _ = Calendar.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "time_zone": zone,
            "working_weekdays": [1, 2, 3, 4, 5],
            "day_start": time(9, 0),
            "day_end": time(17, 30),
            "is_24x7": False,
        },
    )
    this_year = timezone.localdate().year
    days = holidays.country_holidays(
        country, subdiv=region, years=range(this_year - 2, this_year + 2)
    )
    for day, holiday in days.items():
        CalendarHoliday.objects.update_or_create(
            calendar=calendar, date=day, defaults={"name": holiday[:120]}
        )
    return calendar


def _final_content(demo: DemoSeam, people: dict[str, User]) -> dict:
    return {
        "owner": people[demo.owner],
        "definition_of_ready": list(demo.ready),
        "definition_of_done": demo.done,
        "response_sla_hours": Decimal(demo.response_sla),
        "completion_sla_hours": Decimal(demo.completion_sla) if demo.completion_sla else None,
        "escalate_to": people[demo.escalate_to],
        "escalate_after_hours": Decimal(demo.escalate_after),
        "forum": demo.forum,
        "notes": "",
    }


def _content_at(final: dict, changes: dict, people: dict[str, User]) -> dict:
    content = dict(final)
    for key, value in changes.items():
        if key == "ready":  # only the first n checklist items existed then
            content["definition_of_ready"] = final["definition_of_ready"][:value]
        elif key == "owner":
            content["owner"] = people[value]
        else:
            content[key] = Decimal(value) if value is not None else None
    return content


def seed_seams(org: DemoOrganisation) -> dict[str, Seam]:
    calendars = {c[0]: _seed_calendar(*c) for c in (UK_CALENDAR, US_CALENDAR)}
    calendars["24x7"] = Calendar.objects.always()
    today = timezone.localdate()
    seams = {}
    for demo in SEAMS:
        seam, _ = Seam.objects.update_or_create(
            slug=slug_for(demo.name, slug_length(Seam)),
            defaults={
                "name": demo.name,
                "description": demo.description,
                "from_team": org.teams[demo.from_team],
                "to_team": org.teams[demo.to_team],
                "status": demo.status,
                "calendar": calendars[demo.calendar],
                "pilot_started_on": today - timedelta(days=16) if demo.status == "pilot" else None,
                "pilot_review_on": today + timedelta(days=14) if demo.status == "pilot" else None,
            },
        )
        spec, _ = HandoffSpec.objects.get_or_create(seam=seam)
        if spec.version == 0:  # write the history once; a second run leaves it alone
            _write_history(spec, demo, org.people)
        seams[demo.name] = seam
    return seams


def _write_history(spec: HandoffSpec, demo: DemoSeam, people: dict[str, User]) -> None:
    final = _final_content(demo, people)
    steps = demo.history or ((30, demo.owner, "First spec", {}),)
    now = timezone.now()
    for days_ago, author, note, changes in steps:
        content = _content_at(final, changes, people)
        save_spec(
            spec=spec,
            changes=content,
            base_version=spec.version,
            by=people[author],
            note=note,
            at=now - timedelta(days=days_ago, hours=3),
        )


# --- Twelve months of handoffs ------------------------------------------------------------------

APPROVAL_TYPES = ["standard", "standard", "standard", "expedited", "non-standard"]
CUSTOMER_NAMES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Vandelay", "Wayne"]


def demo_handoff_rows(seam: Seam, today) -> list[tuple[int, dict]]:
    """Rows for the bulk ingest: a year of a seam's handoffs, month by month as
    seams.demo_plan plans them, and this month's so far (the latest still open)."""
    profile = demo_plan.PROFILES[seam.name]
    sla = float(seam.spec.response_sla_hours)
    now = timezone.now()
    rows = []
    for back, month in demo_plan.demo_months(today):
        rng = demo_plan.month_rng(seam.name, month, "handoffs")
        plan = demo_plan.plan_for(seam.name, back, rng)
        n = (
            profile.handoffs
            if plan.breaches is not None
            else round(profile.handoffs * rng.uniform(0.85, 1.15))
        )
        queues = demo_plan.sample(rng, n, plan.queue_p85, limit=sla, over=plan.breaches)
        if plan.returned is not None:
            returned = demo_plan.take(rng, n, plan.returned)
        else:
            returned = {i for i in range(n) if rng.random() < profile.rework}
        clock = demo_plan.MonthClock(seam.calendar, month)
        for i, queue in enumerate(queues):
            work = profile.work * rng.lognormvariate(0, 0.5)
            # Start, deadline and completion all fall inside the month (a queue longer than
            # the month allows waits a little less: it is far above the p85 either way).
            queue = min(queue, clock.hours + sla - 2)
            low = max(0.0, queue - sla) + demo_plan.EPS
            work = min(work, clock.hours - low - max(0.0, sla - queue) - 2 * demo_plan.EPS)
            high = clock.hours - max(work, sla - queue) - demo_plan.EPS
            offset = rng.uniform(low, max(high, low))
            submitted = clock.at(offset - queue)
            if submitted > now:
                continue  # not handed over yet
            started, completed = clock.at(offset), clock.at(offset + max(work, 0.5))
            number = len(rows)
            rows.append(
                (
                    number,
                    {
                        "seam": seam.slug,
                        "external_id": f"DEMO-{seam.slug}-{month:%Y%m}-{i:03d}",
                        "title": f"{rng.choice(CUSTOMER_NAMES)} {seam.name.lower()} #{number + 1}",
                        "approval_type": rng.choice(APPROVAL_TYPES),
                        "submitted_at": submitted,
                        "started_at": started if started <= now else None,
                        "completed_at": completed if completed <= now else None,
                        "returned_count": (1 + (rng.random() < 0.3)) if i in returned else 0,
                    },
                )
            )
    return rows


def seed_handoffs(org: DemoOrganisation) -> int:
    """Load the demo year through the bulk ingest, once: a second run leaves it alone."""
    from seams.ingest import ingest, load_seams

    if Handoff.objects.filter(source="demo").exists():
        return 0
    seams = load_seams()
    total = 0
    today = timezone.localdate()
    for name in demo_plan.PROFILES:
        seam = seams[org.seams[name].slug]
        result = ingest(demo_handoff_rows(seam, today), source="demo", partial=False, seams=seams)
        assert result.written, result.errors[:3]
        total += result.created
    return total


# Live work for the demo's "now", whatever day it is first run: two handoffs about to breach
# (75 % of the response SLA is the at-risk line) and one waiting on its sender.
LIVE = [
    # seam, share of its response SLA used by now, title
    ("Custom integration intake", 0.9, "Initech SSO connector request"),
    ("Security sign-off", 0.8, "Hooli pen-test scope review"),
]
WAITING = ("Custom integration intake", 0.3, 0.2, "Umbrella data-residency question")


def seed_live_handoffs(org: DemoOrganisation) -> int:
    """Open handoffs dated back from now in business hours, so Today, My seams and the
    drill-down's aging chart show work about to breach on any day the demo is seeded."""
    from seams.handoffs import checklist_of, return_handoff, submit_handoff

    if Handoff.objects.filter(source="demo-live").exists():
        return 0
    now = timezone.now()
    for name, used, title in LIVE:
        seam = org.seams[name]
        sla = float(seam.spec.response_sla_hours)
        submitted = business_hours_ago(seam.calendar, now, sla * used)
        submit_handoff(
            seam=seam,
            title=title,
            by=None,
            at=submitted,
            source="demo-live",
            external_id=f"LIVE-{seam.slug}",
        )
    name, used, returned_share, title = WAITING
    seam = org.seams[name]
    sla = float(seam.spec.response_sla_hours)
    handoff = submit_handoff(
        seam=seam,
        title=title,
        by=None,
        at=business_hours_ago(seam.calendar, now, sla * used),
        source="demo-live",
        external_id=f"LIVE-{seam.slug}-waiting",
    )
    checklist = checklist_of(seam)
    return_handoff(
        handoff=handoff,
        reason="The sample payload is not attached",
        missing_item=checklist[0] if checklist else "other",
        other_item="" if checklist else "A sample payload",
        at=business_hours_ago(seam.calendar, now, sla * returned_share),
    )
    return len(LIVE) + 1


def business_hours_ago(calendar: Calendar, now, hours: float):
    """The latest instant from which `hours` business hours have elapsed by `now`."""
    rules = calendar.working_time()
    low, high = now - timedelta(days=60), now
    for _ in range(60):  # bisection: business time up to now only shrinks as the start moves on
        middle = low + (high - low) / 2
        if business_hours_between(rules, middle, now) >= hours:
            low = middle
        else:
            high = middle
    return low.replace(microsecond=0)
