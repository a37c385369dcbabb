"""People and teams: who belongs to which team, and in which role."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse

from seams.models.slugs import derive_slug


class User(AbstractUser):
    """A person in the organisation. Organisation roles are Django groups (see permissions)."""

    job_title = models.CharField(
        max_length=120,
        blank=True,
        help_text="Shown beside the name, e.g. 'Product Operations Lead'.",
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def initials(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p] or [self.username]
        return "".join(p[0] for p in parts[:2]).upper()


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TeamQuerySet":
        # Everyone signed in reads the whole organisation (DESIGN.md, permissions).
        return self if user.is_authenticated and user.is_active else self.none()

    def with_people(self) -> "TeamQuerySet":
        memberships = Membership.objects.select_related("user").order_by(
            "-role", "user__first_name", "user__last_name", "user__username"
        )
        return self.select_related("leader").prefetch_related(
            models.Prefetch("memberships", queryset=memberships)
        )

    def owned_by(self, user) -> "TeamQuerySet":
        return self.filter(memberships__user=user, memberships__role=Membership.Role.OWNER)


class Team(models.Model):
    """A function of the organisation (Sales, Security, …) whose work crosses seams."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(
        max_length=240, blank=True, help_text="One line on what this team is responsible for."
    )
    leader = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        help_text="The executive the team reports to.",
    )
    members = models.ManyToManyField(User, through="Membership", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("seams:team-detail", args=[self.slug])

    def clean(self) -> None:
        derive_slug(self)

    @property
    def owners(self) -> list["Membership"]:
        """Owner memberships; uses the prefetched memberships when present."""
        return [m for m in self.memberships.all() if m.role == Membership.Role.OWNER]


class Membership(models.Model):
    class Role(models.TextChoices):
        # Ordered so that sorting by role descending lists owners first.
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="unique_team_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.team})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER
