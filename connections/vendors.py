"""Each vendor's payload read into one Item: what it is, where it stands, what rules match on.

Every field used is checked for type and size here, before anything is written: a wrong type,
an absurd time or a missing key is refused with what is wrong (VendorRefused). An event that
is not about an issue or pull request is `None`: irrelevant, answered 2xx and counted.

Stages: "submitted", "started", "completed", or None for an item withdrawn (a GitHub issue
closed as not planned, a pull request closed unmerged, a Linear issue cancelled), which changes
nothing.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone

from seams.ingest import EARLIEST, FUTURE_SLACK, parse_time

SUBMITTED, STARTED, COMPLETED = "submitted", "started", "completed"
JIRA_CATEGORIES = {"new": SUBMITTED, "indeterminate": STARTED, "done": COMPLETED}
LINEAR_STATES = {
    "triage": SUBMITTED,
    "backlog": SUBMITTED,
    "unstarted": SUBMITTED,
    "started": STARTED,
    "completed": COMPLETED,
    "canceled": None,
}
GITHUB_EVENTS = {"issues", "pull_request"}
GITHUB_STARTED_LABELS = {"started", "in progress", "in-progress", "doing"}
MAX_LIST = 200


class VendorRefused(ValueError):
    """The payload is not one we can read; the message says why, for the sender."""


@dataclass(frozen=True)
class Item:
    external_id: str
    title: str
    approval_type: str
    created: datetime
    at: datetime
    stage: str | None
    status: str = ""  # the vendor's own status name, for named statuses
    facts: dict[str, set[str]] = field(default_factory=dict)


# --- checked reads ---------------------------------------------------------------------------


def text(value, what: str, *, required: bool = False, max_length: int = 300) -> str:
    if value is None or value == "":
        if required:
            raise VendorRefused(f"The event has no {what}.")
        return ""
    if not isinstance(value, str):
        raise VendorRefused(f"The event's {what} must be text.")
    if len(value) > max_length:
        raise VendorRefused(f"The event's {what} is longer than {max_length} characters.")
    return value.strip()


def identifier(value, what: str) -> str:
    """Ids arrive as text ("10042") or, from some versions, as numbers."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value, what, max_length=120)


