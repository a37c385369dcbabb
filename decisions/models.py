"""What ops log every day: decisions, escalations, constraints and dependencies."""

import contextlib
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, DecisionRight, Initiative
from seams import permissions
from seams.models import Seam, Team, User

PENDING = ("open", "reopened")
# The last of these at or before the due time says what the decision was when it fell due.
_TURNS = ("decided", "reopened", "withdrawn")


def overdue_q(now: datetime) -> Q:
    """Overdue at `now`: still waiting for a decision, and its due time has passed. Every list,
    count and API field that says "overdue" filters with this."""
    return Q(status__in=PENDING, due_at__lt=now)


def _state_at_due() -> Coalesce:
    """What the decision was at its due time: "decided", "withdrawn", "reopened" or "" (still
    waiting since it was asked).

    Read from its history, so a later reopen or withdrawal leaves a month already judged as it
    was. A row without that history (created outside the services) falls back to its own
    `decided_at`."""
    last_turn = (
        DecisionEvent.objects.filter(
            decision=OuterRef("pk"), kind__in=_TURNS, at__lte=OuterRef("due_at")
        )
        .order_by("-at", "-pk")
        .values("kind")[:1]
    )
    return Coalesce(
        Subquery(last_turn),
        Case(When(decided_at__lte=F("due_at"), then=Value("decided")), default=Value("")),
        output_field=models.CharField(),
    )


class DecisionQuerySet(models.QuerySet):
    def with_related(self) -> "DecisionQuerySet":
        return self.select_related(
            "seam__from_team", "seam__to_team", "contract", "decider", "requested_by"
        )

    def pending(self) -> "DecisionQuerySet":
        return self.filter(status__in=PENDING)

    def overdue(self, now: datetime) -> "DecisionQuerySet":
        return self.filter(overdue_q(now))

    def with_state_at_due(self) -> "DecisionQuerySet":
        return self.annotate(state_at_due=_state_at_due())

    def due(self, now: datetime) -> "DecisionQuerySet":
        """Judged against their SLA at `now` (DESIGN.md): the due time has passed, and they
        were not withdrawn by it. Reopens move nothing: the due time runs from the first
        request."""
        return self.with_state_at_due().filter(due_at__lt=now).exclude(state_at_due="withdrawn")

    def breached(self, now: datetime) -> "DecisionQuerySet":
        """Due, and not decided by the due time: still waiting then, reopened before it, or
        withdrawn only after it. What the snapshots count, in the month of the due time."""
        return self.due(now).exclude(state_at_due="decided")

    def with_sla(self, now: datetime) -> "DecisionQuerySet":
        """Each decision marked `sla_breached`, by the same rule as `breached()`."""
        return self.annotate(
            sla_breached=models.Exists(self.model.objects.breached(now).filter(pk=OuterRef("pk")))
        )

    def search(self, text: str) -> "DecisionQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(question__icontains=text)
            | Q(outcome__icontains=text)
            | Q(decision_type__icontains=text)
            | Q(seam__name__icontains=text)
        )

    def overdue_first(self, now: datetime) -> "DecisionQuerySet":
        """Overdue first, then pending by due time, then the most recently decided (newest
        first, whenever they were due), then the withdrawn, most recently asked first."""
        return self.annotate(
            rank=models.Case(
                models.When(overdue_q(now), then=models.Value(0)),
                models.When(status__in=PENDING, then=models.Value(1)),
                default=models.Value(2),
            ),
            pending_due=models.Case(models.When(status__in=PENDING, then=F("due_at"))),
        ).order_by(
            "rank",
            F("pending_due").asc(nulls_last=True),
            F("decided_at").desc(nulls_last=True),
            "-requested_at",
            "-pk",
        )


