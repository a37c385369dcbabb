"""Outbound notifications: channels that carry them, what was notified, and each delivery.

A notification is one thing that happened (a handoff breached, a decision overdue); it is
delivered once per channel whose events and scope match it and once per person it concerns
(by email, unless they turned that event off). Deliveries are sent after the write commits,
never inside it, and retried with backoff; each attempt is kept for the delivery log.
"""

from django.db import models
from django.utils import timezone

# The events a channel or a person may subscribe to: kind → (label, who it concerns).
EVENTS = {
    "handoff.at_risk": "Handoff at risk of breaching its SLA",
    "handoff.breached": "Handoff breached its SLA (escalated)",
    "handoff.returned": "Handoff returned to its sender",
    "decision.due": "Decision due within a business day",
    "decision.overdue": "Decision overdue",
    "action.due": "Corrective action due",
    "action.overdue": "Corrective action overdue",
    "revision.awaiting_signature": "Contract revision awaiting signature",
    "review_pack.ready": "Review pack ready",
}
TEST_EVENT = "test"


class Channel(models.Model):
    """Where a team's notifications go: a mailbox, a Slack or Teams channel, or any URL."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        SLACK = "slack", "Slack (incoming webhook)"
        TEAMS = "teams", "Microsoft Teams (Workflows webhook)"
        WEBHOOK = "webhook", "Standard Webhooks (signed)"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    url = models.URLField(
        max_length=500, blank=True, help_text="The webhook URL (Slack, Teams, any HTTPS URL)."
    )
    email = models.EmailField(blank=True, help_text="The address, for an email channel.")
    # The signing secret of a Standard Webhooks channel: `whsec_` and base64, shown once.
    secret = models.CharField(max_length=100, blank=True)
    events = models.JSONField(default=list, blank=True)
    seam = models.ForeignKey(
        "seams.Seam", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "seams.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "seams.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                name="channel_one_scope",
                condition=(
                    models.Q(seam__isnull=True, team__isnull=True)
                    | models.Q(seam__isnull=True, contract__isnull=True)
                    | models.Q(team__isnull=True, contract__isnull=True)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self):
        return self.seam or self.team or self.contract

    @property
    def target(self) -> str:
        return self.email if self.kind == self.Kind.EMAIL else self.url

    def event_labels(self) -> list[str]:
        return [EVENTS[kind] for kind in self.events if kind in EVENTS]


class Notification(models.Model):
    """One thing that happened, worth telling people about."""

    kind = models.CharField(max_length=40)
    # What a rerun must not send twice: "decision.overdue:12". Blank for test messages.
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    seam = models.ForeignKey(
        "seams.Seam", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"

    @property
    def label(self) -> str:
        return EVENTS.get(self.kind, "Test message")


class OutboundDeliveryQuerySet(models.QuerySet):
    def due(self, now) -> "OutboundDeliveryQuerySet":
        return self.filter(
            status__in=[OutboundDelivery.Status.PENDING, OutboundDelivery.Status.FAILED],
            next_attempt_at__lte=now,
        )

    def for_log(self) -> "OutboundDeliveryQuerySet":
        return self.select_related("notification", "channel", "person").prefetch_related(
            "attempt_log"
        )


class OutboundDelivery(models.Model):
    """One notification to one channel or one person, and how sending it went."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"
        DEAD = "dead", "Gave up"

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    person = models.ForeignKey(
        "seams.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboundDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
            models.UniqueConstraint(
                fields=["notification", "person"], name="delivery_once_per_person"
            ),
            models.CheckConstraint(
                name="delivery_to_channel_or_person",
                condition=models.Q(channel__isnull=True) ^ models.Q(person__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification} → {self.channel or self.person}"

    @property
    def recipient(self) -> str:
        if self.channel_id:
            return self.channel.name
        return self.person.display_name if self.person else "—"


class DeliveryAttempt(models.Model):
    """One try at sending a delivery: when, what the endpoint answered, what came next."""

    delivery = models.ForeignKey(
        OutboundDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Attempt at {self.at:%Y-%m-%d %H:%M}: {self.status_code or self.error}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class EmailSubscription(models.Model):
    """Which of their own events a person gets by email. No row: every event (the default)."""

    user = models.OneToOneField(
        "seams.User", on_delete=models.CASCADE, related_name="email_subscription"
    )
    events = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Email subscriptions of {self.user}"
