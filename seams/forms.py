import re
import uuid
from datetime import date, time
from decimal import Decimal
from zoneinfo import available_timezones

import holidays
from django import forms
from django.forms import inlineformset_factory
from holidays.registry import COUNTRIES

from seams.models import (
    POSITIVE_HOURS,
    Calendar,
    HandoffSpec,
    Membership,
    Seam,
    SpecContent,
    Team,
    User,
)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} · {obj.job_title}" if obj.job_title else obj.display_name


class TeamForm(forms.ModelForm):
    leader = PersonChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="The executive the team reports to.",
    )

    class Meta:
        model = Team
        fields = ["name", "description", "leader"]


class MembershipForm(forms.ModelForm):
    user = PersonChoiceField(queryset=User.objects.filter(is_active=True), label="Person")

    class Meta:
        model = Membership
        fields = ["user", "role"]
        help_texts = {"role": "Owners edit the handoff specs of their team's seams."}


MembershipFormSet = inlineformset_factory(
    Team, Membership, form=MembershipForm, extra=3, can_delete=True
)


# --- Calendars ------------------------------------------------------------------------------


def country_choices() -> list[tuple[str, str]]:
    """Countries the holidays package knows, by name: ("GB", "United Kingdom")."""
    names = {
        code: re.sub(r"(?<!^)(?=[A-Z])", " ", class_name)
        for class_name, code, *_ in COUNTRIES.values()
    }
    return [("", "No public holidays"), *sorted(names.items(), key=lambda item: item[1])]


