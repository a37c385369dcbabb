"""The audit log: who changed what, when, before and after, and every write refused.

Changes are django-auditlog's `LogEntry` rows. `register_models()` (run from SeamsConfig.ready)
registers the domain models; auditlog's middleware names the signed-in person as the actor,
and `RefusedWriteMiddleware` below names the person an API token signed in (DRF authenticates
inside the view, after auditlog's middleware has looked) and gives each entry the client's
address as django-axes reads it, not the forgeable X-Forwarded-For auditlog would take.
Tasks and commands have no actor. A save whose only "changes" are numbers spelled another
way (20 for the stored 20.0) leaves no entry.

Three kinds of write send no model signal, so auditlog can't see them; they are logged here:
- a spec save is one conditional UPDATE (first save wins): the `SpecVersion` it creates is
  logged as the spec's change from the version before;
- a handoff import task moves its `HandoffImport` with QuerySet.update(): the row is read
  before and after the task and the difference logged as one change;
- handoffs written in bulk (the bulk API, webhooks, the import command) send
  `handoffs_written`: each seam they landed on gets one entry.

Refused writes (401, 403, 405, 429 or a PermissionDenied, on POST, PUT, PATCH or DELETE) are
`RefusedWrite` rows, written by the middleware after the view's transaction has ended, so a
refusal that rolls the view back still leaves its record. Repeats of the same refusal (same
person, address, request and answer) within an hour add to one row's `repeats`. An address
that is refused more than REFUSED_WRITES_ANON_RATE times without signing in is answered 429
before any view runs, and those answers are not recorded one by one: a flood of anonymous
writes costs neither a view nor a row each.
"""

import copy
import ipaddress
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from http import HTTPStatus

from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.diff import get_field_value, model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from axes.helpers import get_client_ip_address
from celery.signals import task_postrun, task_prerun
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.text import capfirst

from seams import rate_limits
from seams.models import RefusedWrite, Seam, SpecContent, SpecVersion
from seams.signals import handoffs_written

log = logging.getLogger(__name__)

HIDDEN = "(hidden)"

# Saving only bumps these; a save that changes nothing else is no change worth a line.
TIMESTAMPS = ["updated_at"]

# What auditlog records, and how. Models of later apps are named, not imported: `seams` must
# not import them (STYLE.md), and they are loaded by the time SeamsConfig.ready runs.
# Not registered, because they are computed or are histories themselves: MonthlySeamMetrics,
# MetricsRun, DataQualityReport (computed); SpecVersion (logged below as the spec's change),
# ContractEvent, DecisionEvent, DependencyMove (histories); WebhookDelivery, OutboxMessage,
# DigestSent, sessions (technical); authtoken.Token (its primary key is the secret key).
REGISTRATIONS: dict[str, dict] = {
    "seams.User": {
        "exclude_fields": ["last_login"],
        # A password change is recorded as a change, never with the hash.
        "mask_fields": ["password"],
        "mask_callable": "seams.audit.hide",
        "m2m_fields": {"groups", "user_permissions"},
    },
    "auth.Group": {"m2m_fields": {"permissions"}},
    "seams.Team": {"exclude_fields": TIMESTAMPS},
    "seams.Membership": {},
    "seams.Calendar": {"exclude_fields": TIMESTAMPS},
    "seams.CalendarHoliday": {},
    "seams.Seam": {"exclude_fields": TIMESTAMPS},
    "seams.HandoffSpec": {},
    "seams.Handoff": {"exclude_fields": TIMESTAMPS},
    "seams.HandoffReturn": {},
    "seams.WebhookSource": {"mask_fields": ["secret"], "mask_callable": "seams.audit.hide"},
    # The per-row errors and notes stay on the import's page; the log keeps the counts.
    "seams.HandoffImport": {"exclude_fields": ["errors", "notes", "progress_bytes"]},
    "contracts.Contract": {"exclude_fields": TIMESTAMPS},
    "contracts.ContractSeam": {},
    "contracts.MetricTarget": {},
    "contracts.DecisionRight": {
        "m2m_fields": {"consulted_people", "consulted_teams", "informed_people", "informed_teams"}
    },
    # `content` is the whole published contract, already kept on the revision itself.
    "contracts.ContractRevision": {
        "exclude_fields": ["content"],
        "m2m_fields": {"binding_leaders"},
    },
    "contracts.Signature": {},
    "contracts.Initiative": {},
    "contracts.Commitment": {"exclude_fields": TIMESTAMPS},
    "contracts.Assumption": {"exclude_fields": TIMESTAMPS},
    "contracts.SpecTemplate": {"exclude_fields": TIMESTAMPS},
    "decisions.Decision": {},
    "decisions.Escalation": {},
    "decisions.Constraint": {},
    "decisions.Dependency": {},
    "metrics.Review": {},
    "metrics.RootCause": {},
    "metrics.CorrectiveAction": {},
    "onboarding.GuidedStart": {
        # Each step stamps who took it: the entry's actor already says so.
        "exclude_fields": [*TIMESTAMPS, "updated_by"],
        "m2m_fields": {"seams", "decisions", "constraints"},
    },
    "onboarding.Miss": {},
}

