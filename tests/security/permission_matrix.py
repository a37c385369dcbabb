"""What every route answers to every role, for every method: DESIGN.md's permission matrix
made concrete. tests/security/test_permission_matrix.py walks every URL pattern of the app and
fails for a route missing here, so a new route forces a decision.

    route name → method → {role: expected outcome}

Roles (tests/security/conftest.py builds them): anonymous, viewer, ops, owner (owns Sales, the
from-team of the sample seam Sales → Product), unrelated_owner (owns Legal, on neither side of
it), leader. A URL that names an object names the sample one: the seam Sales → Product, its
contract, a decision requested by `owner` and decided by `leader`, an escalation, constraint
and dependency on that seam, a corrective action owned by `owner`, … Writes send a minimal
valid body (test_permission_matrix.BODIES), so "ok" means the write happened.

Outcomes (conftest.judge):
    ok        2xx, or a redirect not to sign in; for a write, a row was written or changed
    noop      2xx or a redirect for a write that wrote nothing (said why, each time)
    login     redirected to sign in (pages); 401 (API)
    denied    403          hidden   404          method   405
    invalid   400          conflict 409 (a rule of the object's life cycle said no)
Every write that is not "ok" must leave every row as it was; the test checks that too.
Nothing here is "hidden": everyone signed in reads the whole organisation (DESIGN.md), so a
team owner's write at another team's seam is refused (403), not hidden; the object-level
tests in test_permission_matrix.py check those with a second seam, Legal → Product.
"""

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ROLES = ["anonymous", "viewer", "ops", "owner", "unrelated_owner", "leader"]


def roles(default: str, *, anonymous: str = "login", **each: str) -> dict[str, str]:
    """`default` for every signed-in role but those named; anonymous is sent to sign in."""
    return {"anonymous": anonymous} | {
        role: each.get(role, default) for role in ROLES if role != "anonymous"
    }


# Who may do what (DESIGN.md, permissions), for the sample seam Sales → Product.
EVERYONE = roles("ok")  # read anything in the organisation
LEADERS = roles("denied", leader="ok")  # contracts, reviews, targets, teams, calendars
EDITORS = roles("denied", owner="ok", leader="ok")  # the seam and its spec: its teams' owners
OWNER_AND_LEADERS = EDITORS  # the sample's owner is Sales' owner (a commitment, an action)
LOGGERS = roles("ok", viewer="denied", unrelated_owner="denied")  # log at the seam (own teams)
IMPORTERS = roles("denied", ops="ok", leader="ok")  # import handoffs, recompute, quality checks
# A method the route doesn't answer; anonymous visitors are sent to sign in first.
NO = roles("method")
# The API checks the role before the method: a write method it doesn't answer is 403 to
# those who may not write there, and 405 to leaders.
LEADERS_NO = roles("denied", leader="method")
PUBLIC = roles("ok", anonymous="ok")
PUBLIC_NO = roles("method", anonymous="method")


def page(**methods: dict[str, str]) -> dict[str, dict[str, str]]:
    """A page: the methods given; any other method is 405 (anonymous: sign in)."""
    return {method: methods.get(method, NO) for method in METHODS}


def api(**methods: dict[str, str]) -> dict[str, dict[str, str]]:
    """An API route: the methods given; any other is 405 to everyone signed in."""
    return {method: methods.get(method, NO) for method in METHODS}


def leaders_api(**methods: dict[str, str]) -> dict[str, dict[str, str]]:
    """An API route of a leaders-write resource (teams, calendars, contracts, initiatives):
    a write method it doesn't answer is refused (403) before it is found missing (405)."""
    return {
        method: methods.get(method, NO if method == "GET" else LEADERS_NO) for method in METHODS
    }


def guide_step(**methods: dict[str, str]) -> dict[str, dict[str, str]]:
    """A step of the guided start: "leaders only" is checked before the method, so a method
    the step doesn't answer is 403 to everyone but leaders (405)."""
    return {method: methods.get(method, LEADERS_NO) for method in METHODS}


