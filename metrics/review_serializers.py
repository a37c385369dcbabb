"""The reviews API's shapes: a review with its root causes and corrective actions, and the
explicit inputs of its commands (start, record a root cause, add an action, close, update an
action's status). Field names as in DESIGN.md's glossary; the rules stay in metrics.reviews."""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.serializers import SlugReference
from contracts import catalogue
from metrics import dashboard, engine, reviews
from metrics.models import CorrectiveAction, Review, RootCause
from metrics.serializers import MONTH_PATTERN, MonthField
from seams import permissions
from seams.models import Seam, User

VERDICTS = [reviews.MOVED, reviews.PARTLY, reviews.NOT_MOVED, reviews.TOO_EARLY]
# Long enough for what a meeting agreed "in a few lines", short of anything pasted by mistake.
NOTES_MAX = 10_000


def _value(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=16, decimal_places=4, read_only=True, allow_null=True, **kwargs
    )


class RootCauseSerializer(serializers.ModelSerializer):
    seam = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RootCause
        fields = ["seam", "text", "recorded_by", "recorded_at"]
        read_only_fields = fields


class CorrectiveActionSerializer(serializers.ModelSerializer):
    """An action agreed in a review, with its verdict as the review pages compute it
    (metrics.reviews.judge): `latest` is its metric in the latest full month since it was
    agreed, `target` the metric's target at the seam (rates as fractions, like the values)."""

    review = serializers.PrimaryKeyRelatedField(read_only=True)
    seam = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    metric_label = serializers.CharField(read_only=True)
    value_when_agreed = _value(
        source="baseline", help_text="The metric's value in the review's month, when agreed."
    )
    target = _value(help_text="The metric's target at the seam; null when none is set.")
    latest = _value(
        help_text="The metric in the latest full month since the action was agreed; null "
        "until one has ended."
    )
    verdict = serializers.ChoiceField(
        choices=VERDICTS, read_only=True, help_text="Did it move the metric? (DESIGN.md)"
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "review",
            "seam",
            "title",
            "owner",
            "due_on",
            "status",
            "done_on",
            "overdue",
            "metric",
            "metric_label",
            "value_when_agreed",
            "target",
            "latest",
            "verdict",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_overdue(self, action: CorrectiveAction) -> bool:
        return action.is_overdue(self.context["today"])


class ReviewSerializer(serializers.ModelSerializer):
    """A monthly review: its scope (a contract, or all seams when `contract` is null), the
    root causes recorded per seam and the corrective actions agreed."""

    month = MonthField(read_only=True)
    contract = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    scope = serializers.SerializerMethodField()
    started_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    root_causes = RootCauseSerializer(many=True, read_only=True)
    actions = CorrectiveActionSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "month",
            "contract",
            "scope",
            "status",
            "held_on",
            "started_by",
            "notes",
            "closed_at",
            "root_causes",
            "actions",
        ]
        read_only_fields = fields

    def get_scope(self, review: Review) -> str:
        return review.contract.title if review.contract_id else "All seams"


# --- Inputs ------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-11"})
class MonthInput(serializers.CharField):
    """A month as YYYY-MM, read as the review pages read it (engine.parse_month): not before
    January 2000, not after the current month."""

    def __init__(self, **kwargs) -> None:
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not re.fullmatch(MONTH_PATTERN.strip("^$"), text):
            raise serializers.ValidationError(
                f"A month is written YYYY-MM, like 2026-10; “{text[:20]}” isn't."
            )
        try:
            return engine.parse_month(text)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


class ContractInForce(SlugReference):
    default_error_messages = {"does_not_exist": "No contract in force is called “{value}”."}


class ReviewStartSerializer(serializers.Serializer):
    """Start the month's review of a scope; the same again answers the review started."""

    month = MonthInput(
        required=False, help_text="The month reviewed; the month under review when omitted."
    )
    contract = ContractInForce(
        slug_field="slug",
        queryset=dashboard.contracts_in_force(),
        required=False,
        allow_null=True,
        help_text="A contract in force (pilot or active); null or omitted for all seams.",
    )

    def validate(self, attrs: dict) -> dict:
        return {
            "month": attrs.get("month") or engine.month_under_review(),
            "contract": attrs.get("contract"),
        }


def _seam_field() -> SlugReference:
    return SlugReference(slug_field="slug", queryset=Seam.objects.all())


class RootCauseInputSerializer(serializers.Serializer):
    """Why a seam was red or amber: one per seam and review, so the same seam again updates it."""

    seam = _seam_field()
    text = serializers.CharField(
        max_length=500, error_messages={"blank": "Say what the root cause is."}
    )


class ActionInputSerializer(serializers.Serializer):
    """An owner-led action against the seam metric it should move (the review page's form)."""

    seam = _seam_field()
    title = serializers.CharField(max_length=200)
    owner = SlugReference(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        help_text="The owner's username: a leader, ops, or an owner of one of the seam's teams.",
    )
    due_on = serializers.DateField(
        error_messages={"invalid": "Give the due date as YYYY-MM-DD."},
        help_text="Not before the day the review was held.",
    )
    metric = serializers.ChoiceField(
        choices=catalogue.CHOICES,
        error_messages={"invalid_choice": "Choose the seam metric this action should move."},
    )

    def validate(self, attrs: dict) -> dict:
        """The service's rules on the inputs, each on its own field (it checks them again)."""
        review = self.context["review"]
        problems = {}
        if attrs["due_on"] < review.held_on:
            problems["due_on"] = "An action can't be due before the review that agreed it."
        if problem := permissions.named_person_error(attrs["owner"], attrs["seam"]):
            problems["owner"] = problem
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class ReviewCloseSerializer(serializers.Serializer):
    notes = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=NOTES_MAX,
        help_text="What the meeting agreed; the notes so far when empty or omitted.",
    )


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CorrectiveAction.Status.choices)
