"""The guided start's own records: where the leaders are, and the misses they pasted."""

from django.db import models
from django.utils import timezone


class GuidedStart(models.Model):
    """A leadership team's guided start: from recent misses to a piloted contract, in the five
    steps of the method. One per organisation, shared by its leaders, so anyone can resume it.

    `step` is the furthest step reached; everything the steps create (teams, seams,
    escalations, decisions, constraints, the spec, the contract) is ordinary data.
    """

    class Step(models.TextChoices):
        SEAMS = "seams", "Find your seams"
        CADENCE = "cadence", "Set the decision cadence"
        SPEC = "spec", "Write the spec"
        DATA = "data", "Connect the data"
        METRICS = "metrics", "Choose three metrics"
        DONE = "done", "Done"

    class Source(models.TextChoices):
        CSV = "csv", "CSV upload"
        JIRA = "jira", "Jira webhook"
        MANUAL = "manual", "Logged by hand"

    ORDER = [Step.SEAMS, Step.CADENCE, Step.SPEC, Step.DATA, Step.METRICS, Step.DONE]

    step = models.CharField(max_length=10, choices=Step.choices, default=Step.SEAMS)
    seams = models.ManyToManyField(
        "seams.Seam", blank=True, related_name="+", help_text="The seams chosen to work on."
    )
    top_seam = models.ForeignKey(
        "seams.Seam",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The highest-friction seam: it gets the spec and the 30-day pilot.",
    )
    template = models.ForeignKey(
        "contracts.SpecTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decisions = models.ManyToManyField("decisions.Decision", blank=True, related_name="+")
    constraints = models.ManyToManyField("decisions.Constraint", blank=True, related_name="+")
    data_source = models.CharField(max_length=6, choices=Source.choices, blank=True)
    webhook = models.ForeignKey(
        "connections.Source", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_review_on = models.DateField(null=True, blank=True)
    started_by = models.ForeignKey("seams.User", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey("seams.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "metrics_guidedstart"  # made in metrics, before this app existed
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Guided start, at “{self.get_step_display()}”"

    def reached(self, step: str) -> bool:
        return self.ORDER.index(step) <= self.ORDER.index(self.step)

    def advance(self, past: str, *, by) -> None:
        """Record that `past` is done: the furthest step moves on if `past` was the frontier."""
        following = self.ORDER[self.ORDER.index(past) + 1]
        if not self.reached(following):
            self.step = following
        self.touch(by=by, fields=["step"])

    def touch(self, *, by, fields: list[str] = ()) -> None:
        self.updated_by, self.updated_at = by, timezone.now()
        self.save(update_fields=[*fields, "updated_by", "updated_at"])


class Miss(models.Model):
    """A recent miss or escalation pasted into the guided start, until it is tagged to a seam;
    tagged, it is an ordinary escalation on that seam."""

    guided_start = models.ForeignKey(GuidedStart, on_delete=models.CASCADE, related_name="misses")
    summary = models.CharField(max_length=300)
    happened_on = models.DateField(null=True, blank=True)
    cause = models.CharField(max_length=30, blank=True)
    escalation = models.OneToOneField(
        "decisions.Escalation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    seam = models.ForeignKey(
        "seams.Seam", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "metrics_miss"  # made in metrics, before this app existed
        ordering = ["position", "pk"]
        verbose_name_plural = "misses"

    def __str__(self) -> str:
        return self.summary