class Decision(models.Model):
    """An entry in the decision log: a question, who decides it, and by when."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DECIDED = "decided", "Decided"
        REOPENED = "reopened", "Reopened"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Waiting for a decision: what the log, the agenda, the digest and the seam page count.
    PENDING = (Status.OPEN, Status.REOPENED)

    question = models.CharField(max_length=300)
    decision_type = models.CharField(max_length=80)
    seam = models.ForeignKey(
        Seam, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    decision_right = models.ForeignKey(
        DecisionRight,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="The right the decider and the due time came from.",
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decider = models.ForeignKey(User, on_delete=models.PROTECT, related_name="decisions")
    due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    latency_hours = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        editable=False,
        help_text="Business hours from request to decision on the seam's calendar, stored "
        "when decided.",
    )
    outcome = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    times_reopened = models.PositiveSmallIntegerField(default=0)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_at__gte=models.F("requested_at")),
                name="decided_after_requested",
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("decisions:detail", args=[self.pk])

    def clean(self) -> None:
        if self.decided_at and self.requested_at and self.decided_at < self.requested_at:
            raise ValidationError({"decided_at": "A decision can't be made before it was asked."})

    @staticmethod
    def place_of(seam: Seam | None, contract: Contract | None):
        """Where a decision is made, for the permission rules: its seam, else every seam of its
        contract (a tuple: any one of them will do)."""
        if seam is not None:
            return seam
        return tuple(contract.seams.all()) if contract is not None else ()

    @property
    def place(self):
        return self.place_of(self.seam, self.contract)

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    def is_overdue(self, now: datetime) -> bool:
        """`overdue_q` for one decision already loaded."""
        return self.is_pending and self.due_at is not None and self.due_at < now

    def days_overdue(self, now: datetime) -> int:
        return (now - self.due_at).days if self.is_overdue(now) else 0


class DecisionEvent(models.Model):
    """The history of a decision: logged, decided, reopened, withdrawn."""

    class Kind(models.TextChoices):
        LOGGED = "logged", "Logged"
        DECIDED = "decided", "Decided"
        REOPENED = "reopened", "Reopened"
        WITHDRAWN = "withdrawn", "Withdrawn"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.by}"


def _check_owner(record) -> None:
    """The owner of a constraint or a dependency acts on it: someone who logs at every place it
    names (`permissions.may_be_named`); viewers change nothing."""
    if record.owner_id:
        problem = permissions.named_person_error(record.owner, *record.places)
        if problem:
            raise ValidationError({"owner": problem})


class EscalationQuerySet(models.QuerySet):
    def open(self) -> "EscalationQuerySet":
        """Not resolved yet."""
        return self.filter(resolved_at__isnull=True)


class Escalation(models.Model):
    """A miss or a surprise at a seam, with its cause: what the Pareto view counts."""

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Cause(models.TextChoices):
        MISSING_INPUTS = "missing_inputs", "Missing inputs"
        SLA_BREACH = "sla_breach", "SLA breach"
        UNCLEAR_DECISION_RIGHTS = "unclear_decision_rights", "Unclear decision rights"
        DEPENDENCY_MISSED = "dependency_missed", "Dependency missed"
        CONFLICTING_PRIORITIES = "conflicting_priorities", "Conflicting priorities"
        OTHER = "other", "Other"

    seam = models.ForeignKey(Seam, on_delete=models.PROTECT, related_name="escalations")
    summary = models.CharField(max_length=300)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    cause = models.CharField(max_length=30, choices=Cause.choices)
    raised_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when Seamline's SLA clock raised it.",
    )
    raised_at = models.DateTimeField(default=timezone.now)
    handoff = models.ForeignKey(
        "seams.Handoff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalations",
        help_text="The handoff whose missed SLA raised it, if any.",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["raised_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("raised_at")),
                name="resolved_after_raised",
            ),
        ]

    def __str__(self) -> str:
        return self.summary


class ConstraintQuerySet(models.QuerySet):
    def in_place(self) -> "ConstraintQuerySet":
        """Still in the way: not removed yet."""
        return self.filter(removed_at__isnull=True)


class Constraint(models.Model):
    """Something in the way that a leader can remove: a budget cap, a single reviewer."""

    description = models.CharField(max_length=300)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="constraints")
    seam = models.ForeignKey(
        Seam, on_delete=models.PROTECT, null=True, blank=True, related_name="constraints"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="constraints"
    )
    raised_at = models.DateField(default=timezone.localdate)
    removed_at = models.DateField(null=True, blank=True)

    objects = ConstraintQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seam__isnull=False) | Q(team__isnull=False),
                name="constraint_has_a_place",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        if not self.seam_id and not self.team_id:
            raise ValidationError({"seam": "Say where it bites: a seam or a team."})
        if self.removed_at and self.raised_at and self.removed_at < self.raised_at:
            raise ValidationError({"removed_at": "It can't be removed before it was raised."})
        _check_owner(self)

    @staticmethod
    def places_of(seam: Seam | None, team: Team | None) -> tuple:
        """The places a constraint names, each one a place its logger and owner must act for."""
        return (seam, team)

    @property
    def places(self) -> tuple:
        return self.places_of(self.seam, self.team)

    @property
    def days_in_place(self) -> int | None:
        """Whole days from raised to removed; None while it is still in the way."""
        return (self.removed_at - self.raised_at).days if self.removed_at else None


# Delivered on or before the needed-by date (moving a card back clears `delivered_at`).
ON_TIME_Q = Q(delivered_at__lte=F("needed_by"))


class DependencyQuerySet(models.QuerySet):
    def with_related(self) -> "DependencyQuerySet":
        return self.select_related("consumer", "provider", "seam", "owner", "initiative")

    def due_between(self, first: date, end: date) -> "DependencyQuerySet":
        """Due with a needed-by date in [first, end) (DESIGN.md): a cancelled one is not due,
        and a date still ahead in the current month already counts."""
        return self.filter(needed_by__gte=first, needed_by__lt=end).exclude(
            status=Dependency.Status.CANCELLED
        )

    def open(self) -> "DependencyQuerySet":
        """Still to deliver: requested, committed, in progress or at risk. Delivered, missed and
        cancelled ones are finished, wherever they are counted (the board, a seam's page)."""
        return self.exclude(status__in=Dependency.FINISHED)

    def finished(self) -> "DependencyQuerySet":
        return self.filter(status__in=Dependency.FINISHED)

    def on_time(self) -> "DependencyQuerySet":
        """Delivered on or before the needed-by date: what `dependencies_on_time` counts."""
        return self.filter(ON_TIME_Q)


class Dependency(models.Model):
    """One team needs something from another by a date."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        COMMITTED = "committed", "Committed"
        IN_PROGRESS = "in_progress", "In progress"
        AT_RISK = "at_risk", "At risk"
        DELIVERED = "delivered", "Delivered"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.DELIVERED, Status.MISSED, Status.CANCELLED)
    FLAG_WITHIN = timedelta(days=7)

    title = models.CharField(max_length=200)
    consumer = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="dependencies_needed",
        help_text="The team that needs it.",
    )
    provider = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="dependencies_provided",
        help_text="The team that provides it.",
    )
    seam = models.ForeignKey(
        Seam, on_delete=models.PROTECT, null=True, blank=True, related_name="dependencies"
    )
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="dependencies")
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dependencies",
        help_text="The initiative (launch) it is needed for, if any: its forecast counts it.",
    )
    needed_by = models.DateField()
    committed_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    delivered_at = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(
        default=timezone.now,
        help_text="When it was logged: its own start, which a delivery can't precede. Leaders "
        "and ops may give a past one (history from other tools).",
    )

    objects = DependencyQuerySet.as_manager()

    class Meta:
        ordering = ["needed_by", "pk"]
        verbose_name_plural = "dependencies"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.consumer_id and self.consumer_id == self.provider_id:
            raise ValidationError({"provider": "A dependency is between two different teams."})
        _check_owner(self)

    @staticmethod
    def places_of(provider: Team | None, consumer: Team | None, seam: Seam | None) -> tuple:
        """The places a dependency names: its two teams (either one will do) and its seam, each
        one a place its logger and owner must act for."""
        teams = tuple(team for team in (provider, consumer) if team is not None)
        return (teams or None, seam)

    @property
    def places(self) -> tuple:
        return self.places_of(self.provider, self.consumer, self.seam)

    @property
    def delivered_on_time(self) -> bool | None:
        """Computed, never typed: delivered on or before the needed-by date."""
        if self.status != self.Status.DELIVERED or not self.delivered_at:
            return None
        return self.delivered_at <= self.needed_by

    @property
    def days_late(self) -> int:
        """Days after the needed-by date it was delivered (0 when on time or not delivered)."""
        if not self.delivered_at:
            return 0
        return max((self.delivered_at - self.needed_by).days, 0)

    def is_at_risk(self, today: date) -> bool:
        """Still open, and either in the At risk column or flagged (`flag`)."""
        if self.status in self.FINISHED:
            return False
        return self.status == self.Status.AT_RISK or bool(self.flag(today))

    def flag(self, today: date) -> str:
        """Why the card needs attention, or "" when it doesn't."""
        if self.status == self.Status.REQUESTED and self.needed_by - today <= self.FLAG_WITHIN:
            days = (self.needed_by - today).days
            if days < 0:
                return f"Not committed, needed {-days} days ago"
            return f"Not committed, needed in {days} days"
        if (
            self.committed_date
            and self.committed_date > self.needed_by
            and self.status in (self.Status.COMMITTED, self.Status.IN_PROGRESS, self.Status.AT_RISK)
        ):
            return (
                f"Committed {(self.committed_date - self.needed_by).days} days after it is needed"
            )
        return ""


class DependencyMove(models.Model):
    """A card moved on the board: who, when, from and to."""

    dependency = models.ForeignKey(Dependency, on_delete=models.CASCADE, related_name="moves")
    from_status = models.CharField(max_length=12, choices=Dependency.Status.choices)
    to_status = models.CharField(max_length=12, choices=Dependency.Status.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class DigestSent(models.Model):
    """One daily digest email per person and day: a rerun the same day sends nothing twice."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"Digest for {self.user} on {self.day}"


class HistoryImport(models.Model):
    """A CSV of decisions, escalations or dependencies from another tool, imported by a worker:
    its progress and, at the end, its summary (as `seams.HandoffImport` for handoffs)."""

    class Kind(models.TextChoices):
        DECISIONS = "decisions", "Decisions"
        ESCALATIONS = "escalations", "Escalations"
        DEPENDENCIES = "dependencies", "Dependencies"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        REJECTED = "rejected", "Not imported"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    file = models.FileField(upload_to="history-imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    partial = models.BooleanField(
        default=False, help_text="Import the valid rows even if some are rejected."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_bytes = models.PositiveBigIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(
        default=0, help_text="Rows already imported before (same natural key): left as they are."
    )
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress_key(self) -> str:
        return f"history-import:{self.pk}:progress"

    def report_progress(self, rows: int, read_bytes: int) -> None:
        """The import runs in one transaction: readers see its progress through the cache."""
        cache.set(self.progress_key, (rows, read_bytes), timeout=60 * 60 * 2)

    def with_live_progress(self) -> "HistoryImport":
        if self.status == self.Status.RUNNING:
            with contextlib.suppress(Exception):  # a cache outage must not break the page
                self.rows_read, self.progress_bytes = cache.get(self.progress_key) or (
                    self.rows_read,
                    self.progress_bytes,
                )
        return self

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return min(99, int(100 * self.progress_bytes / self.size)) if self.size else 0
