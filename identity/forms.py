from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from identity.models import GroupMapping
from seams.models import Membership, Team

_ROLE = "role"
_TEAM = "team"


def grant_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The grant select's options: the organisation roles, then a place in each team."""
    roles = [(f"{_ROLE}:{value}", f"{label} role") for value, label in GroupMapping.Role.choices]
    teams = [
        (f"{_TEAM}:{team.pk}:{role}", f"{label} of {team.name}")
        for team in Team.objects.order_by("name")
        for role, label in Membership.Role.choices
    ]
    return [("Organisation role", roles), ("Team", teams)]


class GroupMappingForm(forms.Form):
    group = forms.CharField(
        max_length=255,
        widget=forms.TextInput(attrs={"list": "known-groups", "autocomplete": "off"}),
        help_text="As the provider sends it: a group name (Okta, Google, Keycloak, SCIM), or "
        "an object id (Entra ID). Case doesn't matter.",
    )
    grants = forms.ChoiceField(
        label="Grants", help_text="What membership of the group gives in Seamline."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grants"].choices = [("", "Choose a role or a team…"), *grant_choices()]

    def clean_group(self) -> str:
        group = self.cleaned_data["group"].strip()
        if not group:
            raise forms.ValidationError("Name the group.")
        return group

    def clean(self) -> dict:
        cleaned = super().clean()
        group, grants = cleaned.get("group"), cleaned.get("grants")
        if not group or not grants:
            return cleaned
        kind, _, rest = grants.partition(":")
        mapping = GroupMapping(group=group)
        if kind == _ROLE:
            mapping.role = rest
            same = GroupMapping.objects.filter(role=rest)
        else:
            team_id, _, team_role = rest.partition(":")
            mapping.team_id, mapping.team_role = int(team_id), team_role
            same = GroupMapping.objects.filter(team_id=mapping.team_id)
        if same.annotate(lower=Lower("group")).filter(lower=group.lower()).exists():
            raise forms.ValidationError(
                f"“{group}” already grants this. Remove that mapping first to change it."
            )
        cleaned["mapping"] = mapping
        return cleaned


class SignInForm(AuthenticationForm):
    """The password sign-in. With PASSWORD_LOGIN off, a refused password says why rather than
    "wrong password" (without telling who is a superuser: every refusal reads the same)."""

    PASSWORDS_OFF = (
        "Passwords are turned off here: sign in with single sign-on. (Administrators can "
        "still sign in with their password.)"
    )

    def get_invalid_login_error(self) -> ValidationError:
        if not settings.PASSWORD_LOGIN:
            return ValidationError(self.PASSWORDS_OFF, code="passwords_off")
        return super().get_invalid_login_error()
