"""Seams: one team hands work to another, on a business calendar."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from seams.models.calendars import Calendar
from seams.models.people import Team
from seams.models.slugs import derive_slug


class SeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SeamQuerySet":
        return self if user.is_authenticated and user.is_active else self.none()

    def with_related(self) -> "SeamQuerySet":
        return self.select_related(
            "from_team", "to_team", "calendar", "spec", "spec__owner", "spec__updated_by"
        )

    def involving(self, team: "Team") -> "SeamQuerySet":
        return self.filter(models.Q(from_team=team) | models.Q(to_team=team))

    def involving_any(self, team_ids) -> "SeamQuerySet":
        """Seams whose sending or receiving team is one of `team_ids`."""
        team_ids = list(team_ids)
        return self.filter(models.Q(from_team_id__in=team_ids) | models.Q(to_team_id__in=team_ids))

    def search(self, text: str) -> "SeamQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(slug__icontains=text)
            | models.Q(description__icontains=text)
            | models.Q(from_team__name__icontains=text)
            | models.Q(to_team__name__icontains=text)
            | models.Q(spec__owner__first_name__icontains=text)
            | models.Q(spec__owner__last_name__icontains=text)
        )


class Seam(models.Model):
    """A directed interface: work handed from one team to another."""

    PILOT_DAYS = 30

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        PILOT = "pilot", "Pilot"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(
        max_length=240, blank=True, help_text="One line on what crosses this seam."
    )
    from_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="seams_out", help_text="Sends the work."
    )
    to_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="seams_in", help_text="Receives the work."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    calendar = models.ForeignKey(
        Calendar,
        on_delete=models.PROTECT,
        related_name="seams",
        help_text="Business hours the SLA clocks of this seam run on.",
    )
    pilot_started_on = models.DateField(null=True, blank=True)
    pilot_review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_team=models.F("to_team")),
                name="seam_between_two_teams",
                violation_error_message="A seam connects two different teams.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("seams:detail", args=[self.slug])

    def clean(self) -> None:
        if self.from_team_id and self.from_team_id == self.to_team_id:
            raise ValidationError({"to_team": "A seam connects two different teams."})
        derive_slug(self)

    @property
    def team_ids(self) -> set[int]:
        return {self.from_team_id, self.to_team_id}

    def start_pilot(self, today: date) -> None:
        self.status = self.Status.PILOT
        self.pilot_started_on = today
        self.pilot_review_on = today + timedelta(days=self.PILOT_DAYS)
        self.save(update_fields=["status", "pilot_started_on", "pilot_review_on", "updated_at"])

    def change_calendar(self, calendar: Calendar) -> None:
        """Run this seam's SLA clocks on another calendar, for handoffs submitted from now."""
        self.calendar = calendar
        self.save(update_fields=["calendar", "updated_at"])

    def pilot_day(self, today: date) -> int | None:
        """Day n of the pilot (day 1 is the start date), while it runs."""
        if self.status != self.Status.PILOT or not self.pilot_started_on:
            return None
        return (today - self.pilot_started_on).days + 1

    def pilot_review_due(self, today: date) -> bool:
        return (
            self.status == self.Status.PILOT
            and self.pilot_review_on is not None
            and today >= self.pilot_review_on
        )
