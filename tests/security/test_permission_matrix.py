"""Every route, every method, six roles: the answers of tests/security/permission_matrix.py.

A route with no entry in the matrix fails, so a new route forces a decision. Every write that
is refused (or otherwise not "ok") must leave every row of the database as it was; every "ok"
write must have written something. Then the object-level rules the matrix can't show with one
sample object: team owners write only at their own teams' seams, by page, htmx partial or API.
"""
# Long file: the permission matrix (DESIGN.md) as one table, read top to bottom.

import inspect
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from django.utils import timezone

from decisions.models import Constraint, Dependency, Escalation
from decisions.services import log_decision
from metrics import engine
from seams.handoffs import submit_handoff
from tests.factories import PASSWORD
from tests.security.conftest import (
    METHODS,
    ROLES,
    UNSAFE,
    Route,
    World,
    all_routes,
    fingerprint,
    send,
    url_for,
)
from tests.security.permission_matrix import MATRIX

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _no_flood_brake(settings):
    """The matrix checks each refusal; the brake on a flood of anonymous refused writes (429
    before any view, tests/hostile/test_cheap_abuse.py) would answer most of them first."""
    settings.REFUSED_WRITES_ANON_RATE = "1000000/min"


# An upload is queued whatever its rows say: the import page writes its HistoryImport.
HISTORY_CSV = b"seam,question\nintake,Imported?\n"
CSV = (
    b"seam,external_id,title,approval_type,submitted_at,started_at,completed_at,returned_count\n"
    b"intake,CSV-1,Imported request,,2026-01-05T10:00,,,0\n"
)


