from django.utils import timezone
from rest_framework import serializers

from common.serializers import SlugReference
from contracts.models import Contract
from contracts.serializers import run_clean
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
            "requested_at",
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
        required=False, help_text="When it was decided: now or earlier. Defaults to now."
    )

    def validate_decided_at(self, value):
        # A later time would record a decision not made yet (and, far enough ahead, overflow
        # the business-hours clock that measures its latency).
        if value > timezone.now():
            raise serializers.ValidationError("That is in the future.")
        return value


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


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
        read_only_fields = ["raised_at"]

    def validate(self, attrs: dict) -> dict:
        # A resolution (resolved_at, resolution, root_cause) is checked and written by
        # `resolve_escalation`, as the page's is: see EscalationViewSet.
        before = [self.instance.seam] if self.instance else None
        check_places(self, [attrs.get("seam", getattr(self.instance, "seam", None))], before)
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
            "needed_by",
            "committed_date",
            "status",
            "delivered_at",
            "delivered_on_time",
            "moves",
        ]
        read_only_fields = ["status", "delivered_at"]

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
        return attrs


class MoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Dependency.Status.choices)
