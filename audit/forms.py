"""The filters of the audit pages: the person (anyone, no one, or a username) and whole days,
and what each page filters on besides."""

from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from seams.models import User

NO_ONE = "-"  # the person filter's value for tasks and commands (no actor)
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class _AuditFilters(forms.Form):
    """What both pages filter on: the person (anyone, no one, or a username) and whole days.

    A subclass names its time field, the lookups for "no one" and for a username, and what
    "no one" means on its page."""

    time_field: str
    no_one: tuple[str, object]  # (lookup, value) of rows with no person
    by_username: str  # the lookup a username is matched with
    no_one_label: str

    person = forms.ChoiceField(required=False)
    since = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    until = forms.DateField(required=False, label="To", widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.only("username", "first_name", "last_name")
        self.fields["person"].choices = [
            ("", "Anyone"),
            (NO_ONE, self.no_one_label),
            *((u.username, u.display_name) for u in people),
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end of the period is before its start.")
        return data

    def apply_person_and_period(self, rows: QuerySet) -> QuerySet:
        person = self.cleaned_data.get("person")
        if person == NO_ONE:
            rows = rows.filter(**dict([self.no_one]))
        elif person:
            rows = rows.filter(**{self.by_username: person})
        return rows.filter(self.period())

    def period(self) -> Q:
        """The whole days from `since` to `until`, in the organisation's time zone."""
        data, moment = self.cleaned_data, Q()
        if data.get("since"):
            moment &= Q(**{f"{self.time_field}__gte": _day_start(data["since"])})
        if data.get("until"):
            next_day = data["until"] + timedelta(days=1)
            moment &= Q(**{f"{self.time_field}__lt": _day_start(next_day)})
        return moment


class AuditFilterForm(_AuditFilters):
    ACTIONS = [
        ("", "Any change"),
        ("created", "Created"),
        ("changed", "Changed"),
        ("deleted", "Deleted"),
        ("signed_in", "Signed in (single sign-on)"),
    ]
    CODES = {
        "created": LogEntry.Action.CREATE,
        "changed": LogEntry.Action.UPDATE,
        "signed_in": LogEntry.Action.ACCESS,
    }
    time_field = "timestamp"
    no_one = ("actor__isnull", True)
    by_username = "actor__username"
    no_one_label = "No one: tasks and commands"

    q = forms.CharField(required=False, max_length=100, label="Object")
    kind = forms.ChoiceField(required=False, label="Kind of object")
    action = forms.ChoiceField(choices=ACTIONS, required=False)

    field_order = ["q", "person", "kind", "action", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *self._kinds()]

    @staticmethod
    def _kinds() -> list[tuple[str, str]]:
        types = ContentType.objects.get_for_models(*auditlog.get_models())
        kinds = [
            (f"{ct.app_label}.{ct.model}", capfirst(model._meta.verbose_name))
            for model, ct in types.items()
        ]
        return sorted(kinds, key=lambda kind: kind[1])

    def apply(self, entries: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("kind"):
            app_label, model = data["kind"].split(".")
            entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
        if data.get("action") == "deleted":
            entries = entries.filter(action=LogEntry.Action.DELETE)
        elif data.get("action"):
            entries = entries.filter(action=self.CODES[data["action"]])
        if data.get("q"):
            entries = entries.filter(object_repr__icontains=data["q"].strip())
        return self.apply_person_and_period(entries)


class RefusedFilterForm(_AuditFilters):
    STATUSES = [
        ("", "Any refusal"),
        ("401", "401 Not signed in"),
        ("403", "403 Forbidden"),
        ("405", "405 Method not allowed"),
        ("429", "429 Too many requests"),
    ]
    time_field = "at"
    no_one = ("username", "")
    by_username = "username"
    no_one_label = "Not signed in"

    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(choices=STATUSES, required=False)

    field_order = ["q", "person", "status", "since", "until"]

    def apply(self, refusals: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("status"):
            refusals = refusals.filter(status=int(data["status"]))
        text = (data.get("q") or "").strip()
        if text:
            refusals = refusals.filter(
                Q(path__icontains=text) | Q(view_name__icontains=text) | Q(reason__icontains=text)
            )
        return self.apply_person_and_period(refusals)
