"""Shared fixtures of the security tests: one sample organisation per test module (built once,
rolled back at the end of the module), a signed-in client per role, and the helpers that send
a request, roll back what it wrote, and say whether it wrote anything.

The six roles of the permission matrix (DESIGN.md, permissions):
- anonymous
- viewer: reads everything, changes nothing
- ops: logs anywhere, imports handoffs, recomputes
- owner: owns Sales, the from-team of the sample seam (Sales → Product)
- unrelated_owner: owns Legal, on neither side of the sample seam (but from-team of
  `other_seam`, Legal → Product)
- leader
"""
# Long file: the permission matrix's world, kept whole so each row reads against its objects.

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView

from connections.models import Channel, MappingRule, Source, SourceSecret
from contracts.models import (
    Assumption,
    Commitment,
    Contract,
    ContractSeam,
    DecisionRight,
    Initiative,
    MetricTarget,
    SpecTemplate,
)
from contracts.services import publish_revision
from decisions.models import Constraint, Dependency, Escalation, HistoryImport
from decisions.services import decide, log_decision
from identity.models import GroupMapping
from metrics import engine
from metrics.models import (
    CorrectiveAction,
    DataQualityReport,
    MonthlySeamMetrics,
    Review,
    RootCause,
    SlaRevisionDraft,
)
from onboarding.models import GuidedStart, Miss
from seams.handoffs import return_handoff, submit_handoff
from seams.models import (
    Calendar,
    CalendarHoliday,
    HandoffImport,
    HandoffSpec,
    Membership,
    Seam,
    Team,
    User,
)
from seams.services import save_spec
from tests.factories import PASSWORD

ROLES = ["anonymous", "viewer", "ops", "owner", "unrelated_owner", "leader"]
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MODEL_BACKEND = "identity.backends.PasswordBackend"

# Rows written by logging and auditing, not by the request's own work: a refused write may
# (must, for RefusedWrite) leave them, so the no-write checks leave them out.
NOT_COUNTED = {
    "auditlog.logentry",
    "audit.refusedwrite",
    "common.outboxmessage",
    "sessions.session",
    "identity.signedinsession",
}
COUNTED_APPS = [
    "seams",
    "contracts",
    "decisions",
    "metrics",
    "onboarding",
    "auth",
    "authtoken",
    "connections",
    "identity",
]


# --- The sample organisation ------------------------------------------------------------------


def plain(label: str) -> str:
    return label


@dataclass
class World:
    """Every object a URL of the app can name, and the people of the six roles."""

    users: dict[str, User]
    objects: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


