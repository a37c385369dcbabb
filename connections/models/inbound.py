"""Inbound sources: tools (Jira, GitHub, Linear, any sender of Seamline's JSON) that push
handoffs to POST /api/v1/hooks/handoffs/<source>/, their secrets, mapping rules and deliveries.
"""

import base64
import secrets
from datetime import timedelta

from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone

from seams.models import Seam


class Source(models.Model):
    class Kind(models.TextChoices):
        JIRA = "jira", "Jira (Cloud or Data Center)"
        GITHUB = "github", "GitHub issues and pull requests"
        LINEAR = "linear", "Linear issues"
        GENERIC = "generic", "Seamline JSON (Standard Webhooks)"

    slug = models.SlugField(
        max_length=60, unique=True, help_text="The <source> in the URL and the handoffs' source."
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GENERIC)
    started_statuses = models.CharField(
        max_length=300,
        blank=True,
        help_text='Named statuses meaning "started", comma separated; empty: by status category.',
    )
    done_statuses = models.CharField(
        max_length=300,
        blank=True,
        help_text='Named statuses meaning "completed", comma separated; empty: by category.',
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    # Filled by `for_delivery`, which reads them with the source.
    _live_secrets: list[str] | None = None

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def _names(text: str) -> set[str]:
        return {name.strip().lower() for name in text.split(",") if name.strip()}

    @property
    def uses_named_statuses(self) -> bool:
        return bool(self._names(self.started_statuses) or self._names(self.done_statuses))

    def is_started_status(self, name: str) -> bool:
        return name.strip().lower() in self._names(self.started_statuses)

    def is_done_status(self, name: str) -> bool:
        return name.strip().lower() in self._names(self.done_statuses)

    def new_secret_value(self) -> str:
        """Standard Webhooks secrets are `whsec_` + base64; vendors take any random text."""
        if self.kind == self.Kind.GENERIC:
            return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        return secrets.token_urlsafe(32)

    def live_secrets(self, now=None) -> list[str]:
        """The current secret first, then older ones still inside their overlap."""
        if now is None and self._live_secrets is not None:
            return self._live_secrets
        return [row.value for row in SourceSecret.live(now).filter(source=self)]

    @classmethod
    def for_delivery(cls, slug: str) -> "Source | None":
        """The active source `slug` with its live secrets (`live_secrets()` then asks nothing
        more): one query while the source has a secret, as every source made on its page has."""
        rows = SourceSecret.live().filter(source__slug=slug, source__active=True)
        secrets = list(rows.select_related("source"))
        if not secrets:
            return cls.objects.filter(slug=slug, active=True).first()
        source = secrets[0].source
        source._live_secrets = [row.value for row in secrets]
        return source

    def counts(self) -> dict[str, int]:
        return self.deliveries.aggregate(
            received=Count("pk"),
            applied=Count("pk", filter=Q(status=Delivery.Status.APPLIED)),
            unmatched=Count("pk", filter=Q(reason=Delivery.Reason.UNMATCHED)),
            irrelevant=Count("pk", filter=Q(reason=Delivery.Reason.IRRELEVANT)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        )


class SourceSecret(models.Model):
    """A source's signing secret. The current one has no expiry; after a rotation the old one
    keeps verifying until `expires_at`, so the sender can be updated without losing events."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="secrets")
    value = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"secret of {self.source} from {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def live(cls, now=None) -> models.QuerySet["SourceSecret"]:
        """Secrets still verifying: the current one first, then older ones inside their overlap."""
        now = now or timezone.now()
        rows = cls.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        # The current secret has no expiry: first on every database (PostgreSQL sorts NULL last).
        return rows.order_by(F("expires_at").asc(nulls_first=True), "-created_at")

    def expire_in(self, overlap: timedelta) -> None:
        self.expires_at = timezone.now() + overlap
        self.save(update_fields=["expires_at"])


class MappingRule(models.Model):
    """Which seam an item belongs to; a source's rules are tried in order, first match wins."""

    class Field(models.TextChoices):
        PROJECT = "project", "Jira project key"
        ISSUE_TYPE = "issue_type", "Issue type"
        LABEL = "label", "Label"
        COMPONENT = "component", "Jira component"
        REPOSITORY = "repository", "GitHub repository (owner/name)"
        TEAM = "team", "Linear team key"
        ANY = "any", "Anything (a catch-all)"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveIntegerField(default=0)
    field = models.CharField(max_length=12, choices=Field.choices)
    value = models.CharField(max_length=200, blank=True)
    seam = models.ForeignKey(Seam, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_field_display()} = {self.value} → {self.seam}"

    def matches(self, facts: dict[str, set[str]]) -> bool:
        if self.field == self.Field.ANY:
            return True
        return self.value.strip().lower() in facts.get(self.field, set())


class DeliveryQuerySet(models.QuerySet):
    def recent(self):
        return self.select_related("seam").order_by("-received_at", "-pk")


class Delivery(models.Model):
    """One delivery received, with what processing needs (the verified body) and its outcome.

    `key` is derived from what the sender signed (see connections.hooks), so a captured
    delivery replayed under a new delivery id is still recognised as a duplicate."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Ignored"
        DUPLICATE = "duplicate", "Duplicate"
        FAILED = "failed", "Failed"

    class Reason(models.TextChoices):
        NONE = "", "—"
        IRRELEVANT = "irrelevant", "Irrelevant event"
        UNMATCHED = "unmatched", "No rule matched"
        TEST = "test", "Test delivery"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=64, blank=True)
    event = models.CharField(max_length=120, blank=True)
    body = models.TextField(blank=True, help_text="The verified body, kept until processed.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    reason = models.CharField(max_length=10, choices=Reason.choices, blank=True)
    seam = models.ForeignKey(
        Seam, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "delivery_id"],
                condition=~Q(delivery_id=""),
                name="connections_one_delivery_per_id",
            ),
            models.UniqueConstraint(
                fields=["source", "key"],
                condition=~Q(key=""),
                name="connections_one_delivery_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.event or '-'} {self.status}"