MATRIX: dict[str, dict[str, dict[str, str]]] = {
    # --- Signing in, and what anonymous visitors may open --------------------------------------
    "home": page(GET=EVERYONE),
    # Signed in, any method is sent home (redirect_authenticated_user); a sign-in form posted
    # empty (or PUT, which Django's FormView treats as POST) is shown again: nothing written.
    "login": {
        "GET": PUBLIC,
        "POST": roles("noop", anonymous="noop"),
        "PUT": roles("noop", anonymous="noop"),
        "PATCH": roles("noop", anonymous="method"),
        "DELETE": roles("noop", anonymous="method"),
    },
    # Signing out deletes only the session (not counted).
    "logout": {
        "GET": roles("method"),
        "POST": roles("noop"),
        "PUT": roles("method"),
        "PATCH": roles("method"),
        "DELETE": roles("method"),
    },
    # Single sign-on, open to anonymous visitors (signing in happens there). Here it is not
    # set up, so each says so (404); only GET is answered. tests/identity covers it set up.
    "identity:oidc-authenticate": {
        method: roles("hidden", anonymous="hidden")
        if method == "GET"
        else roles("method", anonymous="method")
        for method in METHODS
    },
    "identity:oidc-callback": {
        method: roles("hidden", anonymous="hidden")
        if method == "GET"
        else roles("method", anonymous="method")
        for method in METHODS
    },
    "password_change": page(GET=EVERYONE, POST=EVERYONE, PUT=roles("noop")),
    "password_change_done": page(GET=EVERYONE),
    # Sends a mail (if the address is known), writes nothing.
    "password_reset": {
        "GET": PUBLIC,
        "POST": roles("noop", anonymous="noop"),
        "PUT": roles("noop", anonymous="noop"),
        "PATCH": PUBLIC_NO,
        "DELETE": PUBLIC_NO,
    },
    "password_reset_done": {method: PUBLIC if method == "GET" else PUBLIC_NO for method in METHODS},
    # An invalid link answers every method with the "link is invalid" page.
    "password_reset_confirm": {
        method: PUBLIC if method == "GET" else roles("noop", anonymous="noop") for method in METHODS
    },
    "password_reset_complete": {
        method: PUBLIC if method == "GET" else PUBLIC_NO for method in METHODS
    },
    "healthz": {method: PUBLIC if method == "GET" else PUBLIC_NO for method in METHODS},
    # --- Teams, people, the account -----------------------------------------------------------
    "seams:teams": page(GET=EVERYONE),
    "metrics:mine": page(GET=EVERYONE),  # a person who owns no team is told so
    "seams:team-detail": page(GET=EVERYONE),
    "seams:team-create": page(GET=LEADERS, POST=LEADERS),
    "seams:team-edit": page(GET=LEADERS, POST=LEADERS),
    # Everyone manages their own API token.
    # --- Inbound sources: everyone reads (no secret is shown but once, to whoever made it);
    # leaders and ops create and manage them. The test delivery records its outcome.
    "connections:source-list": page(GET=EVERYONE),
    "connections:source-create": page(GET=IMPORTERS, POST=IMPORTERS),
    "connections:source-detail": page(GET=EVERYONE),
    "connections:source-rule-add": page(POST=IMPORTERS),
    "connections:source-rule-edit": page(POST=IMPORTERS),
    "connections:source-statuses": page(POST=IMPORTERS),
    "connections:source-rotate": page(POST=IMPORTERS),
    "connections:source-test": page(POST=IMPORTERS),
    "identity:account": page(GET=EVERYONE),
    "identity:account-token": page(POST=EVERYONE),
    "identity:account-token-revoke": page(POST=EVERYONE),
    # What the identity provider's groups grant: everyone reads it, leaders change it.
    "identity:groups": page(GET=EVERYONE),
    "identity:group-mapping-add": page(POST=LEADERS),
    "identity:group-mapping-remove": page(POST=LEADERS),
    # --- Seams and their specs -----------------------------------------------------------------
    "seams:list": page(GET=EVERYONE),
    "seams:detail": page(GET=EVERYONE),
    # Leaders and team owners register seams, only where one of their teams sends or receives
    # the work: Legal's owner registering Sales → Product gets the form back with that error.
    "seams:create": page(
        GET=roles("ok", viewer="denied", ops="denied"),
        POST=roles("ok", viewer="denied", ops="denied", unrelated_owner="invalid"),
    ),
    "seams:edit": page(GET=EDITORS, POST=EDITORS),
    "seams:start-pilot": page(POST=EDITORS),
    "seams:spec": page(GET=EVERYONE),
    "seams:spec-print": page(GET=EVERYONE),
    "seams:spec-history": page(GET=EVERYONE),
    "seams:spec-version": page(GET=EVERYONE),
    "seams:spec-compare": page(GET=EVERYONE),
    "seams:spec-sla-example": page(GET=EVERYONE),  # a worked example: reads, writes nothing
    "seams:spec-edit": page(GET=EDITORS, POST=EDITORS),
    "seams:spec-section-edit": page(GET=EDITORS, POST=EDITORS),
    "seams:spec-restore": page(POST=EDITORS),
    "seams:calendars": page(GET=EVERYONE),
    "seams:calendar-detail": page(GET=EVERYONE),
    "seams:calendar-create": page(GET=LEADERS, POST=LEADERS),
    # --- Handoffs ------------------------------------------------------------------------------
    "seams:handoffs": page(GET=EVERYONE),
    "seams:handoff-export": page(GET=EVERYONE),
    "seams:handoff-submit": page(POST=LOGGERS),
    "seams:handoff-move": page(POST=LOGGERS),
    "seams:handoff-import": page(GET=IMPORTERS, POST=IMPORTERS),
    "seams:handoff-import-detail": page(GET=IMPORTERS),
    # --- The audit log: leaders only -------------------------------------------------------------
    "audit:list": page(GET=LEADERS),
    "audit:export": page(GET=LEADERS),
    "audit:refused": page(GET=LEADERS),
    # --- Contracts: leaders write, everyone reads ------------------------------------------------
    "contracts:list": page(GET=EVERYONE),
    "contracts:detail": page(GET=EVERYONE),
    "contracts:revision": page(GET=EVERYONE),
    "contracts:create": page(GET=LEADERS, POST=LEADERS),
    "contracts:edit": page(GET=LEADERS, POST=LEADERS),
    "contracts:transition": page(POST=LEADERS),
    "contracts:add-seam": page(POST=LEADERS),
    "contracts:remove-seam": page(POST=LEADERS),
    "contracts:target-add": page(POST=LEADERS),
    "contracts:target-edit": page(GET=LEADERS, POST=LEADERS),
    "contracts:target-delete": page(POST=LEADERS),
    "contracts:right-add": page(POST=LEADERS),
    "contracts:right-edit": page(GET=LEADERS, POST=LEADERS),
    "contracts:right-delete": page(POST=LEADERS),
    "contracts:publish": page(POST=LEADERS),
    "contracts:sign": page(POST=LEADERS),
    "contracts:templates": page(GET=EVERYONE),
    "contracts:template-create": page(GET=LEADERS, POST=LEADERS),
    "contracts:template-edit": page(GET=LEADERS, POST=LEADERS),
    # --- Initiatives -----------------------------------------------------------------------------
    "contracts:initiatives": page(GET=EVERYONE),
    "contracts:initiative": page(GET=EVERYONE),
    "contracts:initiative-create": page(GET=LEADERS, POST=LEADERS),
    # Leaders and team owners add their own team's commitment. The body adds Legal's: Sales'
    # owner may not choose Legal (the form says so), Legal's owner may.
    "contracts:commitment-add": page(
        POST=roles("denied", owner="invalid", unrelated_owner="ok", leader="ok")
    ),
    # The sample commitment is Sales': its owner and leaders change it.
    "contracts:commitment-edit": page(GET=OWNER_AND_LEADERS, POST=OWNER_AND_LEADERS),
    # Assumptions: those who log for one of the initiative's teams (Sales, Product).
    "contracts:assumption-add": page(POST=LOGGERS),
    "contracts:assumption-edit": page(GET=LOGGERS, POST=LOGGERS),
    # --- Decisions, escalations, constraints, dependencies ----------------------------------------
    "decisions:list": page(GET=EVERYONE),
    "decisions:agenda": page(GET=EVERYONE),
    "decisions:detail": page(GET=EVERYONE),
    "decisions:log": page(POST=LOGGERS),
    # The decider (here the leader) or a leader decides.
    "decisions:decide": page(POST=LEADERS),
    "decisions:reopen": page(POST=LOGGERS),
    # Its requester (here Sales' owner), ops and leaders withdraw it.
    "decisions:withdraw": page(POST=LOGGERS),
    "decisions:escalations": page(GET=EVERYONE, POST=LOGGERS),
    "decisions:escalation-resolve": page(POST=LOGGERS),
    "decisions:constraints": page(GET=EVERYONE, POST=LOGGERS),
    "decisions:constraint-remove": page(POST=LOGGERS),
    "decisions:dependencies": page(GET=EVERYONE, POST=LOGGERS),
    "decisions:dependency-move": page(POST=LOGGERS),
    "decisions:dependency-initiative": page(POST=LOGGERS),
    # History from other tools: leaders and ops import it (as they import handoffs).
    "decisions:decision-import": page(GET=IMPORTERS, POST=IMPORTERS),
    "decisions:escalation-import": page(GET=IMPORTERS, POST=IMPORTERS),
    "decisions:dependency-import": page(GET=IMPORTERS, POST=IMPORTERS),
    "decisions:history-import-detail": page(GET=IMPORTERS),
    "decisions:decision-export": page(GET=EVERYONE),
    "decisions:escalation-export": page(GET=EVERYONE),
    "decisions:dependency-export": page(GET=EVERYONE),
    # --- The guided start: leaders take the steps; everyone sees where it is ---------------------
    "onboarding:guide": page(GET=EVERYONE),
    # It was begun already: beginning again just goes back to the current step.
    "onboarding:guide-begin": page(POST=roles("denied", leader="noop")),
    "onboarding:guide-seams": guide_step(GET=LEADERS, POST=LEADERS),
    "onboarding:guide-misses-add": guide_step(POST=LEADERS),
    "onboarding:guide-miss-tag": guide_step(POST=LEADERS),
    "onboarding:guide-miss-remove": guide_step(POST=LEADERS),
    "onboarding:guide-cadence": guide_step(GET=LEADERS, POST=LEADERS),
    "onboarding:guide-decision-add": guide_step(POST=LEADERS),
    "onboarding:guide-constraint-add": guide_step(POST=LEADERS),
    "onboarding:guide-spec": guide_step(GET=LEADERS, POST=LEADERS),
    "onboarding:guide-data": guide_step(GET=LEADERS, POST=LEADERS),
    "onboarding:guide-jira": guide_step(POST=LEADERS),
    "onboarding:guide-example-csv": guide_step(GET=LEADERS),
    "onboarding:guide-metrics": guide_step(GET=LEADERS, POST=LEADERS),
    # --- Metrics, the review and its actions ------------------------------------------------------
    "metrics:today": page(GET=EVERYONE),
    "metrics:month": page(GET=EVERYONE),
    "metrics:export": page(GET=EVERYONE),
    "metrics:recompute": page(POST=IMPORTERS),
    "metrics:data-quality": page(GET=IMPORTERS),
    # Starting the check writes only its outbox message (not counted): nothing else.
    "metrics:run-quality-check": page(POST=roles("denied", ops="noop", leader="noop")),
    "metrics:review": page(GET=EVERYONE),
    "metrics:review-export": page(GET=EVERYONE),
    "metrics:review-pack-style": page(GET=EVERYONE),
    "metrics:seam": page(GET=EVERYONE),
    # Contract vs reality: leaders draft a revision with the proposed SLA and publish it. The
    # sample seam has too few started handoffs for a proposal (and so no draft): refused with
    # a message, nothing written.
    "metrics:propose-revision": page(POST=roles("denied", leader="noop")),
    # The sample world holds a draft: a leader publishes it for signatures.
    "metrics:publish-sla-revision": page(POST=roles("denied", leader="ok")),
    "metrics:review-record": page(GET=EVERYONE),
    "metrics:review-start": page(POST=LEADERS),
    "metrics:review-close": page(POST=LEADERS),
    "metrics:review-root-cause": page(POST=LEADERS),
    "metrics:review-add-action": page(POST=LEADERS),
    # Leaders update any corrective action; its owner (here Sales' owner) their own.
    "metrics:actions": page(GET=EVERYONE, POST=OWNER_AND_LEADERS),
    # --- Outbound notifications: channels hold webhook URLs (secrets): leaders and ops ------------
    "connections:channel-list": page(GET=IMPORTERS),
    "connections:channel-create": page(GET=IMPORTERS, POST=IMPORTERS),
    "connections:channel-edit": page(GET=IMPORTERS, POST=IMPORTERS),
    "connections:channel-test": page(POST=IMPORTERS),
    "connections:delivery-list": page(GET=IMPORTERS),
    # Everyone chooses which of their own events they get by email.
    "connections:subscriptions": page(GET=EVERYONE, POST=EVERYONE),
    # --- The API ----------------------------------------------------------------------------------
    "api-root": api(GET=EVERYONE),
    "api-schema": api(GET=EVERYONE),
    "api-docs": page(GET=EVERYONE),
    # Signed with HMAC, not a session or a token: unsigned, it is 401 to everyone.
    "handoff-webhook": {
        method: roles("login", anonymous="login") if method == "POST" else PUBLIC_NO
        for method in METHODS
    },
    "team-list": leaders_api(GET=EVERYONE, POST=LEADERS),
    "team-detail": leaders_api(GET=EVERYONE, PUT=LEADERS, PATCH=LEADERS),
    "calendar-list": leaders_api(GET=EVERYONE, POST=LEADERS),
    "calendar-detail": leaders_api(GET=EVERYONE, PUT=LEADERS, PATCH=LEADERS),
    # Seams: leaders and the owners of one of its teams register and change them.
    "seam-list": api(GET=EVERYONE, POST=roles("denied", owner="ok", leader="ok")),
    "seam-detail": api(GET=EVERYONE, PUT=EDITORS, PATCH=EDITORS),
    "seam-start-pilot": api(POST=EDITORS),
    "spec-list": api(GET=EVERYONE),
    "spec-detail": api(GET=EVERYONE, PATCH=EDITORS),
    "spec-versions": api(GET=EVERYONE),
    "spec-version": api(GET=EVERYONE),
    "spec-restore": api(POST=EDITORS),
    # Handoffs in bulk are an import: leaders and ops.
    # A team owner records rows at their own teams' seams; the rows of another's are refused
    # one by one (400 when every row is).
    "handoff-list": api(GET=EVERYONE, POST=LOGGERS | {"unrelated_owner": "invalid"}),
    "handoff-detail": api(GET=EVERYONE),
    # Waiting on the sender: the sample handoff is not waiting, so resubmitting it is refused.
    "handoff-return": api(POST=LOGGERS),
    "handoff-resubmit": api(POST=roles("conflict", viewer="denied", unrelated_owner="denied")),
    "contract-list": leaders_api(GET=EVERYONE, POST=LEADERS),
    # Only an unpublished draft is deleted; the sample contract is in its pilot.
    "contract-detail": leaders_api(
        GET=EVERYONE, PUT=LEADERS, PATCH=LEADERS, DELETE=roles("denied", leader="conflict")
    ),
    "contract-transition": leaders_api(POST=LEADERS),
    "contract-targets": leaders_api(GET=EVERYONE, POST=LEADERS),
    "contract-target": leaders_api(PATCH=LEADERS, DELETE=LEADERS),
    "contract-decision-rights": leaders_api(GET=EVERYONE, POST=LEADERS),
    "contract-decision-right": leaders_api(PATCH=LEADERS, DELETE=LEADERS),
    "contract-revisions": leaders_api(GET=EVERYONE, POST=LEADERS),
    "contract-sign": leaders_api(POST=LEADERS),
    "initiative-list": leaders_api(GET=EVERYONE, POST=LEADERS),
    "initiative-detail": leaders_api(GET=EVERYONE, PUT=LEADERS, PATCH=LEADERS),
    # Commitments and assumptions check the team rules themselves (as the pages do); a method
    # they don't answer falls back to the initiatives' rule (leaders write).
    "initiative-commitments": leaders_api(
        GET=EVERYONE, POST=roles("denied", unrelated_owner="ok", leader="ok")
    ),
    "initiative-commitment": leaders_api(PATCH=OWNER_AND_LEADERS),
    "initiative-assumptions": leaders_api(GET=EVERYONE, POST=LOGGERS),
    "initiative-assumption": leaders_api(PATCH=LOGGERS),
    # The forecast is read like everything else; nothing writes it.
    "initiative-forecast-list": api(GET=EVERYONE),
    "decision-list": api(GET=EVERYONE, POST=LOGGERS),
    "decision-detail": api(GET=EVERYONE),
    "decision-decide": api(POST=LEADERS),
    "decision-reopen": api(POST=LOGGERS),
    "decision-withdraw": api(POST=LOGGERS),
    "escalation-list": api(GET=EVERYONE, POST=LOGGERS),
    "escalation-detail": api(GET=EVERYONE, PATCH=LOGGERS),
    "constraint-list": api(GET=EVERYONE, POST=LOGGERS),
    "constraint-detail": api(GET=EVERYONE, PATCH=LOGGERS),
    "dependency-list": api(GET=EVERYONE, POST=LOGGERS),
    "dependency-detail": api(GET=EVERYONE, PATCH=LOGGERS),
    "dependency-move": api(POST=LOGGERS),
    "metrics-list": api(GET=EVERYONE),
    "metrics-detail": api(GET=EVERYONE),
    "signals-list": api(GET=EVERYONE),
    # Reviews: everyone reads; only leaders hold them (start, root causes, actions, close),
    # checked before the method, as for the other leaders-write resources.
    "review-list": leaders_api(GET=EVERYONE, POST=LEADERS),
    "review-detail": leaders_api(GET=EVERYONE),
    "review-root-causes": leaders_api(POST=LEADERS),
    "review-actions": leaders_api(POST=LEADERS),
    "review-close": leaders_api(POST=LEADERS),
    # Leaders update any corrective action's status; its owner (here Sales' owner) their own.
    "action-list": api(GET=EVERYONE),
    "action-detail": api(GET=EVERYONE, PATCH=OWNER_AND_LEADERS),
}

# SCIM provisioning (/scim/v2/) answers the directory's bearer token only: a person's session,
# whatever their role, is refused like no one (401, recorded), on every route and method. The
# token's own answers are tested in tests/identity/test_scim_*.py.
DIRECTORY_ONLY = {method: roles("login") for method in METHODS}
MATRIX |= {
    f"scim:{name}": DIRECTORY_ONLY
    for name in (
        "root",
        "search",
        "users",
        "users-search",
        "groups",
        "groups-search",
        "me",
        "service-provider-config",
        "resource-types",
        "schemas",
        "bulk",
        "not-found",
    )
}