# Long: every object the permission matrix addresses, one per row of the matrix.
def build_world(say: Callable[[str], str] = plain) -> World:
    """The sample organisation. `say(label)` gives each user-written text (the XSS tests
    put their payloads there); slugs are fixed, so URLs stay the same."""
    today = timezone.localdate()
    this_month = engine.current_month()
    last_month = engine.previous_month(this_month)

    def person(username: str, first: str, *groups: str) -> User:
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            email=f"{username}@example.com",
            first_name=say(first),
            last_name=say("Example"),
            job_title=say(f"{first}'s job"),
        )
        user.groups.set([Group.objects.get_or_create(name=g)[0] for g in groups])
        Token.objects.create(user=user)
        return user

    users = {
        "viewer": person("viewer", "Vic", "viewer"),
        "ops": person("ops", "Opal", "ops"),
        "owner": person("owner", "Owen"),
        "unrelated_owner": person("unrelated_owner", "Una"),
        "leader": person("leader", "Lena", "leader"),
    }
    other_owner = person("other_owner", "Otto")
    leader, owner = users["leader"], users["owner"]

    def team(slug: str, name: str, boss: User | None) -> Team:
        made = Team.objects.create(slug=slug, name=say(name), description=say(f"{name} team"))
        if boss is not None:
            Membership.objects.create(team=made, user=boss, role=Membership.Role.OWNER)
        return made

    sales = team("sales", "Sales", owner)
    product = team("product", "Product", other_owner)
    legal = team("legal", "Legal", users["unrelated_owner"])
    Membership.objects.create(team=sales, user=users["viewer"], role=Membership.Role.MEMBER)

    calendar = Calendar.objects.create(
        slug="uk-hours",
        name=say("UK hours"),
        time_zone="Europe/London",
        working_weekdays=[1, 2, 3, 4, 5],
        day_start=time(9, 0),
        day_end=time(17, 30),
    )
    CalendarHoliday.objects.create(calendar=calendar, date=date(2026, 12, 25), name=say("Xmas"))

    def seam(slug: str, name: str, from_team: Team, to_team: Team) -> Seam:
        made = Seam.objects.create(
            slug=slug,
            name=say(name),
            description=say(f"{name} description"),
            from_team=from_team,
            to_team=to_team,
            calendar=calendar,
            status=Seam.Status.ACTIVE,
        )
        spec = HandoffSpec.objects.create(seam=made)
        content = {
            "owner": owner if from_team == sales else other_owner,
            "definition_of_ready": [say("Use case"), say("Sample payload")],
            "definition_of_done": say("Definition of done"),
            "response_sla_hours": Decimal(16),
            "escalate_to": leader,
            "escalate_after_hours": Decimal(24),
            "forum": say("Weekly sync"),
            "notes": say("Spec notes"),
        }
        save_spec(spec=spec, changes=content, base_version=0, by=leader, note=say("First spec"))
        return made

    intake = seam("intake", "Intake", sales, product)
    # Version 2, so that version 1 can be restored and compared.
    save_spec(
        spec=intake.spec,
        changes={"forum": say("Monthly sync")},
        base_version=1,
        by=owner,
        note=say("Forum moved"),
    )
    other_seam = seam("legal-review", "Legal review", legal, product)

    template = SpecTemplate.objects.create(
        slug="standard",
        name=say("Standard template"),
        description=say("Template description"),
        definition_of_ready=[say("Template ready item")],
        definition_of_done=say("Template done"),
        response_sla_hours=Decimal(8),
        forum=say("Template forum"),
        suggested_targets=[{"metric": "queue_time_p85_hours", "target": 16}],
        position=1,
    )

    contract = Contract.objects.create(
        slug="launch",
        title=say("Launch contract"),
        scope=say("Launch scope"),
        leader=leader,
        review_day=9,
        status=Contract.Status.PILOT,
    )
    ContractSeam.objects.create(contract=contract, seam=intake)
    targets = [
        MetricTarget.objects.create(
            contract=contract, seam=intake, metric=metric, target=Decimal(24)
        )
        for metric in ("queue_time_p85_hours", "sla_breach_rate", "rework_rate")
    ]
    right = DecisionRight.objects.create(
        contract=contract,
        seam=intake,
        decision_type=say("Integration scope"),
        decider=leader,
        decision_sla_hours=Decimal(16),
        escalation_forum=say("Escalation forum"),
    )
    revision = publish_revision(contract=contract, changelog=say("First revision"), by=leader)

    initiative = Initiative.objects.create(
        slug="big-launch",
        name=say("Big launch"),
        description=say("Initiative description"),
        leader=leader,
    )
    commitment = Commitment.objects.create(
        initiative=initiative,
        team=sales,
        commitment=say("Sales commitment"),
        description=say("Sales story"),
    )
    product_commitment = Commitment.objects.create(
        initiative=initiative,
        team=product,
        commitment=say("Product commitment"),
        description=say("Product story"),
    )
    assumption = Assumption.objects.create(
        initiative=initiative,
        statement=say("Capacity is in place"),
        from_commitment=commitment,
        to_commitment=product_commitment,
        owner=owner,
        notes=say("Assumption notes"),
    )

    decision = log_decision(
        question=say("Open question"),
        decision_type=say("Pricing"),
        seam=intake,
        requested_by=owner,
        decider=leader,
    )
    decided = log_decision(
        question=say("Decided question"),
        decision_type=say("Pricing"),
        seam=intake,
        requested_by=owner,
        decider=leader,
    )
    decide(decision=decided, by=leader, outcome=say("Outcome"), rationale=say("Rationale"))
    escalation = Escalation.objects.create(
        seam=intake,
        summary=say("Escalation summary"),
        cause=Escalation.Cause.MISSING_INPUTS,
        raised_by=owner,
    )
    Escalation.objects.create(
        seam=intake,
        summary=say("Resolved escalation"),
        cause=Escalation.Cause.OTHER,
        raised_by=owner,
        raised_at=timezone.now() - timedelta(days=2),
        resolved_at=timezone.now() - timedelta(days=1),
        resolution=say("Resolution"),
        root_cause=say("Escalation root cause"),
    )
    constraint = Constraint.objects.create(
        description=say("Constraint description"), owner=owner, seam=intake
    )
    dependency = Dependency.objects.create(
        title=say("Dependency title"),
        consumer=sales,
        provider=product,
        seam=intake,
        owner=owner,
        needed_by=today + timedelta(days=5),
    )
    handoff = submit_handoff(
        seam=intake, title=say("Handoff title"), by=owner, approval_type=say("standard")
    )
    # Source and id come from other tools (CSV, API, webhooks): text like any other.
    returned = submit_handoff(
        seam=intake,
        title=say("Returned handoff"),
        by=owner,
        source=say("src"),
        external_id=say("External id"),
    )
    return_handoff(
        handoff=returned,
        reason=say("Return reason"),
        missing_item="other",  # stored as "Other: " and the text
        other_item=say("Missing item"),
        by=owner,
    )
    handoff_import = HandoffImport.objects.create(
        file=ContentFile(b"seam\n", name="handoffs.csv"),
        filename=say("handoffs.csv"),
        size=5,
        by=leader,
        status=HandoffImport.Status.REJECTED,
        message=say("Import message"),
        errors=[{"line": 2, "message": say("Import error")}],
        notes=[say("Import note")],
    )
    history_import = HistoryImport.objects.create(
        kind=HistoryImport.Kind.DECISIONS,
        file=ContentFile(b"seam\n", name="decisions.csv"),
        filename=say("decisions.csv"),
        size=5,
        by=leader,
        status=HistoryImport.Status.REJECTED,
        message=say("History import message"),
        errors=[{"line": 2, "message": say("History import error")}],
        notes=[say("History import note")],
    )
    webhook = Source.objects.create(
        slug="jira-intake",
        name=say("Jira intake"),
        kind=Source.Kind.JIRA,
        started_statuses=say("In Progress"),
        done_statuses=say("Done"),
    )
    SourceSecret.objects.create(source=webhook, value="s3cret-for-tests")
    inbound = webhook
    inbound_rule = MappingRule.objects.create(source=inbound, field="any", seam=intake)
    _refused_write(say)

    snapshot = MonthlySeamMetrics.objects.create(
        seam=intake,
        month=this_month,
        submitted=3,
        queue_time_p85_hours=Decimal("30"),
        lead_time_by_approval_type={say("standard"): {"p50": 1, "p85": 2, "n": 1}},
    )
    MonthlySeamMetrics.objects.create(
        seam=intake, month=last_month, submitted=2, queue_time_p85_hours=Decimal("40")
    )
    review = Review.objects.create(
        month=last_month, started_by=leader, notes=say("Review notes"), held_on=today
    )
    RootCause.objects.create(review=review, seam=intake, text=say("Root cause"), recorded_by=leader)
    action = CorrectiveAction.objects.create(
        review=review,
        seam=intake,
        title=say("Corrective action"),
        owner=owner,
        due_on=today + timedelta(days=14),
        metric="queue_time_p85_hours",
        created_by=leader,
    )
    DataQualityReport.objects.create(
        findings=[{"code": "x", "message": say("Finding"), "url": "/teams/"}], teams_checked=3
    )

    guided = GuidedStart.objects.create(
        step=GuidedStart.Step.METRICS,
        top_seam=intake,
        template=template,
        data_source=GuidedStart.Source.JIRA,
        webhook=webhook,
        started_by=leader,
        updated_by=leader,
    )
    guided.seams.set([intake])
    guided.decisions.add(decision)
    guided.constraints.add(constraint)
    miss = Miss.objects.create(
        guided_start=guided,
        summary=say("Miss summary"),
        seam=intake,
        escalation=escalation,
        cause=Escalation.Cause.MISSING_INPUTS,
        position=1,
    )

    sla_draft = SlaRevisionDraft.objects.create(
        contract=contract,
        seam=intake,
        response_sla_hours=Decimal(20),
        contracted_sla_hours=Decimal(24),
        basis=SlaRevisionDraft.Basis.PILOT,
        n=20,
        changelog=say("SLA draft changelog"),
        created_by=leader,
    )

    channel = Channel.objects.create(
        name=say("channel name"),
        kind=Channel.Kind.SLACK,
        url="https://hooks.slack.com/services/T000/B000/XXXX",
        events=["handoff.breached"],
        seam=intake,
    )

    group_mapping = GroupMapping.objects.create(group=say("directory group"), team=legal)

    return World(
        users=users,
        objects={
            "channel": channel,
            "group_mapping": group_mapping,
            "sales": sales,
            "product": product,
            "legal": legal,
            "other_owner": other_owner,
            "calendar": calendar,
            "seam": intake,
            "other_seam": other_seam,
            "template": template,
            "contract": contract,
            "targets": targets,
            "target": targets[0],
            "right": right,
            "revision": revision,
            "initiative": initiative,
            "commitment": commitment,
            "product_commitment": product_commitment,
            "assumption": assumption,
            "decision": decision,
            "decided": decided,
            "escalation": escalation,
            "constraint": constraint,
            "dependency": dependency,
            "handoff": handoff,
            "handoff_import": handoff_import,
            "history_import": history_import,
            "webhook": webhook,
            "inbound": inbound,
            "inbound_rule": inbound_rule,
            "snapshot": snapshot,
            "review": review,
            "action": action,
            "guided": guided,
            "miss": miss,
            "sla_draft": sla_draft,
        },
    )


