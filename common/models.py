from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """A task to send to the workers, written in the same transaction as the change that needs
    it: if the broker is down when the change commits, the message waits here and is sent
    when the broker is back (common.outbox), so no enqueued work is lost."""

    task = models.CharField(max_length=200, help_text="The Celery task's registered name.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Its table from when it lived in `seams`: the move kept the rows.
        db_table = "seams_outboxmessage"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}{' (sent)' if self.sent_at else ''}"
