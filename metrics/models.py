from datetime import timedelta

from django.db import models
from django.utils import timezone


class DataQualityReport(models.Model):
    """One run of the data-quality check: what in the organisation's data needs attention.

    `findings` is a list of {"code", "message", "url"} objects, most important first.
    """

    ran_at = models.DateTimeField(default=timezone.now, db_index=True)
    findings = models.JSONField(default=list, blank=True)
    teams_checked = models.PositiveIntegerField(default=0)
    people_checked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-ran_at"]
        get_latest_by = "ran_at"

    def __str__(self) -> str:
        return f"Data-quality check of {self.ran_at:%Y-%m-%d %H:%M}: {len(self.findings)} findings"


class MonthlySeamMetrics(models.Model):
    """One seam's metrics for one month, as DESIGN.md defines them: a snapshot, recomputed
    (upserted) whenever the data behind it may have changed.

    Counts are 0 when nothing happened; percentiles, rates, ages and the per-type object are
    null when there is no data behind them. Rates are fractions (0.25 is 25 %). `rag` holds
    the RAG status of each metric the seam's contracts set a target on.
    """

    seam = models.ForeignKey("seams.Seam", on_delete=models.CASCADE, related_name="monthly_metrics")
    month = models.DateField(help_text="The month's first day.")
    submitted = models.PositiveIntegerField(default=0)
    started = models.PositiveIntegerField(default=0)
    throughput = models.PositiveIntegerField(default=0)
    queue_time_p50_hours = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    queue_time_p85_hours = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    lead_time_p50_hours = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    lead_time_p85_hours = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    lead_time_by_approval_type = models.JSONField(null=True)
    sla_due = models.PositiveIntegerField(default=0)
    sla_breaches = models.PositiveIntegerField(default=0)
    sla_breach_rate = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    rework_rate = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    first_time_ready_rate = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        null=True,
        help_text="Handoffs started in the month with no return before their start, as a "
        "fraction of those started (the sender's side of the seam).",
    )
    wip_open = models.PositiveIntegerField(default=0)
    oldest_open_age_hours = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    escalations = models.PositiveIntegerField(default=0)
    decision_latency_p85_hours = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    decision_sla_breaches = models.PositiveIntegerField(default=0)
    dependencies_due = models.PositiveIntegerField(default=0)
    dependencies_on_time = models.PositiveIntegerField(default=0)
    rag = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "seam__name"]
        verbose_name_plural = "monthly seam metrics"
        constraints = [
            models.UniqueConstraint(fields=["seam", "month"], name="one_snapshot_per_seam_month")
        ]
        indexes = [models.Index(fields=["month", "seam"])]

    def __str__(self) -> str:
        return f"{self.seam} in {self.month:%B %Y}"


class MetricsRunQuerySet(models.QuerySet):
    # A recompute is a chord of short tasks (each limited to six minutes); one that has not
    # finished in an hour lost a task and will never finish. It stops being shown as running,
    # so that a run that went wrong never holds the page for everyone.
    GIVE_UP_AFTER = timedelta(hours=1)

    def in_progress(self) -> "MetricsRunQuerySet":
        return self.filter(
            finished_at__isnull=True, started_at__gte=timezone.now() - self.GIVE_UP_AFTER
        )


