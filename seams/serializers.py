import re
from datetime import timedelta
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api_errors import ErrorSerializer
from common.serializers import SlugReference
from seams import handoff_rules
from seams.models import (
    Calendar,
    CalendarHoliday,
    Handoff,
    HandoffSpec,
    Membership,
    Seam,
    SpecContent,
    SpecVersion,
    Team,
    User,
)
from seams.services import MemberSpec, create_calendar, save_team


class MemberSerializer(serializers.Serializer):
    username = SlugReference(
        source="user", slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    name = serializers.CharField(source="user.display_name", read_only=True)
    job_title = serializers.CharField(source="user.job_title", read_only=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)


class TeamSerializer(serializers.ModelSerializer):
    leader = SlugReference(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text="Username of the executive the team reports to.",
    )
    members = MemberSerializer(
        source="memberships",
        many=True,
        required=False,
        help_text="When given on a write, the team's members become exactly this list.",
    )

    class Meta:
        model = Team
        fields = ["slug", "name", "description", "leader", "members", "created_at", "updated_at"]
        read_only_fields = ["slug", "created_at", "updated_at"]

    def validate_members(self, value: list[dict]) -> list[dict]:
        usernames = [item["user"].username for item in value]
        duplicates = sorted({u for u in usernames if usernames.count(u) > 1})
        if duplicates:
            raise serializers.ValidationError(f"Listed more than once: {', '.join(duplicates)}.")
        return value

    def validate(self, attrs: dict) -> dict:
        # The model's own rule: the address derived from the name must be free.
        candidate = Team(
            pk=getattr(self.instance, "pk", None),
            slug=getattr(self.instance, "slug", ""),
            name=attrs.get("name", getattr(self.instance, "name", "")),
        )
        try:
            candidate.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        attrs["slug"] = candidate.slug
        return attrs

    def save_team(self, team: Team) -> Team:
        data = dict(self.validated_data)
        members = data.pop("memberships", None)
        for field, value in data.items():
            setattr(team, field, value)
        specs = None
        if members is not None:
            specs = [MemberSpec(user=item["user"], role=item["role"]) for item in members]
        return save_team(team=team, members=specs)

    def create(self, validated_data: dict) -> Team:
        return self.save_team(Team())

    def update(self, instance: Team, validated_data: dict) -> Team:
        return self.save_team(instance)


# --- Calendars --------------------------------------------------------------------------------

TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field({"type": "string", "pattern": TIME_PATTERN, "example": "09:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of day, HH:MM or HH:MM:SS, in the calendar's time zone.

    Not OpenAPI's `time` format, which is RFC 3339's and so carries a UTC offset.
    """

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(TIME_PATTERN, value):
            self.fail("invalid", format="HH:MM or HH:MM:SS")
        return super().to_internal_value(value)


class HolidaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarHoliday
        fields = ["date", "name"]


# Ten years of every day: more than any real calendar lists, and a bound on one request's work.
MAX_HOLIDAYS = 3660
# The longest run of days without a working day a calendar may have: SLA clocks that stop for
# longer are a mistake (every Monday a holiday), and searching past it is unbounded work.
LONGEST_CLOSURE_DAYS = 366


class CalendarSerializer(serializers.ModelSerializer):
    holidays = HolidaySerializer(many=True, required=False, max_length=MAX_HOLIDAYS)
    working_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        min_length=1,
        help_text="ISO weekday numbers: 1 is Monday, 7 is Sunday.",
    )
    time_zone = serializers.ChoiceField(choices=sorted(available_timezones()))
    day_start = LocalTimeField(help_text="Working day starts, local time.")
    day_end = LocalTimeField(help_text="Working day ends, local time.")

    class Meta:
        model = Calendar
        fields = [
            "slug",
            "name",
            "time_zone",
            "working_weekdays",
            "day_start",
            "day_end",
            "is_24x7",
            "holidays",
        ]
        read_only_fields = ["slug", "is_24x7"]

    def validate(self, attrs: dict) -> dict:
        candidate = Calendar(
            **{k: v for k, v in attrs.items() if k != "holidays"},
        )
        if self.instance is not None:
            for name in ("day_start", "day_end", "is_24x7"):
                if name not in attrs:
                    setattr(candidate, name, getattr(self.instance, name))
        _run_model_clean(candidate)
        days = [h["date"] for h in attrs.get("holidays", [])]
        if len(days) != len(set(days)):
            raise serializers.ValidationError({"holidays": "A date is listed twice."})
        weekdays = attrs.get("working_weekdays") or (
            self.instance.working_weekdays if self.instance else []
        )
        closed = longest_closure(weekdays, days)
        if closed > LONGEST_CLOSURE_DAYS:
            raise serializers.ValidationError(
                {
                    "holidays": f"These holidays close the calendar for {closed} days in a row; "
                    f"at most {LONGEST_CLOSURE_DAYS} without a working day."
                }
            )
        return attrs

    @transaction.atomic
    def create(self, validated_data: dict) -> Calendar:
        holidays = {h["date"]: h.get("name", "") for h in validated_data.pop("holidays", [])}
        return create_calendar(calendar=Calendar(**validated_data), holidays=holidays)

    @transaction.atomic
    def update(self, instance: Calendar, validated_data: dict) -> Calendar:
        holidays = validated_data.pop("holidays", None)
        instance = super().update(instance, validated_data)
        if holidays is not None:
            instance.holidays.all().delete()
            CalendarHoliday.objects.bulk_create(
                CalendarHoliday(calendar=instance, **holiday) for holiday in holidays
            )
        return instance


def longest_closure(weekdays: list[int], holidays: list) -> int:
    """The most days in a row without a working day: runs of working weekdays that are all
    holidays, with the days off around them. Linear in the number of holidays."""
    working = set(weekdays)
    if not working:
        return 0  # refused elsewhere: a calendar needs a working day
    closed_days = sorted(day for day in holidays if day.isoweekday() in working)
    longest, run_start, previous = 0, None, None
    for day in closed_days:
        if previous is None or _next_working_day(previous, working) != day:
            run_start = _previous_working_day(day, working)
        longest = max(longest, (_next_working_day(day, working) - run_start).days - 1)
        previous = day
    return longest


def _next_working_day(day, working: set[int]):
    day += timedelta(days=1)
    while day.isoweekday() not in working:
        day += timedelta(days=1)
    return day


def _previous_working_day(day, working: set[int]):
    day -= timedelta(days=1)
    while day.isoweekday() not in working:
        day -= timedelta(days=1)
    return day


def _run_model_clean(candidate) -> None:
    try:
        candidate.clean()
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from exc


# --- Seams ------------------------------------------------------------------------------------


class SeamSerializer(serializers.ModelSerializer):
    from_team = SlugReference(slug_field="slug", queryset=Team.objects.all())
    to_team = SlugReference(slug_field="slug", queryset=Team.objects.all())
    calendar = SlugReference(slug_field="slug", queryset=Calendar.objects.all())
    owner = SlugReference(
        source="spec.owner",
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The accountable owner: field 1 of the spec. Set it here when creating the "
        "seam; change it later through the spec (a new version).",
    )
    spec_version = serializers.IntegerField(source="spec.version", read_only=True)

    class Meta:
        model = Seam
        fields = [
            "slug",
            "name",
            "description",
            "from_team",
            "to_team",
            "owner",
            "status",
            "calendar",
            "pilot_started_on",
            "pilot_review_on",
            "spec_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "slug",
            "pilot_started_on",
            "pilot_review_on",
            "created_at",
            "updated_at",
        ]

    def validate_status(self, value: str) -> str:
        current = getattr(self.instance, "status", None)
        if value == Seam.Status.PILOT and current != Seam.Status.PILOT:
            raise serializers.ValidationError(
                "Start a pilot with POST /api/v1/seams/<slug>/start-pilot/: it sets the dates."
            )
        return value

    def validate(self, attrs: dict) -> dict:
        owner = attrs.pop("spec", {}).get("owner")
        if self.instance is not None and owner is not None:
            raise serializers.ValidationError(
                {"owner": "Change the owner through the spec, so it gets a version and a note."}
            )
        candidate = Seam(
            pk=getattr(self.instance, "pk", None), slug=getattr(self.instance, "slug", "")
        )
        for name in ("name", "from_team", "to_team"):
            setattr(candidate, name, attrs.get(name, getattr(self.instance, name, None)))
        candidate.from_team_id = getattr(candidate.from_team, "pk", None)
        candidate.to_team_id = getattr(candidate.to_team, "pk", None)
        _run_model_clean(candidate)
        attrs["slug"] = candidate.slug
        attrs["_owner"] = owner
        return attrs


# --- Specs -------------------------------------------------------------------------------------


class SpecContentSerializer(serializers.ModelSerializer):
    owner = SlugReference(
        slug_field="username", queryset=User.objects.filter(is_active=True), allow_null=True
    )
    escalate_to = SlugReference(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        required=False,
    )
    definition_of_ready = serializers.ListField(
        child=serializers.CharField(max_length=300, allow_blank=False, trim_whitespace=True),
        required=False,
        help_text="The checklist, in order; no item may be empty.",
    )

    class Meta:
        model = HandoffSpec
        fields = list(SpecContent.CONTENT_FIELDS)


class SpecSerializer(SpecContentSerializer):
    """The current spec. Writes need `If-Match` with the version read (its ETag)."""

    seam = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = SlugReference(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        help_text="Username of the single accountable person.",
    )
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    note = serializers.CharField(
        write_only=True, max_length=300, help_text="Required change note, shown in the history."
    )

    class Meta(SpecContentSerializer.Meta):
        fields = [
            "seam",
            "version",
            *SpecContent.CONTENT_FIELDS,
            "updated_at",
            "updated_by",
            "note",
        ]
        read_only_fields = ["version", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        candidate = HandoffSpec(
            **{
                name: attrs.get(name, getattr(self.instance, name))
                for name in ("response_sla_hours", "completion_sla_hours")
            }
        )
        _run_model_clean(candidate)
        return attrs


class StaleSpecSerializer(ErrorSerializer):
    """412: the write was based on an old version; `current` is the spec as it is now."""

    current = SpecSerializer()


class SpecVersionSerializer(SpecContentSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SpecVersion
        fields = [
            "number",
            *SpecContent.CONTENT_FIELDS,
            "author",
            "created_at",
            "note",
            "restored_from",
        ]
        read_only_fields = fields


# --- Handoffs ----------------------------------------------------------------------------------


class HandoffSerializer(serializers.ModelSerializer):
    seam = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    returns = serializers.SerializerMethodField()

    class Meta:
        model = Handoff
        fields = [
            "id",
            "seam",
            *handoff_rules.RECORDED_COLUMNS,
            "waiting_since",
            "paused_hours",
            "returns",
        ]
        read_only_fields = fields

    def get_returns(self, handoff: Handoff) -> list[dict]:
        field = serializers.DateTimeField()
        return [
            {
                "returned_at": field.to_representation(r.returned_at),
                "reason": r.reason,
                "missing_item": r.missing_item,
                "resubmitted_at": field.to_representation(r.resubmitted_at)
                if r.resubmitted_at
                else None,
                "pauses": r.pauses,
                "pause_hours": r.pause_hours,
            }
            for r in handoff.returns.all()
        ]


class _GivenTime(serializers.CharField):
    """An optional past time for history from other tools (leaders and ops only): ISO 8601,
    naive ones in the organisation's time zone, not in the future nor before 2000."""

    def to_internal_value(self, data):
        from seams.ingest import parse_time

        text = super().to_internal_value(data)
        moment, problem = parse_time(text)
        if problem:
            raise serializers.ValidationError(problem)
        return moment


class HandoffReturnSerializer(serializers.Serializer):
    """Send a handoff back to its sender. Before its start (and its deadline) it waits on the
    sender: the receiver's clock pauses until it is resubmitted."""

    reason = serializers.CharField(max_length=500, help_text="Why it goes back.")
    missing_item = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text='The missing item of the seam\'s definition of ready, or "other".',
    )
    other_item = serializers.CharField(
        max_length=250,
        required=False,
        allow_blank=True,
        help_text='What is missing, with missing_item "other".',
    )
    at = _GivenTime(
        required=False,
        allow_null=True,
        help_text="When it was returned (default now). Past times: leaders and ops only.",
    )


class HandoffResubmitSerializer(serializers.Serializer):
    at = _GivenTime(
        required=False,
        allow_null=True,
        help_text="When the sender sent it again (default now). Past times: leaders and ops only.",
    )


class HandoffReturnRowSerializer(serializers.Serializer):
    returned_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=500)
    missing_item = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text='An item of the seam\'s definition of ready, or "Other: …" with text.',
    )
    resubmitted_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="For a return before the start."
    )


class HandoffRowSerializer(serializers.Serializer):
    """One row of a bulk upsert: the CSV's columns, plus an optional source and the returns
    that replace the handoff's (in the order they happened)."""

    seam = serializers.CharField(help_text="The seam's slug.")
    external_id = serializers.CharField(max_length=120)
    title = serializers.CharField(max_length=300)
    approval_type = serializers.CharField(max_length=80, required=False, allow_blank=True)
    submitted_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    completed_at = serializers.DateTimeField(required=False, allow_null=True)
    returned_count = serializers.IntegerField(required=False, min_value=0)
    source = serializers.CharField(max_length=60, required=False, help_text='Default "api".')
    returns = HandoffReturnRowSerializer(
        many=True, required=False, help_text="Replaces the handoff's returns when given."
    )


class IngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
