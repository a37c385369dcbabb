from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from seams.models import Membership, Team, User
from seams.services import MemberSpec, save_team


class MemberSerializer(serializers.Serializer):
    username = serializers.SlugRelatedField(
        source="user", slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    name = serializers.CharField(source="user.display_name", read_only=True)
    job_title = serializers.CharField(source="user.job_title", read_only=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)


class TeamSerializer(serializers.ModelSerializer):
    leader = serializers.SlugRelatedField(
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
