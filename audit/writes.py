"""The changes django-auditlog records, corrected, and the writes it can't see.

auditlog's middleware names the signed-in person as the actor; `name_api_actor` names the
person an API token signed in (DRF authenticates inside the view, after auditlog's middleware
has looked). Tasks and commands have no actor. A save whose only "changes" are numbers spelled
another way (20 for the stored 20.0) leaves no entry.

Three kinds of write send no model signal, so auditlog can't see them; they are logged here:
- a spec save is one conditional UPDATE (first save wins): the `SpecVersion` it creates is
  logged as the spec's change from the version before;
- a handoff (or history) import task moves its `HandoffImport` (`HistoryImport`) with
  QuerySet.update(): the row is read before and after the task and the difference logged as
  one change;
- handoffs written in bulk (the bulk API, webhooks, the import command) send
  `handoffs_written`: each seam they landed on gets one entry.
"""

from collections.abc import Iterable
from contextvars import ContextVar
from datetime import datetime
from decimal import Decimal, InvalidOperation

from auditlog.diff import get_field_value, model_instance_diff
from auditlog.models import LogEntry
from celery.signals import task_postrun, task_prerun
from django.db import models
from django.db.models.signals import post_save, pre_save
from django.utils.encoding import smart_str

from audit.current import current_request, disabled
from audit.fields import model_field
from decisions.models import HistoryImport
from seams.models import HandoffImport, Seam, SpecContent, SpecVersion, User
from seams.signals import handoffs_written

# The kind of change `log_bulk_handoffs` records, beside auditlog's own "m2m".
BULK = "bulk"

# Tasks that move a row with QuerySet.update(): the task's first argument is the row's pk.
TASK_ROWS: dict[str, type[models.Model]] = {
    "seams.tasks.import_handoffs": HandoffImport,
    "decisions.tasks.import_history": HistoryImport,
}


def connect() -> None:
    """Connect the loggers to the signals they listen to. Runs once, from AuditConfig.ready."""
    pre_save.connect(name_api_actor, sender=LogEntry, dispatch_uid="seamline-audit-api-actor")
    pre_save.connect(drop_same_numbers, sender=LogEntry, dispatch_uid="seamline-audit-numbers")
    post_save.connect(_drop_if_nothing_changed, sender=LogEntry, dispatch_uid="seamline-audit-noop")
    post_save.connect(log_spec_version, sender=SpecVersion, dispatch_uid="seamline-audit-spec")
    handoffs_written.connect(log_bulk_handoffs, dispatch_uid="seamline-audit-bulk-handoffs")
    task_prerun.connect(_read_row_before_task, dispatch_uid="seamline-audit-task-before")
    task_postrun.connect(_log_row_after_task, dispatch_uid="seamline-audit-task-after")


# --- Who: the actor of API writes -----------------------------------------------------------


def name_api_actor(sender, instance: LogEntry, **kwargs) -> None:
    """Give an entry without an actor the request's user as authenticated by then.

    auditlog's middleware reads request.user before the view runs; DRF authenticates a token
    inside the view and then sets the request's user, so API writes would have no actor.
    """
    if instance.actor_id is not None:
        return
    request = current_request.get()
    user = getattr(request, "user", None)
    # Only a person: the SCIM directory is named by its own context (identity.scim).
    if isinstance(user, User) and user.is_authenticated:
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
        if isinstance(model_field(model, name), models.DecimalField)
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
    if not created or raw or disabled():
        return
    # Both as stored (the one just written too), so that 12 and 12.00 are the same number.
    saved, *earlier = SpecVersion.objects.filter(
        spec_id=instance.spec_id, number__lte=instance.number
    ).order_by("-number")[:2]
    previous = earlier[0] if earlier else SpecVersion()  # the first: a change from empty
    changes = {}
    for name in SpecContent.CONTENT_FIELDS:
        field = SpecVersion._meta.get_field(name)
        before = smart_str(get_field_value(previous, field))
        after = smart_str(get_field_value(saved, field))
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
    model = TASK_ROWS.get(getattr(task, "name", ""))
    if model is None or not args or disabled():
        return
    before = model._base_manager.filter(pk=args[0]).first()
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
    if disabled() or _row_task.get() is not None:
        return
    request = current_request.get()
    via = f"{request.method} {request.path}" if request is not None else "a task or command"
    written = {"type": BULK, "via": via, "earliest_submitted_at": earliest.isoformat()}
    for seam in Seam.objects.filter(pk__in=seam_ids):
        LogEntry.objects.log_create(
            seam, action=LogEntry.Action.UPDATE, changes={"handoffs": written}
        )