class MetricsRun(models.Model):
    """A recompute asked for from the page: which months, and how far the workers have got.

    Progress is read from the snapshots themselves (each task commits its own), so any web
    process sees it without the workers reporting anything else.
    """

    months = models.JSONField(help_text="The months recomputed, as YYYY-MM.")
    seams = models.PositiveIntegerField(help_text="How many seams each month covers.")
    requested_by = models.ForeignKey(
        "seams.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = MetricsRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"Recompute of {', '.join(self.months)} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return self.seams * len(self.months)

    def done(self) -> int:
        if self.finished_at:
            return self.total
        months = [f"{month}-01" for month in self.months]
        return MonthlySeamMetrics.objects.filter(
            month__in=months, computed_at__gte=self.started_at
        ).count()

    def percent(self) -> int:
        return 100 if self.finished_at else min(99, 100 * self.done() // max(self.total, 1))


class Review(models.Model):
    """The monthly leadership review of a scope (a contract's seams, or all seams): the root
    causes recorded for red and amber seams and the corrective actions agreed. Only leaders
    hold reviews."""

    class Status(models.TextChoices):
        OPEN = "open", "In progress"
        CLOSED = "closed", "Closed"

    month = models.DateField(help_text="The month reviewed (its first day).")
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        help_text="Empty for a review of all seams.",
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    held_on = models.DateField(default=timezone.localdate)
    started_by = models.ForeignKey("seams.User", on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True, help_text="What the meeting agreed, in a few lines.")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "contract"],
                condition=models.Q(contract__isnull=False),
                name="one_review_per_contract_month",
            ),
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(contract__isnull=True),
                name="one_all_seams_review_per_month",
            ),
        ]

    def __str__(self) -> str:
        scope = self.contract.title if self.contract_id else "all seams"
        return f"Review of {self.month:%B %Y}, {scope}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class RootCause(models.Model):
    """Why a seam was red or amber in a review's month, as the review recorded it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="root_causes")
    seam = models.ForeignKey("seams.Seam", on_delete=models.CASCADE, related_name="root_causes")
    text = models.CharField(max_length=500)
    recorded_by = models.ForeignKey("seams.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seam__name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "seam"], name="one_root_cause_per_seam")
        ]

    def __str__(self) -> str:
        return self.text


class CorrectiveActionQuerySet(models.QuerySet):
    def open(self) -> "CorrectiveActionQuerySet":
        return self.filter(status=CorrectiveAction.Status.OPEN)

    def overdue(self, today) -> "CorrectiveActionQuerySet":
        return self.open().filter(due_on__lt=today)


class CorrectiveAction(models.Model):
    """An owner-led action agreed in a review, against the seam metric it should move. It keeps
    that metric's value when agreed, so later reviews can tell whether it moved."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="actions")
    seam = models.ForeignKey("seams.Seam", on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey("seams.User", on_delete=models.PROTECT, related_name="actions")
    due_on = models.DateField()
    metric = models.CharField(max_length=40, help_text="The seam metric it should move.")
    baseline = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The metric's value in the review's month, when the action was agreed.",
    )
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey("seams.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.OPEN and self.due_on < today

    @property
    def metric_label(self) -> str:
        from contracts import catalogue

        metric = catalogue.BY_NAME.get(self.metric)
        return metric.label if metric else self.metric

    @staticmethod
    def audit_value_label(field: str, value) -> str | None:
        """The audit log's words for a stored value: the metric's label, not its key."""
        from contracts import catalogue

        metric = catalogue.BY_NAME.get(str(value)) if field == "metric" else None
        return metric.label if metric else None


class AtRiskWarning(models.Model):
    """A handoff that was warned about as at risk (the leading signals): each warns once.

    The row is the claim: the periodic task inserts it before it emits "handoff.at_risk", and
    the unique handoff makes a second run, or a concurrent one, skip it."""

    handoff = models.OneToOneField(
        "seams.Handoff", on_delete=models.CASCADE, related_name="at_risk_warning"
    )
    warned_at = models.DateTimeField(help_text="When the task found it at risk and warned.")
    breaches_in_hours = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        help_text="Business hours it had left until its response deadline when warned.",
    )

    class Meta:
        ordering = ["-warned_at", "-pk"]

    def __str__(self) -> str:
        return f"At-risk warning for handoff {self.handoff_id}"


class SlaRevisionDraftQuerySet(models.QuerySet):
    def unpublished(self) -> "SlaRevisionDraftQuerySet":
        return self.filter(published_at__isnull=True)


class SlaRevisionDraft(models.Model):
    """A contract revision drafted from contract vs reality: the seam's response SLA moved to
    the one its queue times support (the leading signals' proposed SLA). Nothing live changes
    until a leader publishes it: then the spec's response SLA and the contract's queue time p85
    target take the proposed hours, and the revision goes to the leaders it binds to sign."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="sla_drafts"
    )
    seam = models.ForeignKey("seams.Seam", on_delete=models.CASCADE, related_name="sla_drafts")
    response_sla_hours = models.DecimalField(
        max_digits=7, decimal_places=2, help_text="The proposed response SLA, business hours."
    )
    contracted_sla_hours = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The spec's response SLA when drafted.",
    )

    class Basis(models.TextChoices):
        PILOT = "pilot", "the pilot"
        LAST_90_DAYS = "last_90_days", "the last 90 days"

    basis = models.CharField(
        max_length=20, choices=Basis.choices, help_text="The window of the queue times."
    )
    n = models.PositiveIntegerField(help_text="Handoffs started in that window.")
    changelog = models.TextField(help_text="What the revision changes, and why.")
    created_by = models.ForeignKey("seams.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_revision = models.ForeignKey(
        "contracts.ContractRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = SlaRevisionDraftQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "seam"],
                condition=models.Q(published_at__isnull=True),
                name="one_open_sla_draft_per_contract_seam",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract}: {self.seam} response SLA → {self.response_sla_hours} h"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
