"""Who the identity provider says people are: their directory accounts, the directory's
groups, and what each group grants in Seamline (organisation roles and team memberships)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from seams.models import Membership, Team
from seams.permissions import LEADER, OPS, VIEWER


class GroupMappingQuerySet(models.QuerySet):
    def for_page(self) -> "GroupMappingQuerySet":
        return self.select_related("team").order_by(Lower("group"), "pk")


class GroupMapping(models.Model):
    """A group of the identity provider and one thing it grants: an organisation role, or a
    place in a team. A person's mapped roles and teams follow their groups at every single
    sign-on and SCIM change; roles and teams that no mapping names are left as they are."""

    class Role(models.TextChoices):
        LEADER = LEADER, "Leader"
        OPS = OPS, "Ops"
        VIEWER = VIEWER, "Viewer"

    group = models.CharField(
        max_length=255,
        help_text="The group exactly as the identity provider sends it: a name (Okta, Google, "
        "Keycloak, SCIM groups) or an object id (Entra ID). Compared without regard to case.",
    )
    role = models.CharField(
        max_length=10,
        choices=Role.choices,
        blank=True,
        help_text="The organisation role the group grants.",
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="group_mappings",
        help_text="The team the group's people belong to.",
    )
    team_role = models.CharField(
        max_length=10,
        choices=Membership.Role.choices,
        default=Membership.Role.MEMBER,
        help_text="As what they belong to the team.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GroupMappingQuerySet.as_manager()

    class Meta:
        ordering = ["group", "pk"]
        constraints = [
            models.CheckConstraint(
                name="group_mapping_grants_one_thing",
                condition=(Q(role="") & Q(team__isnull=False))
                | (~Q(role="") & Q(team__isnull=True)),
            ),
            models.UniqueConstraint(
                Lower("group"),
                "role",
                condition=~Q(role=""),
                name="unique_group_role_mapping",
            ),
            models.UniqueConstraint(
                Lower("group"),
                "team",
                condition=Q(team__isnull=False),
                name="unique_group_team_mapping",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.grants}"

    @property
    def grants(self) -> str:
        if self.team_id:
            return f"{self.get_team_role_display()} of {self.team}"
        return self.get_role_display()


class DirectoryAccount(models.Model):
    """What the identity provider and the SCIM directory know of one person. The person
    (`User`) keeps their history whatever happens here: deactivation never deletes them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_account"
    )
    # Single sign-on: the provider's stable subject for the person.
    oidc_issuer = models.CharField(max_length=500, blank=True)
    oidc_subject = models.CharField(max_length=255, blank=True)
    last_sso_at = models.DateTimeField(null=True, blank=True)
    sso_groups = models.JSONField(
        default=list, blank=True, help_text="The groups claim of the latest single sign-on."
    )
    # SCIM: the id Seamline gave the person's resource, and the directory's own id.
    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scim_external_id = models.CharField(max_length=255, blank=True)
    scim_provisioned = models.BooleanField(
        default=False, help_text="Whether the SCIM directory created or claimed this person."
    )
    scim_deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the directory deleted the person: they stay in Seamline, deactivated, "
        "with their history.",
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_issuer", "oidc_subject"],
                condition=~Q(oidc_subject=""),
                name="unique_oidc_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"Directory account of {self.user}"


class DirectoryGroup(models.Model):
    """A group the SCIM directory pushed. Its members' mapped roles and teams follow it."""

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="directory_groups", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class SignedInSession(models.Model):
    """Which session belongs to whom, so that deactivating a person ends every one of their
    sessions at once (Django's sessions table can't be searched by person)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Session of {self.user}"
