from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from common.serializers import SlugReference
from contracts import catalogue
from contracts.models import (
    Assumption,
    Commitment,
    Contract,
    ContractRevision,
    DecisionRight,
    Initiative,
    MetricTarget,
)
from contracts.services import target_warnings
from seams.models import Seam, Team, User

ACTIVE_PEOPLE = User.objects.filter(is_active=True)


def run_clean(instance) -> None:
    """The model's own rules, as API validation errors that name the field."""
    try:
        instance.clean()
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from exc


def person_field(**kwargs) -> serializers.SlugRelatedField:
    return SlugReference(slug_field="username", queryset=ACTIVE_PEOPLE, **kwargs)


class TargetSerializer(serializers.ModelSerializer):
    seam = SlugReference(slug_field="slug", queryset=Seam.objects.all())
    direction = serializers.ChoiceField(
        choices=MetricTarget.Direction.choices,
        required=False,
        help_text="Defaults to the metric's usual direction.",
    )

    class Meta:
        model = MetricTarget
        fields = ["id", "seam", "metric", "target", "direction", "tolerance_pct"]

    def validate(self, attrs: dict) -> dict:
        contract = self.context["contract"]
        metric = attrs.get("metric", getattr(self.instance, "metric", None))
        if "direction" not in attrs and self.instance is None and metric:
            attrs["direction"] = catalogue.BY_NAME[metric].better
        candidate = MetricTarget(
            contract=contract, seam=attrs.get("seam", getattr(self.instance, "seam", None))
        )
        run_clean(candidate)
        clash = MetricTarget.objects.filter(
            contract=contract, seam=candidate.seam, metric=metric
        ).exclude(pk=getattr(self.instance, "pk", None))
        if clash.exists():
            raise serializers.ValidationError(
                {"metric": "This seam already has a target for that metric."}
            )
        return attrs


class DecisionRightSerializer(serializers.ModelSerializer):
    seam = SlugReference(
        slug_field="slug", queryset=Seam.objects.all(), allow_null=True, required=False
    )
    decider = person_field()
    consulted_people = person_field(many=True, required=False)
    informed_people = person_field(many=True, required=False)
    consulted_teams = SlugReference(
        slug_field="slug", queryset=Team.objects.all(), many=True, required=False
    )
    informed_teams = SlugReference(
        slug_field="slug", queryset=Team.objects.all(), many=True, required=False
    )

    class Meta:
        model = DecisionRight
        fields = [
            "id",
            "decision_type",
            "seam",
            "decider",
            "consulted_people",
            "consulted_teams",
            "informed_people",
            "informed_teams",
            "decision_sla_hours",
            "escalation_forum",
        ]
        validators = []  # the one-decider rule is checked in validate(), with a clear message

    def validate(self, attrs: dict) -> dict:
        candidate = DecisionRight(
            pk=getattr(self.instance, "pk", None),
            contract=self.context["contract"],
            decision_type=attrs.get("decision_type", getattr(self.instance, "decision_type", "")),
            seam=attrs.get("seam", getattr(self.instance, "seam", None)),
            decider=attrs.get("decider", getattr(self.instance, "decider", None)),
        )
        run_clean(candidate)
        return attrs


class SignatureSerializer(serializers.Serializer):
    leader = serializers.CharField(source="leader.username")
    signed_at = serializers.DateTimeField()


class RevisionSerializer(serializers.ModelSerializer):
    published_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    binding_leaders = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    still_to_sign = serializers.SerializerMethodField()

    class Meta:
        model = ContractRevision
        fields = [
            "number",
            "changelog",
            "status",
            "published_by",
            "published_at",
            "fully_signed_at",
            "binding_leaders",
            "signatures",
            "still_to_sign",
            "content",
        ]
        read_only_fields = fields

    def get_still_to_sign(self, revision: ContractRevision) -> list[str]:
        signed = {s.leader_id for s in revision.signatures.all()}
        return sorted(u.username for u in revision.binding_leaders.all() if u.pk not in signed)


class ContractSerializer(serializers.ModelSerializer):
    leader = person_field()
    seams = SlugReference(
        slug_field="slug",
        queryset=Seam.objects.all(),
        many=True,
        required=False,
        help_text="The seams the contract covers. Removing one drops its targets and rights.",
    )
    targets = TargetSerializer(many=True, read_only=True)
    decision_rights = DecisionRightSerializer(many=True, read_only=True)
    revisions = RevisionSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "slug",
            "title",
            "scope",
            "leader",
            "review_day",
            "status",
            "seams",
            "targets",
            "decision_rights",
            "revisions",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["slug", "status", "created_at", "updated_at"]

    def get_warnings(self, contract: Contract) -> list[str]:
        return target_warnings(contract)

    def validate(self, attrs: dict) -> dict:
        candidate = Contract(
            pk=getattr(self.instance, "pk", None),
            slug=getattr(self.instance, "slug", ""),
            title=attrs.get("title", getattr(self.instance, "title", "")),
        )
        run_clean(candidate)
        attrs["slug"] = candidate.slug
        return attrs


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Contract.Status.choices)


class PublishSerializer(serializers.Serializer):
    changelog = serializers.CharField(max_length=2000)


# --- Initiatives ---------------------------------------------------------------------------


class CommitmentSerializer(serializers.ModelSerializer):
    team = SlugReference(slug_field="slug", queryset=Team.objects.all())

    class Meta:
        model = Commitment
        fields = ["id", "team", "commitment", "description", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []

    def validate_team(self, team: Team) -> Team:
        initiative = self.context["initiative"]
        if self.instance is not None and team != self.instance.team:
            raise serializers.ValidationError("A commitment stays with its team.")
        clash = Commitment.objects.filter(initiative=initiative, team=team)
        if self.instance is None and clash.exists():
            raise serializers.ValidationError(f"{team.name} has already committed; edit that.")
        return team


class AssumptionSerializer(serializers.ModelSerializer):
    owner = person_field(allow_null=True, required=False)
    from_commitment = serializers.PrimaryKeyRelatedField(queryset=Commitment.objects.all())
    to_commitment = serializers.PrimaryKeyRelatedField(queryset=Commitment.objects.all())
    needs_attention = serializers.SerializerMethodField()

    class Meta:
        model = Assumption
        fields = ["id", *Assumption.EDITABLE_FIELDS, "needs_attention", "updated_at"]
        read_only_fields = ["updated_at"]

    def get_needs_attention(self, assumption: Assumption) -> bool:
        return getattr(assumption, "attention", 3) < 3

    def validate(self, attrs: dict) -> dict:
        candidate = Assumption(
            initiative=self.context["initiative"],
            from_commitment=attrs.get(
                "from_commitment", getattr(self.instance, "from_commitment", None)
            ),
            to_commitment=attrs.get("to_commitment", getattr(self.instance, "to_commitment", None)),
        )
        run_clean(candidate)
        return attrs


class InitiativeSerializer(serializers.ModelSerializer):
    leader = person_field()
    commitments = CommitmentSerializer(many=True, read_only=True)
    assumptions = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            "slug",
            "name",
            "description",
            "leader",
            "target_date",
            "commitments",
            "assumptions",
            "created_at",
        ]
        read_only_fields = ["slug", "created_at"]

    def get_assumptions(self, initiative: Initiative) -> list[dict]:
        ordered = initiative.assumptions.needing_attention_first(self.context["today"])
        return AssumptionSerializer(ordered.select_related("owner"), many=True).data

    def validate(self, attrs: dict) -> dict:
        candidate = Initiative(
            pk=getattr(self.instance, "pk", None),
            slug=getattr(self.instance, "slug", ""),
            name=attrs.get("name", getattr(self.instance, "name", "")),
        )
        run_clean(candidate)
        attrs["slug"] = candidate.slug
        return attrs