class CalendarForm(forms.ModelForm):
    working_weekdays = forms.TypedMultipleChoiceField(
        choices=[(n, name) for n, name in enumerate(Calendar.WEEKDAY_NAMES, start=1)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[1, 2, 3, 4, 5],
        label="Working days",
    )
    time_zone = forms.ChoiceField(
        choices=[(tz, tz) for tz in sorted(available_timezones())],
        initial="Europe/London",
        help_text="Working hours are read on this clock; daylight saving is handled.",
    )
    holiday_country = forms.ChoiceField(
        choices=country_choices,
        required=False,
        label="Public holidays of",
        help_text="Adds that country's public holidays for this year and the next two.",
    )
    holiday_subdivision = forms.CharField(
        max_length=10,
        required=False,
        label="Region",
        help_text="Optional, e.g. ENG for England, CA for California.",
    )

    class Meta:
        model = Calendar
        fields = ["name", "time_zone", "working_weekdays", "day_start", "day_end"]
        widgets = {
            "day_start": forms.TimeInput(attrs={"type": "time"}),
            "day_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day_start"].initial = time(9, 0)
        self.fields["day_end"].initial = time(17, 30)

    def clean(self) -> dict:
        data = super().clean()
        country, subdivision = data.get("holiday_country"), data.get("holiday_subdivision")
        if country and subdivision:
            known = holidays.list_supported_countries(include_aliases=False).get(country, [])
            if subdivision.upper() not in known:
                self.add_error(
                    "holiday_subdivision",
                    f"{country} has no region “{subdivision}”. "
                    f"Known: {', '.join(known) or 'none'}.",
                )
        return data

    def public_holidays(self, first_year: int) -> dict[date, str]:
        country = self.cleaned_data.get("holiday_country")
        if not country:
            return {}
        subdivision = (self.cleaned_data.get("holiday_subdivision") or "").upper() or None
        years = range(first_year, first_year + 3)
        return dict(holidays.country_holidays(country, subdiv=subdivision, years=years))


# --- Seams ----------------------------------------------------------------------------------


class SeamForm(forms.ModelForm):
    field_order = ["name", "description", "from_team", "to_team", "owner", "calendar", "status"]

    owner = PersonChoiceField(
        queryset=User.objects.filter(is_active=True),
        label="Accountable owner",
        help_text="The single person who answers for this seam. It becomes field 1 of its spec.",
    )

    class Meta:
        model = Seam
        fields = ["name", "description", "from_team", "to_team", "calendar", "status"]
        help_texts = {
            "status": "To pilot the seam for 30 days, use “Start 30-day pilot” on its spec."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The owner is part of the spec and changes there, with a version and a note.
            del self.fields["owner"]
        if self.instance.status != Seam.Status.PILOT:
            # A pilot starts with its own action, which sets its start and review dates.
            self.fields["status"].choices = [
                choice for choice in Seam.Status.choices if choice[0] != Seam.Status.PILOT
            ]


# --- The handoff spec -----------------------------------------------------------------------


class HoursField(forms.DecimalField):
    """Business hours, shown as people write them: 16, not 16.00."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        return value


class ChecklistField(forms.CharField):
    """An ordered checklist edited as one item per line; blank lines are ignored."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


# A worked SLA example is drawn up to this many business hours (a year of working days).
EXAMPLE_MAX_HOURS = 2500

SPEC_SECTIONS = {
    # section: (number, title, fields)
    "owner": (1, "Owner", ["owner"]),
    "ready": (2, "Definition of ready", ["definition_of_ready"]),
    "done": (3, "Definition of done", ["definition_of_done"]),
    "sla": (4, "SLA", ["response_sla_hours", "completion_sla_hours"]),
    "exception": (5, "Exception path", ["escalate_to", "escalate_after_hours", "forum"]),
    "notes": (6, "Notes", ["notes"]),
}


class CalendarChoiceField(forms.ModelChoiceField):
    """A business calendar, by slug and name (the worked example beside it spells out its
    hours)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Calendar.objects.all())
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("empty_label", None)
        kwargs.setdefault("help_text", "The business hours the SLA clocks of this seam run on.")
        super().__init__(**kwargs)


class SlaExampleForm(forms.Form):
    """The hours and calendar an SLA editor is trying: for its worked example."""

    response_sla_hours = HoursField(
        required=False, validators=POSITIVE_HOURS, max_value=Decimal(EXAMPLE_MAX_HOURS)
    )
    calendar = CalendarChoiceField(required=False)


class SpecForm(forms.ModelForm):
    """The spec, or one section of it, plus the version it was based on and a change note."""

    owner = PersonChoiceField(
        queryset=User.objects.filter(is_active=True),
        help_text="The single accountable person for this seam.",
    )
    escalate_to = PersonChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Who hears about a miss.",
    )
    definition_of_ready = ChecklistField(
        required=False,
        label="Definition of ready",
        help_text="One item per line, in the order the sender checks them.",
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    note = forms.CharField(
        max_length=300,
        label="Change note",
        help_text="Required; shown in the history. Say what changed and why.",
    )

    class Meta:
        model = HandoffSpec
        fields = list(SpecContent.CONTENT_FIELDS)
        field_classes = {
            "response_sla_hours": HoursField,
            "completion_sla_hours": HoursField,
            "escalate_after_hours": HoursField,
        }
        widgets = {
            "definition_of_done": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "response_sla_hours": "Response SLA (business hours)",
            "completion_sla_hours": "Completion SLA (business hours)",
            "escalate_after_hours": "Escalate after (business hours)",
            "definition_of_done": "Definition of done",
        }

    def __init__(self, *args, section: str | None = None, with_calendar: bool = False, **kwargs):
        if section is not None:
            # Several sections can be open on one page: keep their element ids apart.
            kwargs.setdefault("auto_id", f"id_{section}_%s")
        super().__init__(*args, **kwargs)
        self.section = section
        self.fields["base_version"].initial = self.instance.version
        if section is not None:
            keep = set(SPEC_SECTIONS[section][2]) | {"base_version", "note"}
            for name in list(self.fields):
                if name not in keep:
                    del self.fields[name]
        if with_calendar and section in (None, "sla"):
            # The seam's calendar sits with the SLA it clocks; it is the seam's, not the spec's.
            calendar = self.instance.seam.calendar
            self.fields["calendar"] = CalendarChoiceField(initial=calendar)
            if self.is_bound and "calendar" not in self.data:
                # A client that doesn't send it (a script, an older page) keeps the calendar.
                self.data = self.data.copy()
                self.data["calendar"] = calendar.slug
            self.order_fields(["response_sla_hours", "completion_sla_hours", "calendar"])

    @property
    def content_fields(self) -> list[str]:
        return [name for name in SpecContent.CONTENT_FIELDS if name in self.fields]

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.content_fields}


class SeamFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, to_field_name="slug", empty_label="All teams"
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *Seam.Status.choices], required=False)

    def apply(self, seams):
        data = self.cleaned_data
        if data.get("team"):
            seams = seams.involving(data["team"])
        if data.get("status"):
            seams = seams.filter(status=data["status"])
        return seams.search(data.get("q") or "")


class CompareForm(forms.Form):
    a = forms.IntegerField(min_value=1, label="Compare version")
    b = forms.IntegerField(min_value=1, label="with version")

    def __init__(self, *args, latest: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.latest = latest

    def clean(self) -> dict:
        data = super().clean()
        for name in ("a", "b"):
            if data.get(name) and data[name] > self.latest:
                self.add_error(name, f"The latest version is {self.latest}.")
        return data


# --- Handoffs -------------------------------------------------------------------------------


class HandoffFilterForm(forms.Form):
    STATES = [
        ("", "Any state"),
        ("submitted", "Waiting to start"),
        ("started", "In progress"),
        ("completed", "Completed"),
    ]

    q = forms.CharField(required=False, max_length=100, label="Search")
    seam = forms.ModelChoiceField(
        queryset=Seam.objects.all(), to_field_name="slug", required=False, empty_label="All seams"
    )
    state = forms.ChoiceField(choices=STATES, required=False)
    breached = forms.BooleanField(required=False, label="Breached only")
    approval_type = forms.CharField(required=False, max_length=80, label="Approval type")

    def apply(self, handoffs, now):
        data = self.cleaned_data
        if data.get("seam"):
            handoffs = handoffs.filter(seam=data["seam"])
        state = data.get("state")
        if state == "submitted":
            handoffs = handoffs.filter(started_at__isnull=True)
        elif state == "started":
            handoffs = handoffs.filter(started_at__isnull=False, completed_at__isnull=True)
        elif state == "completed":
            handoffs = handoffs.filter(completed_at__isnull=False)
        if data.get("breached"):
            handoffs = handoffs.breached(now)
        if data.get("approval_type"):
            handoffs = handoffs.filter(approval_type__iexact=data["approval_type"])
        return handoffs.search(data.get("q") or "")


class HandoffSubmitForm(forms.Form):
    seam = forms.ModelChoiceField(queryset=Seam.objects.exclude(status=Seam.Status.RETIRED))
    title = forms.CharField(max_length=300)
    approval_type = forms.CharField(max_length=80, required=False)
    # A fresh key each time the form is shown: the handoff's id, so that the same form sent
    # twice (a double click, a resent POST) records one handoff.
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", uuid.uuid4())

    def external_id(self) -> str:
        key = self.cleaned_data.get("submission")
        return f"app-{key.hex}" if key else ""


class HandoffReturnForm(forms.Form):
    reason = forms.CharField(max_length=500)
    missing_item = forms.ChoiceField(required=False, label="Missing from the definition of ready")
    other_item = forms.CharField(max_length=250, required=False, label="If other, what is missing")

    def __init__(self, *args, checklist: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["missing_item"].choices = [
            ("", "None of them"),
            *[(i, i) for i in checklist],
            ("other", "Other…"),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("missing_item") == "other" and not cleaned.get("other_item", "").strip():
            self.add_error("other_item", "Say what is missing when it is not on the checklist.")
        return cleaned


class HandoffImportForm(forms.Form):
    MODES = [
        ("all", "All or nothing: import only if every row is valid"),
        ("partial", "Import the valid rows and report the others"),
    ]

    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: seam, external_id, title, approval_type, submitted_at, started_at, "
            "completed_at, returned_count. UTF-8 or Excel's Windows-1252."
        ),
    )
    source = forms.SlugField(
        max_length=60,
        initial="csv",
        help_text=(
            "Where the rows come from. Importing the same ids from the same source again updates "
            "them instead of adding copies."
        ),
    )
    mode = forms.ChoiceField(
        choices=MODES, initial="all", widget=forms.RadioSelect, label="If some rows are invalid"
    )

    def clean_file(self):
        from seams.csv_import import max_bytes

        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(
                f"The file is {upload.size / 1e6:.1f} MB; the limit is {max_bytes() / 1e6:.0f} MB. "
                "Split it and import the parts."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload
