"""The one-page handoff spec of a seam, and its saved versions."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from seams.models.people import User
from seams.models.seams import Seam


def validate_checklist(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("The definition of ready is a list of items.")
    for number, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"Item {number} of the definition of ready is empty.")
        if len(item) > 300:
            raise ValidationError(f"Item {number} is longer than 300 characters.")


POSITIVE_HOURS = [MinValueValidator(Decimal("0.01"), "Use a positive number of hours.")]


# The fields a spec and a spec template share (contracts.SpecTemplate copies into a spec), made
# in one place so the two can't drift.
def ready_field() -> models.JSONField:
    return models.JSONField(
        default=list,
        blank=True,
        validators=[validate_checklist],
        help_text="Inputs the sender must provide before the clock starts, in order.",
    )


def done_field() -> models.TextField:
    return models.TextField(blank=True, help_text="The output the receiving team hands back.")


def hours_field(help_text: str) -> models.DecimalField:
    return models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE_HOURS,
        help_text=help_text,
    )


def forum_field() -> models.CharField:
    return models.CharField(
        max_length=200, blank=True, help_text="Where exceptions are decided, e.g. a weekly sync."
    )


RESPONSE_SLA_HELP = "Business hours from submitted to started."
COMPLETION_SLA_HELP = "Optional: business hours from submitted to completed."
ESCALATE_AFTER_HELP = "Business hours without a response before escalating."


class SpecContent(models.Model):
    """The five micro-ownership fields plus notes: what one version of a spec says."""

    owner = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The single accountable person for this seam.",
    )
    definition_of_ready = ready_field()
    definition_of_done = done_field()
    response_sla_hours = hours_field(RESPONSE_SLA_HELP)
    completion_sla_hours = hours_field(COMPLETION_SLA_HELP)
    escalate_to = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Who hears about a miss.",
    )
    escalate_after_hours = hours_field(ESCALATE_AFTER_HELP)
    forum = forum_field()
    notes = models.TextField(blank=True)

    CONTENT_FIELDS = (
        "owner",
        "definition_of_ready",
        "definition_of_done",
        "response_sla_hours",
        "completion_sla_hours",
        "escalate_to",
        "escalate_after_hours",
        "forum",
        "notes",
    )

    class Meta:
        abstract = True

    def content(self) -> dict:
        """The content as {field: value}, with people as User objects."""
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}

    def clean(self) -> None:
        if (
            self.completion_sla_hours is not None
            and self.response_sla_hours is not None
            and self.completion_sla_hours < self.response_sla_hours
        ):
            raise ValidationError(
                {"completion_sla_hours": "Completion can't be due before the response."}
            )


class HandoffSpec(SpecContent):
    """The current one-page spec of a seam. `version` counts saves; 0 means never written."""

    seam = models.OneToOneField(Seam, on_delete=models.CASCADE, related_name="spec")
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Spec of {self.seam} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("seams:spec", args=[self.seam.slug])


class SpecVersion(SpecContent):
    """One saved version of a spec: immutable, with author, time and change note."""

    spec = models.ForeignKey(HandoffSpec, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300)
    restored_from = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version this one restored, if any."
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["spec", "number"], name="unique_spec_version"),
        ]

    def __str__(self) -> str:
        return f"v{self.number} of {self.spec.seam}"
