"""Handoffs across a seam and the times they were sent back."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from seams import handoff_rules
from seams.models.people import User
from seams.models.seams import Seam


class HandoffQuerySet(models.QuerySet):
    def with_related(self) -> "HandoffQuerySet":
        return self.select_related("seam__from_team", "seam__to_team")

    def open(self) -> "HandoffQuerySet":
        return self.filter(completed_at__isnull=True)

    def breached(self, now: datetime) -> "HandoffQuerySet":
        """Past the response deadline and not started by it."""
        late_start = models.Q(started_at__gt=models.F("sla_deadline"))
        never_started = models.Q(started_at__isnull=True, sla_deadline__lt=now)
        return self.filter(sla_deadline__isnull=False).filter(late_start | never_started)

    def with_open_return(self) -> "HandoffQuerySet":
        """Each handoff's return that it still waits on its sender for, as `open_returns` (a
        list of none or one), in one query for the whole page."""
        waiting = HandoffReturn.objects.filter(pauses=True, resubmitted_at__isnull=True)
        return self.prefetch_related(
            models.Prefetch("returns", queryset=waiting, to_attr="open_returns")
        )

    def waiting_on_sender(self) -> "HandoffQuerySet":
        return self.filter(waiting_since__isnull=False)

    def search(self, text: str) -> "HandoffQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(models.Q(title__icontains=text) | models.Q(external_id__icontains=text))


class Handoff(models.Model):
    """One piece of work crossing a seam.

    The response deadline is fixed when the handoff is first recorded, from the spec's response
    SLA at that moment (`sla_hours`), so later spec edits don't rewrite history. Business-hour
    durations are stored whenever the timestamps change, so metrics never walk calendars.
    """

    seam = models.ForeignKey(Seam, on_delete=models.PROTECT, related_name="handoffs")
    source = models.CharField(max_length=60, default="app")
    external_id = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    approval_type = models.CharField(max_length=80, blank=True)
    submitted_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    returned_count = models.PositiveIntegerField(default=0)
    sla_hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    sla_deadline = models.DateTimeField(null=True, blank=True)
    queue_hours = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    lead_hours = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    escalated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the SLA clock escalated it (once per handoff)."
    )
    # Waiting on the sender (DESIGN.md, Returns and waiting on the sender): a return before
    # start and before the deadline pauses the receiver's clock until the sender resubmits.
    waiting_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Returned to its sender at this time and not resubmitted yet: the receiver's "
        "clock is paused and the deadline unknown.",
    )
    paused_hours = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        default=0,
        help_text="Business hours of its closed pauses (returned → resubmitted).",
    )
    submitted_clock = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Business hours on the seam's calendar from the clock's origin to "
        "submitted_at (seams.business_time.clock_hours): ages in SQL are differences.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HandoffQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="one_handoff_per_source_id"
            ),
            models.CheckConstraint(
                condition=models.Q(started_at__isnull=True)
                | models.Q(started_at__gte=models.F("submitted_at")),
                name="started_after_submitted",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=True)
                | models.Q(completed_at__gte=models.F("started_at")),
                name="completed_after_started",
            ),
        ]
        indexes = [
            models.Index(fields=["seam", "submitted_at"]),
            models.Index(fields=["seam", "started_at"]),
            models.Index(fields=["seam", "completed_at"]),
            models.Index(fields=["seam", "sla_deadline"]),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = handoff_rules.timestamp_problems(
            self.submitted_at, self.started_at, self.completed_at
        )
        if errors:
            raise ValidationError(errors)

    @property
    def state(self) -> str:
        if self.completed_at:
            return "completed"
        if self.started_at:
            return "started"
        return "submitted"

    @property
    def is_waiting_on_sender(self) -> bool:
        return self.waiting_since is not None

    @property
    def open_return(self) -> "HandoffReturn | None":
        """The return it waits on its sender for (prefetched by `with_open_return`)."""
        found = getattr(self, "open_returns", None)
        if found is None:
            found = list(self.returns.filter(pauses=True, resubmitted_at__isnull=True))
        return found[-1] if found else None

    def is_breached(self, now: datetime) -> bool:
        if self.sla_deadline is None:
            return False
        if self.started_at:
            return self.started_at > self.sla_deadline
        return now > self.sla_deadline


class HandoffReturn(models.Model):
    """A handoff sent back to its sender: when and why (often a missing ready item)."""

    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="returns")
    returned_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500)
    missing_item = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    resubmitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sender sent it again (a return before start)."
    )
    pauses = models.BooleanField(
        default=False,
        help_text="Whether it pauses the receiver's clock: returned before start and before the "
        "deadline.",
    )
    pause_hours = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Business hours of [returned_at, resubmitted_at) for a closed pause.",
    )
    returned_clock = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="seams.business_time.clock_hours at returned_at, on the seam's calendar.",
    )

    class Meta:
        ordering = ["returned_at", "pk"]

    def __str__(self) -> str:
        return self.reason
