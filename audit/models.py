"""The refused writes. The changes themselves are django-auditlog's `LogEntry` rows."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RefusedWrite(models.Model):
    """A write the app refused (401, 403, 405, 429 or a PermissionDenied): who tried, from
    where, what they addressed and why it was refused. Recorded by `audit.middleware`
    outside the request's transaction, so the record survives the refused view's rollback."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="Kept as it was, should the account be deleted."
    )
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    view_name = models.CharField(max_length=200, blank=True)
    target = models.JSONField(
        default=dict, blank=True, help_text="What the URL names: its slug, pk, … as text."
    )
    status = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=500, blank=True)
    repeats = models.PositiveIntegerField(
        default=1,
        help_text="How many times the same write was refused, from the same person and address, "
        "within an hour of the first: one row, not one per attempt.",
    )
    last_at = models.DateTimeField(default=timezone.now, help_text="The latest of the repeats.")

    class Meta:
        # Made in the seams app, where this model began: the table kept its name.
        db_table = "seams_refusedwrite"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} refused ({self.status})"

    @property
    def who(self) -> str:
        if self.user_id and self.user:
            return self.user.display_name
        return self.username or "Anonymous"