# The kind of change `log_bulk_handoffs` records, beside auditlog's own "m2m".
BULK = "bulk"

# Tasks that move a row with QuerySet.update(): the task's first argument is the row's pk.
TASK_ROWS = {"seams.tasks.import_handoffs": "seams.HandoffImport"}


def hide(value: str) -> str:
    """auditlog's mask: says a secret is set (and, in a change, that it changed), never any of
    it. auditlog's own mask keeps half the value."""
    return HIDDEN if value and value != "None" else ""


def register_models() -> None:
    """Register the domain models with auditlog and connect the loggers for the writes it can't
    see. Runs once, from SeamsConfig.ready."""
    for label, options in REGISTRATIONS.items():
        model = apps.get_model(label)
        if auditlog.contains(model):
            continue
        # auditlog appends to the lists it is given: each registration gets its own.
        options = copy.deepcopy(options)
        # Other rows pointing here are those rows' business; on create and delete auditlog
        # would store each reverse relation's manager as text.
        reverse = [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]
        options["exclude_fields"] = [*options.get("exclude_fields", []), *reverse]
        auditlog.register(model, **options)
    pre_save.connect(name_api_actor, sender=LogEntry, dispatch_uid="seamline-audit-api-actor")
    pre_save.connect(drop_same_numbers, sender=LogEntry, dispatch_uid="seamline-audit-numbers")
    post_save.connect(_drop_if_nothing_changed, sender=LogEntry, dispatch_uid="seamline-audit-noop")
    post_save.connect(log_spec_version, sender=SpecVersion, dispatch_uid="seamline-audit-spec")
    handoffs_written.connect(log_bulk_handoffs, dispatch_uid="seamline-audit-bulk-handoffs")
    task_prerun.connect(_read_row_before_task, dispatch_uid="seamline-audit-task-before")
    task_postrun.connect(_log_row_after_task, dispatch_uid="seamline-audit-task-after")


def _disabled() -> bool:
    return auditlog_disabled.get()


# --- Who: the actor of API writes -----------------------------------------------------------

# The request being answered, set by RefusedWriteMiddleware for the length of the request.
_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


def name_api_actor(sender, instance: LogEntry, **kwargs) -> None:
    """Give an entry without an actor the request's user as authenticated by then.

    auditlog's middleware reads request.user before the view runs; DRF authenticates a token
    inside the view and then sets the request's user, so API writes would have no actor.
    """
    if instance.actor_id is not None:
        return
    request = _current_request.get()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        instance.actor = user
        instance.actor_email = getattr(user, "email", None)


# --- What changed: no change that is only a number's spelling --------------------------------


def drop_same_numbers(sender, instance: LogEntry, **kwargs) -> None:
    """Leave out decimal "changes" that are the same number written differently.

    auditlog compares values as text: a form's 20 against the stored 20.0 would be a change,
    and every re-save of a target or an SLA would log one.
    """
    if instance.action != LogEntry.Action.UPDATE or not isinstance(instance.changes, dict):
        return
    model = instance.content_type.model_class()
    same = [
        name
        for name, values in instance.changes.items()
        if isinstance(_model_field(model, name), models.DecimalField)
        and isinstance(values, list | tuple)
        and len(values) == 2
        and _same_number(*values)
    ]
    if same:
        instance.changes = {k: v for k, v in instance.changes.items() if k not in same}
        instance._audit_nothing_changed = not instance.changes


