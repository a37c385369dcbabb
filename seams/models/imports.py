"""Handoff CSV imports run by a worker."""

import contextlib

from django.core.cache import cache
from django.db import models

from seams.models.people import User


class HandoffImport(models.Model):
    """A CSV upload being imported by a worker: its progress and, at the end, its summary."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        REJECTED = "rejected", "Not imported"

    file = models.FileField(upload_to="handoff-imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    source = models.SlugField(max_length=60, default="csv")
    partial = models.BooleanField(
        default=False, help_text="Import the valid rows even if some are rejected."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_bytes = models.PositiveBigIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress_key(self) -> str:
        return f"handoff-import:{self.pk}:progress"

    def report_progress(self, rows: int, read_bytes: int) -> None:
        """Tell readers how far the worker has got. The import runs in one transaction, so
        this goes through the cache, which they see at once, not through this row."""
        cache.set(self.progress_key, (rows, read_bytes), timeout=60 * 60 * 2)

    def with_live_progress(self) -> "HandoffImport":
        """This import, with the worker's latest progress while it runs."""
        if self.status == self.Status.RUNNING:
            # Progress is a nicety: a cache outage must not break the page.
            with contextlib.suppress(Exception):
                self.rows_read, self.progress_bytes = cache.get(self.progress_key) or (
                    self.rows_read,
                    self.progress_bytes,
                )
        return self

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.REJECTED):
            return 100
        return min(99, int(100 * self.progress_bytes / self.size)) if self.size else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED)
