"""Reading the log: django-auditlog's entries in words, for the audit pages and the export."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from audit.fields import is_relation, is_reverse
from audit.fields import model_field as field_named
from audit.sign_ins import SSO_SIGN_IN
from audit.writes import BULK

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

    @property
    def sign_in(self) -> dict | None:
        """A single sign-on's details (issuer, subject, groups), if this entry is one."""
        data = self.entry.additional_data
        if not (
            self.entry.action == LogEntry.Action.ACCESS
            and isinstance(data, dict)
            and data.get("kind") == SSO_SIGN_IN
        ):
            return None
        groups = data.get("groups")
        return {
            "issuer": str(data.get("issuer") or ""),
            "subject": str(data.get("subject") or ""),
            "groups": ", ".join(str(g) for g in groups) if isinstance(groups, list) else "",
            "groups_read": isinstance(groups, list),
        }

    def changes_text(self) -> str:
        """The changes on one line, for the CSV export."""
        if sign_in := self.sign_in:
            groups = sign_in["groups"] or "none" if sign_in["groups_read"] else "not read"
            return (
                f"Signed in with single sign-on: issuer {sign_in['issuer']}, "
                f"subject {sign_in['subject']}, groups {groups}"
            )
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


def _related_names(entries: Sequence[LogEntry], models_of: dict) -> dict:
    """{(related model, pk as text): name} for every related object the changes name."""
    wanted = defaultdict(set)
    for entry in entries:
        model = models_of[entry.pk]
        for name, values in (entry.changes_dict or {}).items():
            model_field = field_named(model, name)
            if not is_relation(model_field) or not isinstance(values, list):
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
        model_field = field_named(model, name)
        label = capfirst(getattr(model_field, "verbose_name", name)).replace("_", " ")
        if isinstance(values, dict) and values.get("type") == "m2m":
            kind = "added" if values.get("operation") == "add" else "removed"
            objects = ", ".join(str(o) for o in values.get("objects", []))
            changes.append(Change(label, EMPTY, objects, kind))
            continue
        if isinstance(values, dict) and values.get("type") == BULK:
            changes.append(Change(label, EMPTY, f"in bulk through {values.get('via')}", "written"))
            continue
        if not isinstance(values, list) or len(values) != 2 or is_reverse(model_field):
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
    if is_relation(model_field):
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