def _same_number(before, after) -> bool:
    try:
        return Decimal(str(before)) == Decimal(str(after))
    except InvalidOperation:
        return False


def _drop_if_nothing_changed(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    # Nothing but numbers' spellings: the save changed nothing, so it leaves no entry.
    if created and getattr(instance, "_audit_nothing_changed", False):
        instance.delete()


# --- Writes auditlog can't see ----------------------------------------------------------------


def log_spec_version(sender, instance: SpecVersion, created: bool, raw: bool = False, **kwargs):
    """Log a spec save as the spec's change from the previous version (with the save's note)."""
    if not created or raw or _disabled():
        return
    # Both as stored (the one just written too), so that 12 and 12.00 are the same number.
    saved, *earlier = SpecVersion.objects.filter(
        spec_id=instance.spec_id, number__lte=instance.number
    ).order_by("-number")[:2]
    previous = earlier[0] if earlier else SpecVersion()  # the first: a change from empty
    changes = {}
    for name in SpecContent.CONTENT_FIELDS:
        model_field = SpecVersion._meta.get_field(name)
        before = smart_str(get_field_value(previous, model_field))
        after = smart_str(get_field_value(saved, model_field))
        if before != after:
            changes[name] = [before, after]
    spec = instance.spec
    LogEntry.objects.log_create(
        spec,
        action=LogEntry.Action.UPDATE,
        changes=changes or {"version": [str(previous.number or 0), str(instance.number)]},
        additional_data={"version": instance.number, "note": instance.note},
    )


# Set while a task in TASK_ROWS runs: its own entry covers the handoffs it writes.
_row_task: ContextVar[str | None] = ContextVar("audit_row_task", default=None)
_rows_before: dict[str, models.Model] = {}


def _read_row_before_task(sender=None, task_id=None, task=None, args=(), kwargs=None, **extra):
    label = TASK_ROWS.get(getattr(task, "name", ""))
    if label is None or not args or _disabled():
        return
    before = apps.get_model(label)._base_manager.filter(pk=args[0]).first()
    if before is not None:
        _rows_before[task_id] = before
        _row_task.set(task_id)


def _log_row_after_task(sender=None, task_id=None, task=None, **extra):
    before = _rows_before.pop(task_id, None)
    if before is None:
        return
    _row_task.set(None)
    after = type(before)._base_manager.filter(pk=before.pk).first()
    changes = model_instance_diff(before, after) if after is not None else None
    if changes:
        LogEntry.objects.log_create(after, action=LogEntry.Action.UPDATE, changes=changes)


def log_bulk_handoffs(sender, seam_ids: Iterable[int], earliest: datetime, **kwargs) -> None:
    """One entry per seam that handoffs were written to in bulk, by whoever sent them."""
    if _disabled() or _row_task.get() is not None:
        return
    request = _current_request.get()
    via = f"{request.method} {request.path}" if request is not None else "a task or command"
    written = {"type": BULK, "via": via, "earliest_submitted_at": earliest.isoformat()}
    for seam in Seam.objects.filter(pk__in=seam_ids):
        LogEntry.objects.log_create(
            seam, action=LogEntry.Action.UPDATE, changes={"handoffs": written}
        )


# --- Refused writes -----------------------------------------------------------------------------

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REFUSED_STATUSES = frozenset({401, 403, 405, 429})
# A refused sign-in (django-axes' 429 lockout) is axes' record, not a refused write.
NOT_RECORDED_VIEWS = frozenset({"login"})
_REASON_ATTR = "_audit_refusal_reason"
_VIEW_ATTR = "_audit_view_reached"


# Repeats of one refusal within this long of the first are counted on its row.
REPEAT_WINDOW = timedelta(hours=1)


class RefusedWriteMiddleware:
    """Records every unsafe request that was refused, after the response is made, and
    throttles addresses whose anonymous writes keep being refused.

    Sits after auditlog's middleware. It also keeps the request at hand for `name_api_actor`.
    Recording never breaks a request: a failure is logged and the response goes out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = _remote_addr(request)
        if request.method in UNSAFE_METHODS and _anonymous_refusals_over(request, address):
            return _too_many_refusals(request)
        _trust_address_for_changes(request)
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        if _is_refused_write(request, response):
            if not _signed_in(request) and address:
                rate_limits.count(f"refused-anon:{address}", _anonymous_rate())
            record_refusal(request, response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        # An earlier middleware that answers first (CSRF) never lets this run.
        setattr(request, _VIEW_ATTR, True)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Django turns it into the 403 that __call__ sees; only the message is lost by then.
        if isinstance(exception, PermissionDenied):
            setattr(request, _REASON_ATTR, str(exception))


def _is_refused_write(request: HttpRequest, response: HttpResponse) -> bool:
    match = getattr(request, "resolver_match", None)
    return (
        request.method in UNSAFE_METHODS
        and response.status_code in REFUSED_STATUSES
        and not (match and match.view_name in NOT_RECORDED_VIEWS)
    )


def _signed_in(request: HttpRequest) -> bool:
    # DRF puts the person a token signed in on Django's request too.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _anonymous_rate() -> rate_limits.Rate:
    return rate_limits.Rate.parse(settings.REFUSED_WRITES_ANON_RATE)


def _anonymous_refusals_over(request: HttpRequest, address: str | None) -> bool:
    """Whether this request comes from an address, not signed in, that has been refused more
    writes than the rate allows in the current period."""
    if not address or _signed_in(request):
        return False
    return rate_limits.over(f"refused-anon:{address}", _anonymous_rate())


def _too_many_refusals(request: HttpRequest) -> HttpResponse:
    rate = _anonymous_rate()
    detail = (
        "Too many refused writes from this address without signing in; "
        f"try again in {rate.period} seconds."
    )
    if request.path.startswith("/api/"):
        body = {"status": 429, "code": "throttled", "detail": detail}
        response: HttpResponse = JsonResponse(body, status=429)
    else:
        response = HttpResponse(render_to_string("429.html", {"message": detail}), status=429)
    response["Retry-After"] = str(rate.period)
    return response


def record_refusal(request: HttpRequest, response: HttpResponse) -> None:
    """Store this refusal: a new RefusedWrite, or one more of the repeats of the same refusal
    within REPEAT_WINDOW (two queries either way). A failure is logged, never raised."""
    try:
        with transaction.atomic():
            refusal = _refusal(request, response)
            now = timezone.now()
            same = (
                RefusedWrite.objects.filter(
                    at__gte=now - REPEAT_WINDOW,
                    **{name: refusal[name] for name in REPEAT_KEY},
                )
                .order_by("-at")
                .values_list("pk", flat=True)
                .first()
            )
            if same is not None:
                RefusedWrite.objects.filter(pk=same).update(repeats=F("repeats") + 1, last_at=now)
            else:
                RefusedWrite.objects.create(**refusal, at=now, last_at=now)
    except Exception:
        log.exception("Could not record the refused %s %s", request.method, request.path)


# What makes two refusals the same one, repeated.
REPEAT_KEY = ("user", "username", "remote_addr", "method", "path", "status", "reason")


def _refusal(request: HttpRequest, response: HttpResponse) -> dict:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    match = getattr(request, "resolver_match", None)
    return {
        "user": user if signed_in else None,
        "username": user.get_username() if signed_in else "",
        "remote_addr": _remote_addr(request),
        "method": request.method[:10],
        "path": request.path[:500],
        "view_name": (match.view_name if match else "")[:200],
        "target": {name: str(value)[:200] for name, value in match.kwargs.items()} if match else {},
        "status": response.status_code,
        "reason": refusal_reason(request, response)[:500],
    }


def _remote_addr(request: HttpRequest) -> str | None:
    """The client's address as the sign-in throttle (django-axes) reads it, so that the two
    records agree; None if it is not an address at all."""
    address = get_client_ip_address(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _trust_address_for_changes(request: HttpRequest) -> None:
    """Give auditlog's entries for this request the address `_remote_addr` trusts.

    auditlog's middleware takes the left-most X-Forwarded-For, which any client can write
    (and which PostgreSQL refuses to store when it is not an address, failing the write).
    Its context for the request is a dict read when each entry is saved, so it is corrected
    in place.
    """
    context = auditlog_value.get(None)
    if isinstance(context, dict) and "remote_addr" in context:
        context["remote_addr"] = (
            None if settings.AUDITLOG_DISABLE_REMOTE_ADDR else _remote_addr(request)
        )


def refusal_reason(request: HttpRequest, response: HttpResponse) -> str:
    """Why the write was refused, in the words of whatever refused it."""
    reason = getattr(request, _REASON_ATTR, "")
    if reason:
        return reason
    data = getattr(response, "data", None)  # a DRF response: its error body
    if isinstance(data, dict) and data.get("detail"):
        return str(data["detail"])
    if not response.streaming and response.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("detail"):
            return str(body["detail"])
    if response.status_code == 403 and not getattr(request, _VIEW_ATTR, False):
        return "CSRF check failed."
    if response.status_code == 405 and response.get("Allow"):
        return f"{request.method} is not allowed here (allowed: {response['Allow']})."
    return HTTPStatus(response.status_code).phrase


# --- Keeping: what is forgotten, and when -----------------------------------------------------


def prune(now: datetime | None = None) -> dict[str, int]:
    """Forget what is past its keeping time (settings: the *_KEEP_DAYS), and say how much.

    Refused writes and sign-ins (django-axes' access log) are kept AUDIT_REFUSED_KEEP_DAYS and
    SIGN_IN_LOG_KEEP_DAYS; the changes themselves for AUDIT_LOG_KEEP_DAYS, which is 0 (for
    ever) unless set. Expired sign-in failures go too: past the lockout they count for nothing.
    """
    from axes.models import AccessAttempt, AccessLog

    now = now or timezone.now()
    lockout_days = settings.AXES_COOLOFF_TIME / timedelta(days=1)
    return {
        "refused writes": _older_than(RefusedWrite, "at", settings.AUDIT_REFUSED_KEEP_DAYS, now),
        "changes": _older_than(LogEntry, "timestamp", settings.AUDIT_LOG_KEEP_DAYS, now),
        "sign-ins": _older_than(AccessLog, "attempt_time", settings.SIGN_IN_LOG_KEEP_DAYS, now),
        "expired sign-in failures": _older_than(AccessAttempt, "attempt_time", lockout_days, now),
    }


def _older_than(model: type[models.Model], field: str, days: float, now: datetime) -> int:
    if not days:
        return 0
    cutoff = now - timedelta(days=days)
    return model.objects.filter(**{f"{field}__lt": cutoff}).delete()[0]


# --- Reading the log ------------------------------------------------------------------------------

ACTIONS = {
    LogEntry.Action.CREATE: "created",
    LogEntry.Action.UPDATE: "changed",
    LogEntry.Action.DELETE: "deleted",
    LogEntry.Action.ACCESS: "accessed",
}
EMPTY = ""


@dataclass(frozen=True)
class Change:
    """One field's change, in words. `kind` is "changed" (before → after), "added" or
    "removed" (a many-to-many field: `after` lists the objects), or "written" (handoffs
    written in bulk: `after` says how)."""

    label: str
    before: str
    after: str
    kind: str = "changed"


@dataclass
class Row:
    entry: LogEntry
    action: str
    kind: str
    url: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def actor(self) -> str:
        if self.entry.actor_id:
            return self.entry.actor.display_name
        return self.entry.actor_email or ""

    @property
    def note(self) -> str:
        data = self.entry.additional_data
        return data.get("note", "") if isinstance(data, dict) else ""

    def changes_text(self) -> str:
        """The changes on one line, for the CSV export."""
        parts = []
        for change in self.changes:
            if change.kind != "changed":
                parts.append(f"{change.label}: {change.kind} {change.after}")
            elif self.action == "created":
                parts.append(f"{change.label}: {change.after}")
            elif self.action == "deleted":
                parts.append(f"{change.label}: {change.before}")
            else:
                parts.append(f"{change.label}: {change.before or '—'} → {change.after or '—'}")
        return "; ".join(parts)


def describe(entries: Sequence[LogEntry]) -> list[Row]:
    """The entries in words: field labels, choices' labels, related objects' names, links.

    Queries: one per kind of related object named in the changes and one per kind of object
    linked, whatever the number of entries (select_related("actor", "content_type") first).
    """
    models_of = {entry.pk: entry.content_type.model_class() for entry in entries}
    names = _related_names(entries, models_of)
    urls = _links(entries, models_of)
    rows = []
    for entry in entries:
        model = models_of[entry.pk]
        rows.append(
            Row(
                entry=entry,
                action=ACTIONS.get(entry.action, "changed"),
                kind=capfirst(model._meta.verbose_name) if model else entry.content_type.model,
                url=urls.get((model, entry.object_pk), ""),
                changes=_changes(entry, model, names),
            )
        )
    return rows


def _model_field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _is_reverse(model_field) -> bool:
    return bool(model_field is not None and model_field.auto_created and not model_field.concrete)


def _is_relation(model_field) -> bool:
    return bool(model_field is not None and (model_field.many_to_one or model_field.one_to_one))


def _related_names(entries: Sequence[LogEntry], models_of: dict) -> dict:
    """{(related model, pk as text): name} for every related object the changes name."""
    wanted = defaultdict(set)
    for entry in entries:
        model = models_of[entry.pk]
        for name, values in (entry.changes_dict or {}).items():
            model_field = _model_field(model, name)
            if not _is_relation(model_field) or not isinstance(values, list):
                continue
            for value in values:
                try:
                    pk = model_field.target_field.to_python(value)
                except ValidationError:
                    continue
                if pk is not None:
                    wanted[model_field.related_model].add(pk)
    names = {}
    for related, pks in wanted.items():
        for obj in related._base_manager.select_related().filter(pk__in=pks):
            names[(related, str(obj.pk))] = getattr(obj, "display_name", None) or str(obj)
    return names


def _links(entries: Sequence[LogEntry], models_of: dict) -> dict:
    """{(model, pk as text): url} for the objects that have a page and still exist."""
    wanted = defaultdict(set)
    for entry in entries:
        model = models_of[entry.pk]
        if model is not None and hasattr(model, "get_absolute_url"):
            wanted[model].add(entry.object_pk)
    urls = {}
    for model, pks in wanted.items():
        # Non-null relations come along: some pages are addressed by a parent's slug.
        for obj in model._base_manager.select_related().filter(pk__in=pks):
            urls[(model, str(obj.pk))] = obj.get_absolute_url()
    return urls


def _changes(entry: LogEntry, model, names: dict) -> list[Change]:
    changes = []
    for name, values in (entry.changes_dict or {}).items():
        model_field = _model_field(model, name)
        label = capfirst(getattr(model_field, "verbose_name", name)).replace("_", " ")
        if isinstance(values, dict) and values.get("type") == "m2m":
            kind = "added" if values.get("operation") == "add" else "removed"
            objects = ", ".join(str(o) for o in values.get("objects", []))
            changes.append(Change(label, EMPTY, objects, kind))
            continue
        if isinstance(values, dict) and values.get("type") == BULK:
            changes.append(Change(label, EMPTY, f"in bulk through {values.get('via')}", "written"))
            continue
        if not isinstance(values, list) or len(values) != 2 or _is_reverse(model_field):
            continue
        # A model may name a stored value that has no choices itself (a metric's key).
        named = getattr(model, "audit_value_label", None)
        before, after = (
            (named and named(name, value)) or _value(model_field, value, names) for value in values
        )
        if entry.action == LogEntry.Action.CREATE and (name == "id" or after == EMPTY):
            continue  # a new object's empty fields and its id say nothing
        changes.append(Change(label, before, after))
    return changes


def _value(model_field, value, names: dict) -> str:
    """A stored value (text, as auditlog keeps it) as people read it."""
    if value is None or value in ("None", ""):
        return EMPTY
    text = str(value)
    if model_field is None:
        return text
    if _is_relation(model_field):
        return names.get((model_field.related_model, text), f"#{text} (deleted)")
    if model_field.choices:
        labels = {str(key): label for key, label in model_field.flatchoices}
        return str(labels.get(text, text))
    if isinstance(model_field, models.BooleanField):
        return {"True": "yes", "False": "no"}.get(text, text)
    if isinstance(model_field, models.DateTimeField):
        return _local_time(text)
    return text


def _local_time(text: str) -> str:
    # auditlog keeps date-times as naive UTC text.
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return f"{timezone.localtime(moment):%-d %b %Y %H:%M}"