def _refused_write(say: Callable[[str], str]) -> None:
    """A refused write as the audit log records it: its path, reason and target are what the
    refused request sent, so they are text like any other. No user: the account was deleted,
    so the page shows the username kept."""
    try:
        model = apps.get_model("audit", "RefusedWrite")
    except LookupError:  # the audit log is not there (yet)
        return
    model.objects.create(
        user=None,
        username=say("refused username"),
        method="POST",
        path="/seams/" + say("refused path"),
        view_name="seams:edit",
        target={"slug": say("refused target")},
        status=403,
        reason=say("refused reason"),
    )


def signed_in(user: User | None, **client_kwargs) -> Client:
    client = Client(**client_kwargs)
    if user is not None:
        client.force_login(user, backend=MODEL_BACKEND)
    return client


@contextmanager
def sample_world(django_db_blocker, media_root, say: Callable[[str], str] = plain):
    """Build the world in a transaction that stays open for the whole module, and roll it
    back at the end: the tests in between each run in a savepoint of their own.

    For the module, uploads go to a temporary folder, and sessions live in signed cookies:
    a request then reads no session row, which makes thousands of them quicker. Who may do
    what doesn't depend on where the session is kept. The API's throttles are off: a role
    sends a few hundred API calls a minute here, and the user rate (600 a minute) would
    answer 429 for the view on a fast machine; tests/test_throttles.py tests them."""
    module_settings = override_settings(
        MEDIA_ROOT=str(media_root),
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    )
    module_settings.enable()
    unthrottled = pytest.MonkeyPatch()
    unthrottled.setattr(APIView, "get_throttles", lambda view: [])
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                world = build_world(say)
            world.clients = {
                role: signed_in(world.users.get(role), raise_request_exception=True)
                for role in ROLES
            }
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            module_settings.disable()
            unthrottled.undo()
            raise
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        module_settings.disable()
        unthrottled.undo()


