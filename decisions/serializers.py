from datetime import datetime

from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from common.serializers import SlugReference
from contracts.models import Contract, Initiative
from contracts.serializers import run_clean
from decisions.history import (
    PAST_TIMES_ONLY,
    TimeRefused,
    check_day,
    check_time,
    is_past,
    may_give_past_times,
)
from decisions.models import (
    Constraint,
    Decision,
    DecisionEvent,
    Dependency,
    DependencyMove,
    Escalation,
)
from decisions.services import find_decision_right
from seams import permissions
from seams.models import Seam, Team, User

ACTIVE = User.objects.filter(is_active=True)


def person(**kwargs) -> serializers.SlugRelatedField:
    return SlugReference(slug_field="username", queryset=ACTIVE, **kwargs)


def seam_field(**kwargs) -> serializers.SlugRelatedField:
    return SlugReference(slug_field="slug", queryset=Seam.objects.all(), **kwargs)


def check_places(serializer: serializers.Serializer, places, before=None, **named) -> None:
    """A write at places (seams, teams): the signed-in person must log at every place it names
    and, on an update, at the places it had `before` (a 403 otherwise:
    `permissions.require_log_at`); a person it names must be one who may act there (a 400 on
    that field: `permissions.named_person_error`). The pages' forms apply the same rules."""
    request = serializer.context.get("request")
    if request is not None:
        if before is not None:
            permissions.require_log_at(request.user, *before)
        if any(place is not None for place in places):
            permissions.require_log_at(request.user, *places)
    problems = {
        name: problem
        for name, person in named.items()
        if (problem := permissions.named_person_error(person, *places))
    }
    if problems:
        raise serializers.ValidationError(problems)


def check_given_times(serializer: serializers.Serializer, attrs: dict, *names: str) -> None:
    """Times given instead of "now" (history from other tools, `decisions.history`): a past one
    only from leaders and ops (403, saying so); none in the future or before 2000 (400 on the
    field). Each named field that is present in `attrs` is checked."""
    given = {name: attrs[name] for name in names if attrs.get(name) is not None}
    request = serializer.context.get("request")
    past = any(is_past(value) for value in given.values())
    if past and request is not None and not may_give_past_times(request.user):
        raise PermissionDenied(PAST_TIMES_ONLY)
    problems = {}
    for name, value in given.items():
        try:
            check_time(value) if isinstance(value, datetime) else check_day(value)
        except TimeRefused as refused:
            problems[name] = str(refused)
    if problems:
        raise serializers.ValidationError(problems)


def refuse_change(serializer: serializers.Serializer, attrs: dict, name: str) -> None:
    """A start time is given when the record is logged, never moved afterwards."""
    if serializer.instance is not None and name in attrs:
        raise serializers.ValidationError({name: "It is given when the record is logged."})


class DecisionEventSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DecisionEvent
        fields = ["kind", "by", "at", "note"]


class DecisionSerializer(serializers.ModelSerializer):
    """Writes log a decision: the decider and due time come from the decision right."""

    seam = seam_field(required=False, allow_null=True)
    contract = SlugReference(
        slug_field="slug", queryset=Contract.objects.all(), required=False, allow_null=True
    )
    decider = person(required=False, help_text="Only when no decision right covers the type.")
    requested_at = serializers.DateTimeField(
        required=False,
        help_text="When it was asked: now, or (leaders and ops) a past time. The due time "
        "runs from it.",
    )
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    events = DecisionEventSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "question",
            "decision_type",
            "seam",
            "contract",
            "requested_by",
            "requested_at",
            "decider",
            "due_at",
            "decided_at",
            "outcome",
            "rationale",
            "status",
            "times_reopened",
            "overdue",
            "events",
        ]
        read_only_fields = [
            "due_at",
            "decided_at",
            "outcome",
            "rationale",
            "status",
            "times_reopened",
        ]

    def get_overdue(self, decision: Decision) -> bool:
        return decision.is_overdue(timezone.now())

    def validate(self, attrs: dict) -> dict:
        seam, contract = attrs.get("seam"), attrs.get("contract")
        if not seam and not contract:
            raise serializers.ValidationError(
                {"seam": "Tag the decision to a seam (or a contract)."}
            )
        place = Decision.place_of(seam, contract)
        check_places(self, [place])  # who may log it there: 403 before anything else
        check_given_times(self, attrs, "requested_at")
        right = find_decision_right(seam=seam, decision_type=attrs.get("decision_type", ""))
        if right is None and not attrs.get("decider"):
            raise serializers.ValidationError(
                {"decider": "No decision right covers this type at this seam: name the decider."}
            )
        # The right's decider was checked when the right was written; one named here is now.
        if right is None:
            check_places(self, [place], decider=attrs["decider"])
        return attrs


class DecideSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=2000)
    rationale = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    decided_at = serializers.DateTimeField(
        required=False,
        help_text="When it was decided: now, or (leaders and ops) a past time not before the "
        "request or the last reopen. Defaults to now.",
    )

    def validate(self, attrs: dict) -> dict:
        # A later time would record a decision not made yet (and, far enough ahead, overflow
        # the business-hours clock that measures its latency).
        check_given_times(self, attrs, "decided_at")
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ReopenSerializer(ReasonSerializer):
    reopened_at = serializers.DateTimeField(
        required=False,
        help_text="When it was reopened: now, or (leaders and ops) a past time not before it "
        "was decided. Defaults to now.",
    )

    def validate(self, attrs: dict) -> dict:
        check_given_times(self, attrs, "reopened_at")
        return attrs