def _day(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _spec_form(w: World) -> dict:
    return {
        "owner": w.users["owner"].pk,
        "definition_of_ready": "Use case\nSample payload",
        "definition_of_done": "A scoped brief.",
        "response_sla_hours": "12",
        "completion_sla_hours": "",
        "escalate_to": w.users["leader"].pk,
        "escalate_after_hours": "24",
        "forum": "Daily sync",
        "notes": "",
        "base_version": w.seam.spec.version,
        "note": "Tighter SLA",
    }


def _template_form(name: str, position: int) -> dict:
    rows = {f"{kind}_{n}": "" for n in (1, 2, 3) for kind in ("metric", "target")}
    return rows | {
        "name": name,
        "description": "For most seams",
        "definition_of_ready": "Use case\nPayload",
        "definition_of_done": "A brief",
        "response_sla_hours": "8",
        "completion_sla_hours": "",
        "escalate_after_hours": "",
        "forum": "Weekly sync",
        "position": str(position),
        "metric_1": "queue_time_p85_hours",
        "target_1": "sla",
    }


# A minimal valid body for each write (route, method): what makes "ok" mean it was written.
# Pages get form fields, the API JSON.
BODIES: dict[tuple[str, str], Callable[[World], object]] = {
    ("login", "POST"): lambda w: {},
    ("password_change", "POST"): lambda w: {
        "old_password": PASSWORD,
        "new_password1": "an0ther Long passphrase",
        "new_password2": "an0ther Long passphrase",
    },
    ("password_reset", "POST"): lambda w: {"email": "viewer@example.com"},
    ("identity:group-mapping-add", "POST"): lambda w: {
        "group": "seamline-leaders",
        "grants": "role:leader",
    },
    ("seams:team-create", "POST"): lambda w: {
        "name": "Security",
        "description": "Keeps us safe",
        "leader": "",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-user": w.users["viewer"].pk,
        "members-0-role": "owner",
    },
    ("seams:team-edit", "POST"): lambda w: {
        "name": "Sales",
        "description": "Sells",
        "leader": w.users["leader"].pk,
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    },
    ("seams:create", "POST"): lambda w: {
        "name": "Pricing requests",
        "description": "",
        "from_team": w.sales.pk,
        "to_team": w.product.pk,
        "owner": w.users["owner"].pk,
        "calendar": w.calendar.pk,
        "status": "proposed",
    },
    ("seams:edit", "POST"): lambda w: {
        "name": "Intake",
        "description": "Changed",
        "from_team": w.sales.pk,
        "to_team": w.product.pk,
        "calendar": w.calendar.pk,
        "status": "active",
    },
    ("seams:spec-edit", "POST"): _spec_form,
    ("seams:spec-section-edit", "POST"): lambda w: {
        "response_sla_hours": "12",
        "completion_sla_hours": "",
        "base_version": w.seam.spec.version,
        "note": "Tighter SLA",
    },
    ("seams:spec-restore", "POST"): lambda w: {"base_version": w.seam.spec.version},
    ("seams:calendar-create", "POST"): lambda w: {
        "name": "US hours",
        "time_zone": "America/New_York",
        "working_weekdays": ["1", "2", "3", "4", "5"],
        "day_start": "09:00",
        "day_end": "17:00",
        "holiday_country": "",
        "holiday_subdivision": "",
    },
    ("seams:handoff-submit", "POST"): lambda w: {
        "seam": w.seam.pk,
        "title": "New request",
        "approval_type": "standard",
    },
    ("seams:handoff-import", "POST"): lambda w: {
        "file": SimpleUploadedFile("handoffs.csv", CSV, content_type="text/csv"),
        "source": "csv",
        "mode": "all",
    },
    ("decisions:decision-import", "POST"): lambda w: {
        "file": SimpleUploadedFile("decisions.csv", HISTORY_CSV, content_type="text/csv"),
        "mode": "all",
    },
    ("decisions:escalation-import", "POST"): lambda w: {
        "file": SimpleUploadedFile("escalations.csv", HISTORY_CSV, content_type="text/csv"),
        "mode": "partial",
    },
    ("decisions:dependency-import", "POST"): lambda w: {
        "file": SimpleUploadedFile("dependencies.csv", HISTORY_CSV, content_type="text/csv"),
        "mode": "all",
    },
    ("contracts:create", "POST"): lambda w: {
        "title": "Second contract",
        "scope": "Everything else",
        "leader": w.users["leader"].pk,
        "review_day": "9",
    },
    ("contracts:edit", "POST"): lambda w: {
        "title": w.contract.title,
        "scope": "Changed scope",
        "leader": w.users["leader"].pk,
        "review_day": "10",
    },
    ("contracts:transition", "POST"): lambda w: {"status": "retired"},
    ("contracts:add-seam", "POST"): lambda w: {"seam": w.other_seam.pk},
    ("contracts:target-add", "POST"): lambda w: {
        "seam": w.seam.pk,
        "metric": "lead_time_p85_hours",
        "target": "30",
        "direction": "",
        "tolerance_pct": "20",
    },
    ("contracts:target-edit", "POST"): lambda w: {
        "seam": w.seam.pk,
        "metric": "queue_time_p85_hours",
        "target": "20",
        "direction": "lower",
        "tolerance_pct": "20",
    },
    ("contracts:right-add", "POST"): lambda w: {
        "decision_type": "Budget",
        "seam": w.seam.pk,
        "decider": w.users["leader"].pk,
        "decision_sla_hours": "8",
        "escalation_forum": "Weekly sync",
    },
    ("contracts:right-edit", "POST"): lambda w: {
        "decision_type": w.right.decision_type,
        "seam": w.seam.pk,
        "decider": w.users["leader"].pk,
        "decision_sla_hours": "12",
        "escalation_forum": "Weekly sync",
    },
    ("contracts:publish", "POST"): lambda w: {"changelog": "Second revision"},
    ("contracts:template-create", "POST"): lambda w: _template_form("Another template", 2),
    ("contracts:template-edit", "POST"): lambda w: _template_form(w.template.name, 1),
    ("contracts:initiative-create", "POST"): lambda w: {
        "name": "Second launch",
        "description": "",
        "leader": w.users["leader"].pk,
        "target_date": "",
    },
    ("contracts:commitment-add", "POST"): lambda w: {
        "team": w.legal.pk,
        "description": "Legal's story",
        "commitment": "Review contracts in a day",
    },
    ("contracts:commitment-edit", "POST"): lambda w: {
        "description": "New story",
        "commitment": "New commitment",
    },
    ("contracts:assumption-add", "POST"): lambda w: {
        "statement": "Legal reviews fast",
        "from_commitment": w.commitment.pk,
        "to_commitment": w.product_commitment.pk,
        "owner": w.users["owner"].pk,
        "status": "unverified",
        "check_by": "",
        "notes": "",
    },
    ("contracts:assumption-edit", "POST"): lambda w: {
        "statement": w.assumption.statement,
        "from_commitment": w.commitment.pk,
        "to_commitment": w.product_commitment.pk,
        "owner": w.users["owner"].pk,
        "status": "holding",
        "check_by": "",
        "notes": "Checked",
    },
    ("decisions:log", "POST"): lambda w: {
        "question": "Which tier?",
        "seam": w.seam.pk,
        "decision_type": w.right.decision_type,
        "decider": "",
        "contract": "",
    },
    ("decisions:decide", "POST"): lambda w: {"outcome": "Yes", "rationale": ""},
    ("decisions:reopen", "POST"): lambda w: {"reopen-reason": "New facts"},
    ("decisions:withdraw", "POST"): lambda w: {"withdraw-reason": "Not needed"},
    ("decisions:escalations", "POST"): lambda w: {
        "summary": "Missed the SLA",
        "seam": w.seam.pk,
        "severity": "high",
        "cause": "sla_breach",
    },
    ("decisions:escalation-resolve", "POST"): lambda w: {
        "resolution": "Fixed",
        "root_cause": "No payload",
    },
    ("decisions:constraints", "POST"): lambda w: {
        "description": "Budget cap",
        "owner": w.users["owner"].pk,
        "seam": w.seam.pk,
        "team": "",
        "raised_at": _day(),
    },
    ("decisions:dependencies", "POST"): lambda w: {
        "title": "Pricing API",
        "provider": w.product.pk,
        "consumer": w.sales.pk,
        "seam": w.seam.pk,
        "owner": w.users["owner"].pk,
        "needed_by": _day(10),
        "committed_date": "",
    },
    ("decisions:dependency-move", "POST"): lambda w: {"status": "committed"},
    ("decisions:dependency-initiative", "POST"): lambda w: {
        "dependency": w.dependency.pk,
        "initiative": w.initiative.slug,
    },
    ("onboarding:guide-seams", "POST"): lambda w: {"seams": [w.seam.pk]},
    ("onboarding:guide-misses-add", "POST"): lambda w: {"text": "A miss\nAnother miss"},
    ("onboarding:guide-miss-tag", "POST"): lambda w: {
        "seam": w.seam.pk,
        "from_team": "",
        "to_team": "",
        "cause": "other",
    },
    ("onboarding:guide-decision-add", "POST"): lambda w: {
        "question": "Who approves?",
        "seam": w.seam.pk,
        "decider": w.users["leader"].pk,
        "decision_type": "",
    },
    ("onboarding:guide-constraint-add", "POST"): lambda w: {
        "description": "One reviewer",
        "seam": w.seam.pk,
        "owner": w.users["leader"].pk,
    },
    ("onboarding:guide-spec", "POST"): lambda w: _spec_form(w) | {"seam": w.seam.slug},
    ("onboarding:guide-data", "POST"): lambda w: {"source": "csv"},
    ("connections:source-create", "POST"): lambda w: {
        "kind": "github",
        "name": "GitHub",
        "slug": "github-new",
    },
    ("connections:source-rule-add", "POST"): lambda w: {
        "field": "label",
        "value": "customer",
        "seam": w.seam.pk,
    },
    ("connections:source-rule-edit", "POST"): lambda w: {
        "field": "project",
        "value": "INT",
        "seam": w.seam.pk,
    },
    ("connections:source-statuses", "POST"): lambda w: {
        "started_statuses": "Doing",
        "done_statuses": "Done",
        "active": "on",
    },
    ("connections:source-rotate", "POST"): lambda w: {"overlap_hours": "1"},
    ("onboarding:guide-jira", "POST"): lambda w: {
        "started_statuses": "Doing",
        "done_statuses": "Done",
    },
    ("onboarding:guide-metrics", "POST"): lambda w: {
        "title": "Guided contract",
        "scope": "The seams behind our misses",
        "review_day": "9",
        "metric_1": "queue_time_p85_hours",
        "target_1": "16",
        "metric_2": "sla_breach_rate",
        "target_2": "10",
        "metric_3": "rework_rate",
        "target_3": "15",
    },
    ("metrics:recompute", "POST"): lambda w: {"month": f"{engine.current_month():%Y-%m}"},
    ("metrics:propose-revision", "POST"): lambda w: {"contract": w.contract.slug},
    ("metrics:publish-sla-revision", "POST"): lambda w: {"contract": w.contract.slug},
    ("metrics:review-start", "POST"): lambda w: {
        "month": f"{engine.current_month():%Y-%m}",
        "contract": "",
    },
    ("metrics:review-close", "POST"): lambda w: {"notes": "Agreed: payload first."},
    ("metrics:review-root-cause", "POST"): lambda w: {"text": "Intake skips the checklist"},
    ("metrics:review-add-action", "POST"): lambda w: {
        "title": "Require the payload",
        "owner": w.users["owner"].pk,
        "due_on": _day(7),
        "metric": "queue_time_p85_hours",
    },
    ("metrics:actions", "POST"): lambda w: {"action": w.action.pk, "status": "done"},
    # --- API ---
    ("team-list", "POST"): lambda w: {"name": "Security", "description": "Keeps us safe"},
    ("team-detail", "PUT"): lambda w: {"name": w.sales.name, "description": "Sells"},
    ("team-detail", "PATCH"): lambda w: {"description": "Sells more"},
    ("calendar-list", "POST"): lambda w: {
        "name": "US hours",
        "time_zone": "America/New_York",
        "working_weekdays": [1, 2, 3, 4, 5],
        "day_start": "09:00",
        "day_end": "17:00",
    },
    ("calendar-detail", "PUT"): lambda w: {
        "name": w.calendar.name,
        "time_zone": "Europe/London",
        "working_weekdays": [1, 2, 3, 4],
        "day_start": "09:00",
        "day_end": "17:30",
    },
    ("calendar-detail", "PATCH"): lambda w: {"working_weekdays": [1, 2, 3]},
    ("seam-list", "POST"): lambda w: {
        "name": "Pricing requests",
        "from_team": "sales",
        "to_team": "product",
        "calendar": w.calendar.slug,
        "owner": "owner",
    },
    ("seam-detail", "PUT"): lambda w: {
        "name": w.seam.name,
        "description": "Changed",
        "from_team": "sales",
        "to_team": "product",
        "calendar": w.calendar.slug,
        "status": "active",
    },
    ("seam-detail", "PATCH"): lambda w: {"description": "Changed"},
    ("spec-detail", "PATCH"): lambda w: {"forum": "Daily sync", "note": "Faster"},
    ("handoff-return", "POST"): lambda w: {"reason": "No sample payload"},
    ("handoff-list", "POST"): lambda w: {
        "seam": w.seam.slug,
        "external_id": "API-1",
        "title": "Imported",
        "submitted_at": "2026-01-05T10:00:00Z",
    },
    ("contract-list", "POST"): lambda w: {
        "title": "Second contract",
        "scope": "Everything else",
        "leader": "leader",
        "review_day": 9,
    },
    ("contract-detail", "PUT"): lambda w: {
        "title": w.contract.title,
        "scope": "Changed",
        "leader": "leader",
        "review_day": 10,
    },
    ("contract-detail", "PATCH"): lambda w: {"scope": "Changed"},
    ("contract-transition", "POST"): lambda w: {"status": "retired"},
    ("contract-targets", "POST"): lambda w: {
        "seam": w.seam.slug,
        "metric": "lead_time_p85_hours",
        "target": "30",
    },
    ("contract-target", "PATCH"): lambda w: {"target": "20"},
    ("contract-decision-rights", "POST"): lambda w: {
        "decision_type": "Budget",
        "seam": w.seam.slug,
        "decider": "leader",
        "decision_sla_hours": "8",
    },
    ("contract-decision-right", "PATCH"): lambda w: {"decision_sla_hours": "12"},
    ("contract-revisions", "POST"): lambda w: {"changelog": "Second revision"},
    ("initiative-list", "POST"): lambda w: {"name": "Second launch", "leader": "leader"},
    ("initiative-detail", "PUT"): lambda w: {
        "name": w.initiative.name,
        "description": "Changed",
        "leader": "leader",
    },
    ("initiative-detail", "PATCH"): lambda w: {"description": "Changed"},
    ("initiative-commitments", "POST"): lambda w: {
        "team": "legal",
        "commitment": "Review contracts in a day",
        "description": "Legal's story",
    },
    ("initiative-commitment", "PATCH"): lambda w: {"description": "New story"},
    ("initiative-assumptions", "POST"): lambda w: {
        "statement": "Legal reviews fast",
        "from_commitment": w.commitment.pk,
        "to_commitment": w.product_commitment.pk,
    },
    ("initiative-assumption", "PATCH"): lambda w: {"notes": "Checked"},
    ("decision-list", "POST"): lambda w: {
        "question": "Which tier?",
        "seam": w.seam.slug,
        "decision_type": w.right.decision_type,
    },
    ("decision-decide", "POST"): lambda w: {"outcome": "Yes"},
    ("decision-reopen", "POST"): lambda w: {"reason": "New facts"},
    ("decision-withdraw", "POST"): lambda w: {"reason": "Not needed"},
    ("escalation-list", "POST"): lambda w: {
        "seam": w.seam.slug,
        "summary": "Missed the SLA",
        "cause": "sla_breach",
    },
    ("escalation-detail", "PATCH"): lambda w: {"summary": "Missed it again"},
    ("constraint-list", "POST"): lambda w: {
        "description": "Budget cap",
        "owner": "owner",
        "seam": w.seam.slug,
    },
    ("constraint-detail", "PATCH"): lambda w: {"description": "Budget cap, lifted"},
    ("dependency-list", "POST"): lambda w: {
        "title": "Pricing API",
        "provider": "product",
        "consumer": "sales",
        "seam": w.seam.slug,
        "owner": "owner",
        "needed_by": _day(10),
    },
    ("dependency-detail", "PATCH"): lambda w: {"title": "Pricing API v2"},
    ("dependency-move", "POST"): lambda w: {"status": "committed"},
    ("review-list", "POST"): lambda w: {"month": f"{engine.current_month():%Y-%m}"},
    ("review-root-causes", "POST"): lambda w: {
        "seam": w.seam.slug,
        "text": "Intake skips the checklist",
    },
    ("review-actions", "POST"): lambda w: {
        "seam": w.seam.slug,
        "title": "Require the payload",
        "owner": "owner",
        "due_on": _day(7),
        "metric": "queue_time_p85_hours",
    },
    ("review-close", "POST"): lambda w: {"notes": "Agreed: payload first."},
    ("action-detail", "PATCH"): lambda w: {"status": "done"},
    # A global address as the URL: no name to resolve, nothing private.
    ("connections:channel-create", "POST"): lambda w: {
        "name": "Ops hook",
        "kind": "webhook",
        "url": "https://93.184.215.14/seamline",
        "events": ["handoff.breached"],
        "active": "on",
    },
    ("connections:channel-edit", "POST"): lambda w: {
        "name": "Intake channel",
        "kind": "teams",
        "url": "https://93.184.215.14/workflows/1",
        "events": ["handoff.breached", "decision.overdue"],
        "seam": w.seam.pk,
        "active": "on",
    },
    ("connections:subscriptions", "POST"): lambda w: {"events": ["decision.overdue"]},
}
# Spec writes through the API name the version they are based on.
HEADERS: dict[tuple[str, str], Callable[[World], dict]] = {
    ("spec-detail", "PATCH"): lambda w: {"If-Match": f'"{w.seam.spec.version}"'},
    ("spec-restore", "POST"): lambda w: {"If-Match": f'"{w.seam.spec.version}"'},
}

ROUTES = all_routes()


def request_route(world: World, role: str, route: Route, method: str, baseline, **extra):
    body = BODIES.get((route.name, method))
    headers = HEADERS.get((route.name, method), lambda w: {})(world) | extra.pop("headers", {})
    return send(
        world.clients[role],
        method,
        url_for(route, world),
        body=body(world) if body else None,
        as_json=route.api,
        headers=headers,
        baseline=baseline,
    )


def check(sent, route: Route, method: str, role: str, expected: str, how: str = "") -> str | None:
    """What is wrong with one answer, in a line; None when it is as the matrix says."""
    where = f"{method} {route.name}{how} as {role}"
    if sent.outcome != expected:
        detail = f" ({sent.response.status_code})"
        if sent.written and expected != "ok":
            detail += f", and wrote {', '.join(sent.written)}"
        return f"{where}: expected {expected}, got {sent.outcome}{detail}"
    if method in UNSAFE and sent.outcome != "ok" and sent.written:
        return f"{where}: {sent.outcome}, yet wrote {', '.join(sent.written)}"
    return None


def test_it_has_an_entry_for_every_route_and_no_stale_ones():
    names = {route.name for route in ROUTES}
    missing = sorted(names - MATRIX.keys())
    stale = sorted(MATRIX.keys() - names)
    assert not missing, f"Routes with no entry in tests/security/permission_matrix.py: {missing}"
    assert not stale, f"Entries for routes that no longer exist: {stale}"
    for name, methods in MATRIX.items():
        assert set(methods) == set(METHODS), name
        for method, outcomes in methods.items():
            assert set(outcomes) == set(ROLES), f"{method} {name}"


def test_it_knows_the_api_and_the_pages():
    names = {route.name for route in ROUTES}
    assert {"seams:spec-section-edit", "decisions:log", "home"} <= names
    assert {"seam-start-pilot", "spec-restore", "contract-sign", "initiative-assumption"} <= names
    assert len([r for r in ROUTES if r.api]) > 40


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_matrix_says(world, role):
    baseline = fingerprint()
    problems = []
    for route in ROUTES:
        if route.name not in MATRIX:
            continue  # reported by the test above
        for method in METHODS:
            sent = request_route(world, role, route, method, baseline)
            problem = check(sent, route, method, role, MATRIX[route.name][method][role])
            if problem:
                problems.append(problem)
    assert not problems, f"{len(problems)} answers differ from the matrix:\n" + "\n".join(problems)


def _htmx_routes() -> list[Route]:
    """The pages whose view (or a helper of its module it calls) answers htmx requests
    differently: each is asked again with HX-Request, and must answer alike."""
    found = []
    for route in ROUTES:
        if route.api:
            continue
        view = inspect.unwrap(resolve(url_for_any(route)).func)
        module = inspect.getmodule(view)
        source = inspect.getsource(view)
        helpers = set(re.findall(r"\b(_\w+)\(", source))
        for name in helpers:
            helper = getattr(module, name, None)
            if inspect.isfunction(helper):
                source += inspect.getsource(helper)
        if "request.htmx" in source:
            found.append(route)
    return found


def url_for_any(route: Route) -> str:
    """A URL of the route with dummy kwargs, just to find its view."""
    path = "/" + route.path
    return re.sub(r"<(\w+)>", lambda m: "1" if m.group(1) in ("pk", "number") else "x", path)


HTMX_ROUTES = _htmx_routes()


def test_it_finds_the_htmx_partials():
    names = {route.name for route in HTMX_ROUTES}
    assert {
        "seams:spec-section-edit",
        "decisions:log",
        "decisions:dependency-move",
        "onboarding:guide-misses-add",
        "metrics:review-add-action",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_htmx_partials_answer_each_role_as_their_pages_do(world, role):
    baseline = fingerprint()
    problems = []
    for route in HTMX_ROUTES:
        for method in ("GET", "POST"):
            expected = MATRIX[route.name][method][role]
            sent = request_route(world, role, route, method, baseline, headers=HTMX)
            problem = check(sent, route, method, role, expected, how=" (htmx)")
            if problem:
                problems.append(problem)
    assert not problems, "\n".join(problems)


# --- Team owners write only at their own teams' seams -------------------------------------------


def _on_other_seam(world: World) -> dict:
    """Records at Legal → Product, a seam none of Sales' owner's teams is on."""
    seam, owner = world.other_seam, world.users["leader"]
    return {
        "escalation": Escalation.objects.create(
            seam=seam, summary="Legal missed", cause="other", raised_by=owner
        ),
        "constraint": Constraint.objects.create(description="One lawyer", owner=owner, seam=seam),
        "dependency": Dependency.objects.create(
            title="Contract template",
            consumer=world.product,
            provider=world.legal,
            seam=seam,
            owner=owner,
            needed_by=timezone.localdate() + timedelta(days=3),
        ),
        "decision": log_decision(
            question="Which clause?",
            decision_type="Legal",
            seam=seam,
            requested_by=owner,
            decider=owner,
        ),
        "handoff": submit_handoff(seam=seam, title="Review NDA", by=owner),
    }


# Long: one table of every write on another team's seam, read top to bottom.
def _other_seam_writes(world: World, made: dict) -> list[tuple[str, str, str, object, dict]]:
    """(label, method, url, body, headers) for each write at the other seam."""
    seam, slug = world.other_seam, world.other_seam.slug
    version = seam.spec.version
    someone = world.users["leader"].pk
    form_spec = _spec_form(world) | {"base_version": version}
    return [
        # Pages, plain and htmx
        ("page: submit a handoff", "POST", "/handoffs/submit/", {"seam": seam.pk, "title": "x"}),
        ("page: start a handoff", "POST", f"/handoffs/{made['handoff'].pk}/start/", {}),
        (
            "page: log a decision",
            "POST",
            "/decisions/log/",
            {"question": "Q?", "seam": seam.pk, "decision_type": "Legal", "decider": someone},
        ),
        (
            "page: log an escalation",
            "POST",
            "/escalations/",
            {"summary": "x", "seam": seam.pk, "severity": "low", "cause": "other"},
        ),
        (
            "page: resolve an escalation",
            "POST",
            f"/escalations/{made['escalation'].pk}/resolve/",
            {"resolution": "x", "root_cause": "y"},
        ),
        (
            "page: record a constraint",
            "POST",
            "/constraints/",
            {"description": "x", "owner": someone, "seam": seam.pk, "raised_at": _day()},
        ),
        ("page: remove a constraint", "POST", f"/constraints/{made['constraint'].pk}/remove/", {}),
        (
            "page: add a dependency",
            "POST",
            "/dependencies/",
            {
                "title": "x",
                "provider": world.legal.pk,
                "consumer": world.product.pk,
                "seam": seam.pk,
                "owner": someone,
                "needed_by": _day(3),
            },
        ),
        (
            "page: move a dependency",
            "POST",
            f"/dependencies/{made['dependency'].pk}/move/",
            {"status": "committed"},
        ),
        (
            "page: reopen or withdraw a decision",
            "POST",
            f"/decisions/{made['decision'].pk}/withdraw/",
            {"withdraw-reason": "x"},
        ),
        ("page: edit the spec", "POST", f"/seams/{slug}/spec/edit/", form_spec),
        (
            "page: edit a spec section",
            "POST",
            f"/seams/{slug}/spec/edit/sla/",
            {"response_sla_hours": "4", "base_version": version, "note": "x"},
        ),
        ("page: open a spec section's form", "GET", f"/seams/{slug}/spec/edit/sla/", None),
        (
            "page: restore a spec version",
            "POST",
            f"/seams/{slug}/spec/versions/1/restore/",
            {"base_version": version},
        ),
        ("page: start the pilot", "POST", f"/seams/{slug}/pilot/start/", {}),
        (
            "page: edit the seam",
            "POST",
            f"/seams/{slug}/edit/",
            {
                "name": "x",
                "from_team": world.sales.pk,
                "to_team": world.product.pk,
                "calendar": world.calendar.pk,
                "status": "active",
            },
        ),
        # The API
        (
            "api: log a decision",
            "POST",
            "/api/v1/decisions/",
            {"question": "Q?", "seam": slug, "decision_type": "Legal", "decider": "leader"},
        ),
        (
            "api: log an escalation",
            "POST",
            "/api/v1/escalations/",
            {"seam": slug, "summary": "x", "cause": "other"},
        ),
        (
            "api: change an escalation",
            "PATCH",
            f"/api/v1/escalations/{made['escalation'].pk}/",
            {"summary": "y"},
        ),
        (
            "api: record a constraint",
            "POST",
            "/api/v1/constraints/",
            {"description": "x", "owner": "owner", "seam": slug},
        ),
        (
            "api: change a constraint",
            "PATCH",
            f"/api/v1/constraints/{made['constraint'].pk}/",
            {"description": "y"},
        ),
        (
            "api: add a dependency",
            "POST",
            "/api/v1/dependencies/",
            {
                "title": "x",
                "provider": "legal",
                "consumer": "product",
                "seam": slug,
                "owner": "owner",
                "needed_by": _day(3),
            },
        ),
        (
            "api: move a dependency",
            "POST",
            f"/api/v1/dependencies/{made['dependency'].pk}/move/",
            {"status": "committed"},
        ),
        (
            "api: withdraw a decision",
            "POST",
            f"/api/v1/decisions/{made['decision'].pk}/withdraw/",
            {"reason": "x"},
        ),
        (
            "api: reopen a decision",
            "POST",
            f"/api/v1/decisions/{made['decision'].pk}/reopen/",
            {"reason": "x"},
        ),
        ("api: change the seam", "PATCH", f"/api/v1/seams/{slug}/", {"description": "y"}),
        ("api: start the pilot", "POST", f"/api/v1/seams/{slug}/start-pilot/", {}),
        ("api: edit the spec", "PATCH", f"/api/v1/specs/{slug}/", {"forum": "x", "note": "y"}),
        ("api: restore a spec version", "POST", f"/api/v1/specs/{slug}/versions/1/restore/", {}),
    ]


@pytest.mark.django_db
def test_team_owners_write_nothing_at_another_teams_seam(world):
    made = _on_other_seam(world)
    client = world.clients["owner"]
    baseline = fingerprint()
    problems = []
    for label, method, url, body in _other_seam_writes(world, made):
        api = url.startswith("/api/")
        hows = [("", {})] if api else [("", {}), (" (htmx)", HTMX)]
        for how, headers in hows:
            headers = headers | ({"If-Match": "*"} if "/specs/" in url else {})
            sent = send(
                client, method, url, body=body, as_json=api, headers=headers, baseline=baseline
            )
            if sent.outcome != "denied" or sent.written:
                problems.append(
                    f"{label}{how}: expected denied, got {sent.outcome} "
                    f"({sent.response.status_code}); wrote {sent.written or 'nothing'}"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "url", "body"),
    [
        ("escalation", "/api/v1/escalations/{escalation}/", {"seam": "legal-review"}),
        ("constraint", "/api/v1/constraints/{constraint}/", {"seam": "legal-review"}),
        ("constraint", "/api/v1/constraints/{constraint}/", {"seam": None, "team": "legal"}),
        ("dependency", "/api/v1/dependencies/{dependency}/", {"consumer": "legal"}),
        (
            "dependency",
            "/api/v1/dependencies/{dependency}/",
            {"consumer": "legal", "provider": "product", "seam": "legal-review"},
        ),
    ],
)
def test_team_owners_cannot_move_their_records_to_another_teams_seam(world, label, url, body):
    """An owner changes their own team's records, but can't re-tag one to a seam or team they
    could not have logged it at."""
    url = url.format(**{label: getattr(world, label).pk})
    sent = send(world.clients["owner"], "PATCH", url, body=body, as_json=True)
    assert (sent.outcome, sent.written) == ("denied", []), sent.response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "rows"),
    [
        ("/api/v1/escalations/?seam__slug=legal-review", 1),
        ("/api/v1/decisions/?seam__slug=legal-review", 1),
        ("/api/v1/dependencies/?provider__slug=legal", 1),
        ("/api/v1/dependencies/?consumer__slug=product&seam__slug=legal-review", 1),
        ("/api/v1/handoffs/?seam__slug=legal-review", 1),
        ("/api/v1/seams/?from_team__slug=legal", 1),
        ("/api/v1/teams/?leader__username=leader", 0),
        (f"/api/v1/metrics/?month={engine.current_month():%Y-%m}&seam=legal-review", 0),
        ("/api/v1/signals/?seam=legal-review&at=2026-01-05T10:00", 1),
    ],
)
def test_api_lists_filtered_by_another_teams_ids_show_what_everyone_reads(world, url, rows):
    """Everyone signed in reads the whole organisation (DESIGN.md): a team owner filtering by
    another team's seam or team gets the same rows as a leader does, never an error."""
    _on_other_seam(world)
    answers = {}
    for role in ("owner", "unrelated_owner", "viewer", "leader"):
        sent = send(world.clients[role], "GET", url)
        assert sent.response.status_code == 200, (role, sent.response.content)
        answers[role] = sent.response.json()
    assert answers["owner"] == answers["leader"] == answers["viewer"]
    assert answers["owner"]["count"] == rows
    anonymous = send(world.clients["anonymous"], "GET", url)
    assert anonymous.outcome == "login"