@pytest.fixture(autouse=True)
def _scim_on(settings):
    """SCIM turned on: its routes then refuse people's sessions for want of the token, not
    because SCIM is off."""
    settings.SCIM_TOKEN = "permission-matrix-directory-token"


@pytest.fixture(autouse=True)
def _quiet_logs():
    """Thousands of refused requests each log a warning (a 403 with its traceback): formatting
    them would take much of the run. The tests read the answers instead; errors still log."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    with sample_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


# --- Every route of the app -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # "seams/<slug>/spec/versions/<number>/", converters and regexes removed
    api: bool

    @property
    def kwargs(self) -> list[tuple[str, str]]:
        """Each URL kwarg with the path segment before it: ("slug", "seams")."""
        parts = self.path.strip("/").split("/")
        return [
            (part[1:-1], parts[n - 1] if n else "")
            for n, part in enumerate(parts)
            if part.startswith("<") and part.endswith(">")
        ]


def _plain_path(pattern: str) -> str:
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", pattern)  # regex groups
    path = re.sub(r"<\w+:(\w+)>", r"<\1>", path)  # path converters
    return path.replace("^", "").replace("$", "").replace("\\", "")


def all_routes() -> list[Route]:
    """Every named URL pattern of the root URLconf (as tests/test_login_required.py walks
    them), the API router's included, the admin's left out (it has its own staff check).
    The router's `.json` format-suffix twins of each route are the same views: left out."""
    found: dict[str, Route] = {}

    def walk(resolver, namespace: str, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, inner, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                if "format" in entry.pattern.regex.groupindex:
                    continue
                path = _plain_path(prefix + str(entry.pattern))
                name = f"{namespace}{entry.name}"
                found.setdefault(name, Route(name, path, path.startswith("api/")))

    walk(get_resolver(), "", "")
    return sorted(found.values(), key=lambda r: (r.api, r.name))


# The sample each URL kwarg takes: by its name, else by the path segment before it
# ("contracts/<slug>" is the contract's slug, "targets/<pk>" a target's id).
SAMPLE_BY_KWARG = {
    "number": lambda w: 1,
    "section": lambda w: "sla",
    "move": lambda w: "start",
    "uidb64": lambda w: "MQ",
    "token": lambda w: "set-password",
    "source": lambda w: w.webhook.slug,
    "rest": lambda w: "Nonsense",  # anything under /scim/v2/ that is no SCIM endpoint
}
SAMPLE_BY_SEGMENT = {
    "teams": lambda w: w.sales.slug,
    "seams": lambda w: w.seam.slug,
    "specs": lambda w: w.seam.slug,
    "calendars": lambda w: w.calendar.slug,
    "handoffs": lambda w: w.handoff.pk,
    "import": lambda w: w.handoff_import.pk,
    "contracts": lambda w: w.contract.slug,
    "targets": lambda w: w.target.pk,
    "rights": lambda w: w.right.pk,
    "decision-rights": lambda w: w.right.pk,
    "spec-templates": lambda w: w.template.slug,
    "initiatives": lambda w: w.initiative.slug,
    "commitments": lambda w: w.commitment.pk,
    "assumptions": lambda w: w.assumption.pk,
    "decisions": lambda w: w.decision.pk,
    "escalations": lambda w: w.escalation.pk,
    "constraints": lambda w: w.constraint.pk,
    "dependencies": lambda w: w.dependency.pk,
    "misses": lambda w: w.miss.pk,
    "reviews": lambda w: w.review.pk,
    "actions": lambda w: w.action.pk,
    "metrics": lambda w: w.snapshot.pk,
    "history-imports": lambda w: w.history_import.pk,
    "sources": lambda w: w.inbound.slug,
    "channels": lambda w: w.channel.pk,
    "groups": lambda w: w.group_mapping.pk,
}
# Where the usual sample won't do: reopening needs a decided decision.
SAMPLE_FOR_ROUTE = {
    ("decisions:reopen", "pk"): lambda w: w.decided.pk,
    ("decision-reopen", "pk"): lambda w: w.decided.pk,
    ("connections:source-rule-edit", "pk"): lambda w: w.inbound_rule.pk,
}


def url_for(route: Route, world: World, **overrides) -> str:
    kwargs = {}
    for name, segment in route.kwargs:
        if name in overrides:
            kwargs[name] = overrides[name]
        elif (route.name, name) in SAMPLE_FOR_ROUTE:
            kwargs[name] = SAMPLE_FOR_ROUTE[route.name, name](world)
        elif name in SAMPLE_BY_KWARG:
            kwargs[name] = SAMPLE_BY_KWARG[name](world)
        elif segment in SAMPLE_BY_SEGMENT:
            kwargs[name] = SAMPLE_BY_SEGMENT[segment](world)
        else:
            raise LookupError(
                f"{route.name}: no sample object for <{name}> after “{segment}/”; "
                "add one to SAMPLE_BY_SEGMENT in tests/security/conftest.py"
            )
    return reverse(route.name, kwargs=kwargs)


# --- What a request wrote ---------------------------------------------------------------------


def counted_models() -> list:
    models = []
    for label in COUNTED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or meta.label_lower in NOT_COUNTED:
                continue
            models.append(model)
    return models


def fingerprint() -> dict[str, str]:
    """{model: "rows:digest of every row"} for every counted model: a write anywhere, a new
    row or a changed field, changes it. One query, whatever the number of tables."""
    models = counted_models()
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        parts = [
            f"(SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' "
            f"ORDER BY t::text)), '') FROM {qn(m._meta.db_table)} t)"
            for m in models
        ]
    else:
        parts = []
        for model in models:
            columns = " || ',' || ".join(
                f"quote({qn(f.column)})" for f in model._meta.local_concrete_fields
            )
            parts.append(
                f"(SELECT count(*) || ':' || coalesce(group_concat(r, '|'), '') FROM "
                f"(SELECT {columns} AS r FROM {qn(model._meta.db_table)} ORDER BY r))"
            )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        digests = cursor.fetchone()
    return {m._meta.label: d for m, d in zip(models, digests, strict=True)}


def _excluded_tables() -> list[str]:
    tables = []
    for label in NOT_COUNTED:
        try:
            tables.append(apps.get_model(label)._meta.db_table)
        except LookupError:  # not installed (yet)
            continue
    return sorted(tables)


def write_gauge() -> tuple:
    """A cheap reading that moves whenever a counted table is written, so that the full
    fingerprint is taken only after requests that wrote something. It may also move for
    writes to tables not counted (then the fingerprint decides): never the other way round.

    SQLite: the connection's total_changes() (rows inserted, updated or deleted so far), with
    the row counts of the tables not counted. PostgreSQL: the transaction's own counts of rows
    inserted, updated and deleted in the counted tables (as pg_stat_xact_user_tables shows)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The counters only grow, so their sum moves exactly when one of them does.
            tables = [m._meta.db_table for m in counted_models()]
            cursor.execute(
                "SELECT sum(pg_stat_get_xact_tuples_inserted(t) "
                "+ pg_stat_get_xact_tuples_updated(t) + pg_stat_get_xact_tuples_deleted(t)) "
                "FROM unnest(%s::regclass[]) AS t",
                [tables],
            )
            return ("postgresql", cursor.fetchone())
        counts = ", ".join(f"(SELECT count(*) FROM {qn(t)})" for t in _excluded_tables())
        cursor.execute(f"SELECT total_changes(){', ' + counts if counts else ''}")
        return ("sqlite", tuple(cursor.fetchone()))


def nothing_counted_written(before: tuple, after: tuple) -> bool:
    if before[0] == "postgresql":
        return before == after
    (changed, *old), (changed_after, *new) = before[1], after[1]
    # Every change made was a row added to a table not counted (a refused write's record,
    # an audit entry): then no counted row can have changed.
    added_elsewhere = sum(max(0, b - a) for a, b in zip(old, new, strict=True))
    return changed_after - changed == added_elsewhere


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What differs, readably: "contracts.Contract (1 → 2 rows)" or "(1 row changed)"."""
    found = []
    for label, old in before.items():
        new = after[label]
        if old != new:
            old_rows, new_rows = old.split(":")[0], new.split(":")[0]
            if old_rows != new_rows:
                found.append(f"{label} ({old_rows} → {new_rows} rows)")
            else:
                found.append(f"{label} (a row changed)")
    return found


# --- Sending a request and judging the answer ---------------------------------------------------

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass
class Sent:
    response: HttpResponse
    outcome: str
    written: list[str]  # what changed; [] for a safe method


def send(
    client: Client,
    method: str,
    url: str,
    *,
    body: object = None,
    as_json: bool = False,
    headers: dict | None = None,
    baseline: dict[str, str] | None = None,
) -> Sent:
    """Send one request and roll back whatever it wrote, so that every request meets the same
    world. The cookies are put back too (a sign-out must not sign the role out). `baseline`
    is the fingerprint before (the same for every request of a test, since each is rolled
    back); without it, it is taken first."""
    cookies = SimpleCookie()
    cookies.load(client.cookies.output(header="", sep=";"))
    kwargs = {"headers": headers or {}}
    if as_json:
        kwargs |= {"data": body if body is not None else {}, "content_type": "application/json"}
    elif method == "GET":
        kwargs["data"] = body
    elif body is not None:
        if method == "POST":
            kwargs["data"] = body
        else:  # PUT, PATCH, DELETE bodies are form-encoded by hand
            kwargs |= {
                "data": _urlencode(body),
                "content_type": "application/x-www-form-urlencoded",
            }
    unsafe = method in UNSAFE
    with transaction.atomic():
        before = (baseline or fingerprint()) if unsafe else None
        gauge = write_gauge() if unsafe else None
        try:
            response = getattr(client, method.lower())(url, **kwargs)
        finally:
            client.cookies = cookies
        written = []
        if unsafe and not nothing_counted_written(gauge, write_gauge()):
            written = changes(before, fingerprint())
        transaction.set_rollback(True)
    return Sent(response, judge(response, method, written), written)


def _urlencode(body) -> str:
    from urllib.parse import urlencode

    return urlencode(body, doseq=True)


def judge(response: HttpResponse, method: str, written: list[str]) -> str:
    """The answer as one of the matrix's outcomes.

    ok: 2xx or a redirect (not to sign in); for a write, something was written
    noop: 2xx or a redirect for a write that wrote nothing
    login: redirected to sign in (pages); 401 (API)
    denied: 403; hidden: 404; method: 405; invalid: 400; conflict: 409;
    precondition: 412/428; throttled: 429
    """
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        if "?next=" in response["Location"] and response["Location"].startswith(reverse("login")):
            return "login"
        return _done(method, written)
    if 200 <= status < 300:
        return _done(method, written)
    if status == 401:
        return "login"
    known = {
        400: "invalid",
        403: "denied",
        404: "hidden",
        405: "method",
        409: "conflict",
        412: "precondition",
        428: "precondition",
        429: "throttled",
    }
    return known.get(status, f"status {status}")


def _done(method: str, written: list[str]) -> str:
    return "noop" if method in UNSAFE and not written else "ok"