class WithdrawSerializer(ReasonSerializer):
    withdrawn_at = serializers.DateTimeField(
        required=False,
        help_text="When it was withdrawn: now, or (leaders and ops) a past time not before "
        "its last step. Withdrawn by its due time, it is not due; later, it breached.",
    )

    def validate(self, attrs: dict) -> dict:
        check_given_times(self, attrs, "withdrawn_at")
        return attrs


class EscalationSerializer(serializers.ModelSerializer):
    seam = seam_field()
    raised_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "seam",
            "summary",
            "severity",
            "cause",
            "raised_by",
            "raised_at",
            "resolved_at",
            "resolution",
            "root_cause",
        ]
        extra_kwargs = {
            "raised_at": {
                "required": False,
                "help_text": "When it was raised: now, or (leaders and ops) a past time. Given "
                "when it is logged.",
            },
            "resolved_at": {
                "help_text": "When it was resolved: now, or (leaders and ops) a past time not "
                "before it was raised."
            },
        }

    def validate(self, attrs: dict) -> dict:
        # A resolution (resolved_at, resolution, root_cause) is checked and written by
        # `resolve_escalation`, as the page's is: see EscalationViewSet.
        before = [self.instance.seam] if self.instance else None
        check_places(self, [attrs.get("seam", getattr(self.instance, "seam", None))], before)
        refuse_change(self, attrs, "raised_at")
        check_given_times(self, attrs, "raised_at", "resolved_at")
        return attrs


class ConstraintSerializer(serializers.ModelSerializer):
    owner = person()
    seam = seam_field(required=False, allow_null=True)
    team = SlugReference(
        slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Constraint
        fields = ["id", "description", "owner", "seam", "team", "raised_at", "removed_at"]

    def validate(self, attrs: dict) -> dict:
        candidate = Constraint(
            **{
                name: attrs.get(name, getattr(self.instance, name, None))
                for name in ("seam", "team", "owner", "raised_at", "removed_at")
            }
        )
        if candidate.raised_at is None:
            candidate.raised_at = timezone.localdate()
        before = self.instance.places if self.instance else None
        check_places(self, candidate.places, before)  # who may write it where: 403
        run_clean(candidate)  # the model's rules, its owner's among them: 400
        if candidate.raised_at > timezone.localdate():
            raise serializers.ValidationError(
                {"raised_at": "A constraint is raised today or earlier."}
            )
        return attrs


class DependencyMoveSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DependencyMove
        fields = ["from_status", "to_status", "by", "at"]


class DependencySerializer(serializers.ModelSerializer):
    provider = SlugReference(slug_field="slug", queryset=Team.objects.all())
    consumer = SlugReference(slug_field="slug", queryset=Team.objects.all())
    seam = seam_field(required=False, allow_null=True)
    owner = person()
    initiative = SlugReference(
        slug_field="slug",
        queryset=Initiative.objects.all(),
        required=False,
        allow_null=True,
        help_text="The slug of the initiative it is needed for; null for none.",
        error_messages={"does_not_exist": "There is no initiative “{value}”."},
    )
    delivered_on_time = serializers.BooleanField(read_only=True, allow_null=True)
    moves = DependencyMoveSerializer(many=True, read_only=True)

    class Meta:
        model = Dependency
        fields = [
            "id",
            "title",
            "provider",
            "consumer",
            "seam",
            "owner",
            "initiative",
            "needed_by",
            "committed_date",
            "status",
            "delivered_at",
            "delivered_on_time",
            "created_at",
            "moves",
        ]
        read_only_fields = ["status", "delivered_at"]
        extra_kwargs = {
            "created_at": {
                "required": False,
                "help_text": "When it was logged, its own start: now, or (leaders and ops) a "
                "past time. Given when it is logged.",
            }
        }

    def validate(self, attrs: dict) -> dict:
        candidate = Dependency(
            **{
                name: attrs.get(name, getattr(self.instance, name, None))
                for name in ("provider", "consumer", "seam", "owner")
            }
        )
        before = self.instance.places if self.instance else None
        check_places(self, candidate.places, before)  # who may write it where: 403
        run_clean(candidate)  # the model's rules, its owner's among them: 400
        refuse_change(self, attrs, "created_at")
        check_given_times(self, attrs, "created_at")
        return attrs


class MoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Dependency.Status.choices)
    delivered_at = serializers.DateField(
        required=False,
        help_text="With a move to delivered: the day it was delivered, today or (leaders and "
        "ops) earlier, not before the day it was logged. Defaults to today.",
    )

    def validate(self, attrs: dict) -> dict:
        if "delivered_at" in attrs and attrs["status"] != Dependency.Status.DELIVERED:
            raise serializers.ValidationError(
                {"delivered_at": "A delivery date goes only with a move to delivered."}
            )
        check_given_times(self, attrs, "delivered_at")
        return attrs
