"""The demo organisation's people and teams (Northwind Cloud, a B2B software company).

`seed` is idempotent: it creates or updates rows by their natural keys (username, team slug)
and makes each demo person's roles and memberships exactly those listed here. Later apps
seed their own demo data (seams, contracts, decisions, handoffs) on top of what it returns.
"""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils.text import slugify

from seams.models import Membership, Team, User
from seams.permissions import LEADER, OPS, ORG_ROLES, VIEWER, role_label
from seams.services import MemberSpec, save_team

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
        team = Team.objects.filter(slug=slugify(name)).first() or Team(slug=slugify(name))
        team.name, team.description, team.leader = name, description, org.people[leader]
        members = [
            MemberSpec(user=org.people[p.username], role=role)
            for p in PEOPLE
            for team_name, role in p.teams
            if team_name == name
        ]
        org.teams[name] = save_team(team=team, members=members)
    return org


def describe_login(user: User) -> str:
    return f"{user.username:<8} {user.display_name}, {user.job_title} ({role_label(user)})"