def obj(value, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise VendorRefused(f"The event's {what} must be an object.")
    return value


def names(value, what: str, *, key: str | None = "name") -> set[str]:
    """Lower-cased names from a list of strings or of objects with a name."""
    if value is None:
        return set()
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise VendorRefused(f"The event's {what} must be a list of at most {MAX_LIST}.")
    found = set()
    for entry in value:
        name = obj(entry, what).get(key) if key and not isinstance(entry, str) else entry
        found.add(text(name, what, max_length=200).lower())
    return found - {""}


def millis_time(millis, what: str) -> datetime:
    if isinstance(millis, bool) or not isinstance(millis, int | float) or not math.isfinite(millis):
        raise VendorRefused(f"The event's {what} must be milliseconds since 1970.")
    latest = timezone.now() + FUTURE_SLACK
    if not EARLIEST.timestamp() * 1000 <= millis <= latest.timestamp() * 1000:
        raise VendorRefused(
            f"The event's {what} is not a time that happened (before 2000 or in the future)."
        )
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def iso_time(value, what: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise VendorRefused(f"The event's {what} must be an ISO 8601 time.")
    moment, problem = parse_time(value)
    if problem:
        raise VendorRefused(f"The event's {what}: {problem}")
    return moment


def _named_stage(source, status: str, default: str | None) -> str | None:
    if not source.uses_named_statuses:
        return default
    if source.is_done_status(status):
        return COMPLETED
    if source.is_started_status(status):
        return STARTED
    return SUBMITTED


# --- Jira ------------------------------------------------------------------------------------

JIRA_EVENTS = {"jira:issue_created", "jira:issue_updated"}


def jira_event_name(payload) -> str:
    return text(obj(payload, "body").get("webhookEvent"), "webhookEvent", max_length=120)


def jira_key(payload: dict) -> tuple:
    """What identifies a Jira event when it has no X-Atlassian-Webhook-Identifier."""
    issue = obj(payload.get("issue"), "issue")
    changelog = obj(payload.get("changelog"), "changelog")
    return (
        identifier(issue.get("id"), "issue id"),
        jira_event_name(payload),
        payload.get("timestamp") if isinstance(payload.get("timestamp"), int) else None,
        identifier(changelog.get("id"), "changelog id"),
    )


def read_jira(source, payload) -> Item | None:
    """jira:issue_created and jira:issue_updated; any other event is irrelevant."""
    if not isinstance(payload, dict):
        raise VendorRefused("Not a Jira issue webhook: send a JSON object.")
    if jira_event_name(payload) not in JIRA_EVENTS or "issue" not in payload:
        return None
    issue = payload["issue"]
    if not isinstance(issue, dict):
        raise VendorRefused("The event's issue must be an object.")
    fields = obj(issue.get("fields"), "issue fields")
    key = text(issue.get("key"), "issue key", required=True, max_length=120)
    created = iso_time(fields.get("created"), "issue created time")
    millis = payload.get("timestamp")
    at = millis_time(millis, "timestamp") if millis is not None else created
    if at is None:
        raise VendorRefused("The Jira event has no usable timestamp.")
    status = obj(fields.get("status"), "status")
    category = text(obj(status.get("statusCategory"), "status category").get("key"), "category")
    status_name = text(status.get("name"), "status name", max_length=200)
    for item in _changelog_items(obj(payload.get("changelog"), "changelog")):
        if item.get("field") == "status":  # the status the issue moved to, if fields lack it
            status_name = status_name or text(item.get("toString"), "toString", max_length=200)
    project = text(obj(fields.get("project"), "project").get("key"), "project key")
    issue_type = text(obj(fields.get("issuetype"), "issue type").get("name"), "issue type name")
    default = JIRA_CATEGORIES.get(category.lower(), SUBMITTED)
    return Item(
        external_id=key,
        title=text(fields.get("summary"), "summary", max_length=300) or key,
        approval_type=issue_type,
        created=created or at,
        at=at,
        stage=_named_stage(source, status_name, default),
        status=status_name,
        facts={
            "project": {project.lower()} - {""},
            "issue_type": {issue_type.lower()} - {""},
            "label": names(fields.get("labels"), "labels", key=None),
            "component": names(fields.get("components"), "components"),
        },
    )


def _changelog_items(changelog: dict) -> list[dict]:
    items = changelog.get("items")
    if items is None:
        return []
    if not isinstance(items, list) or len(items) > MAX_LIST:
        raise VendorRefused("The event's changelog items must be a list.")
    for item in items:
        if not isinstance(item, dict):
            raise VendorRefused("Each Jira changelog item must be an object.")
    return items


# --- GitHub ----------------------------------------------------------------------------------


def read_github(source, event: str, payload) -> Item | None:
    """`issues` and `pull_request` events; anything else (ping, push, …) is irrelevant.

    Open → submitted; open with an assignee or a "started"/"in progress" label → started;
    an issue closed as completed, or a pull request merged → completed; an issue closed as not
    planned or a pull request closed unmerged → withdrawn (nothing changes); reopened after
    completion → a return."""
    if event not in GITHUB_EVENTS:
        return None
    if not isinstance(payload, dict):
        raise VendorRefused("Not a GitHub webhook: send a JSON object.")
    if text(payload.get("action"), "action", max_length=60) == "deleted":
        return None
    thing = obj(payload.get("issue" if event == "issues" else "pull_request"), event)
    repository = text(
        obj(payload.get("repository"), "repository").get("full_name"),
        "repository full_name",
        required=True,
        max_length=200,
    )
    number = thing.get("number")
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 10**12:
        raise VendorRefused("The event's number must be a whole number.")
    created = iso_time(thing.get("created_at"), "created_at")
    if created is None:
        raise VendorRefused("The event has no created_at.")
    state = text(thing.get("state"), "state", max_length=20)
    labels = names(thing.get("labels"), "labels")
    at = iso_time(thing.get("closed_at"), "closed_at") if state == "closed" else None
    at = at or iso_time(thing.get("updated_at"), "updated_at") or created
    return Item(
        external_id=f"{repository}#{number}",
        title=text(thing.get("title"), "title", max_length=300) or f"#{number}",
        approval_type="Pull request" if event == "pull_request" else "Issue",
        created=created,
        at=at,
        stage=_github_stage(event, thing, state, labels),
        status=state,
        facts={"repository": {repository.lower()}, "label": labels},
    )


def _github_stage(event: str, thing: dict, state: str, labels: set[str]) -> str | None:
    if state == "closed":
        if event == "pull_request":
            return COMPLETED if thing.get("merged") is True or thing.get("merged_at") else None
        reason = thing.get("state_reason")
        return None if reason == "not_planned" else COMPLETED
    assignees = thing.get("assignees")
    if (isinstance(assignees, list) and assignees) or labels & GITHUB_STARTED_LABELS:
        return STARTED
    return SUBMITTED


# --- Linear ----------------------------------------------------------------------------------


def read_linear(source, payload) -> Item | None:
    """Issue events (create/update); any other type, or an issue removed, is irrelevant.
    State type triage/backlog/unstarted → submitted, started → started, completed → completed,
    canceled → withdrawn."""
    if not isinstance(payload, dict):
        raise VendorRefused("Not a Linear webhook: send a JSON object.")
    if payload.get("type") != "Issue" or payload.get("action") == "remove":
        return None
    data = obj(payload.get("data"), "data")
    key = text(data.get("identifier"), "identifier", required=True, max_length=120)
    created = iso_time(data.get("createdAt"), "createdAt")
    at = iso_time(data.get("updatedAt"), "updatedAt") or created
    if created is None or at is None:
        raise VendorRefused("The event has no createdAt.")
    state = obj(data.get("state"), "state")
    state_type = text(state.get("type"), "state type", max_length=30).lower()
    state_name = text(state.get("name"), "state name", max_length=200)
    team = text(obj(data.get("team"), "team").get("key"), "team key", max_length=60)
    default = LINEAR_STATES.get(state_type, SUBMITTED)
    return Item(
        external_id=key,
        title=text(data.get("title"), "title", max_length=300) or key,
        approval_type="Issue",
        created=created,
        at=max(at, created),
        stage=_named_stage(source, state_name, default) if default else None,
        status=state_name,
        facts={"team": {team.lower()} - {""}, "label": names(data.get("labels"), "labels")},
    )


def read_item(source, event: str, payload) -> Item | None:
    kind = source.kind
    if kind == "jira":
        return read_jira(source, payload)
    if kind == "github":
        return read_github(source, event, payload)
    if kind == "linear":
        return read_linear(source, payload)
    raise ValueError(f"No vendor reader for {kind}.")
