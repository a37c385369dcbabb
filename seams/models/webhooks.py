"""Tools that send handoffs in by webhook, and the deliveries they made."""

from django.db import models
from django.utils import timezone

from seams.models.seams import Seam


class WebhookSource(models.Model):
    """A tool that pushes handoffs to Seamline, with its secret and how its payloads map."""

    class Kind(models.TextChoices):
        GENERIC = "generic", "Seamline JSON (one handoff or a list, as the bulk API)"
        JIRA = "jira", "Jira issue webhook"

    slug = models.SlugField(
        max_length=60, unique=True, help_text="The <source> in the URL and the handoffs' source."
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GENERIC)
    secret = models.CharField(
        max_length=200, help_text="Shared secret for the HMAC-SHA256 signature."
    )
    seam = models.ForeignKey(
        Seam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Jira: the seam its issues cross.",
    )
    started_statuses = models.CharField(
        max_length=300, blank=True, help_text='Jira: statuses meaning "started", comma separated.'
    )
    done_statuses = models.CharField(
        max_length=300, blank=True, help_text='Jira: statuses meaning "completed", comma separated.'
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def _names(text: str) -> set[str]:
        return {name.strip().lower() for name in text.split(",") if name.strip()}

    def is_started_status(self, name: str) -> bool:
        return name.strip().lower() in self._names(self.started_statuses)

    def is_done_status(self, name: str) -> bool:
        return name.strip().lower() in self._names(self.done_statuses)


class WebhookDelivery(models.Model):
    """A delivery already processed: a redelivery of the same event changes nothing.

    `key` is derived from the signed payload (seams.webhooks), so a replay under a new delivery
    id is still recognised; `delivery_id` is the id the sender gave, if any."""

    source = models.ForeignKey(WebhookSource, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of what identifies the delivery's event."
    )
    delivery_id = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "delivery_id"],
                condition=~models.Q(delivery_id=""),
                name="one_delivery_per_id",
            ),
            models.UniqueConstraint(
                fields=["source", "key"],
                condition=~models.Q(key=""),
                name="one_delivery_per_event",
            ),
        ]

    def __str__(self) -> str:
        return self.delivery_id or self.key
