"""Team Execution Contracts, their decision rights and targets, revisions and sign-offs;
initiatives with each team's commitment and the assumptions that connect them."""

import math
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Lower
from django.urls import reverse

from contracts import catalogue
from seams import permissions
from seams.models import (
    Calendar,
    Seam,
    Team,
    User,
    derive_slug,
)
from seams.models.specs import (
    COMPLETION_SLA_HELP,
    ESCALATE_AFTER_HELP,
    RESPONSE_SLA_HELP,
    done_field,
    forum_field,
    hours_field,
    ready_field,
)

TARGETS_MIN, TARGETS_MAX = 3, 5


class Contract(models.Model):
    """The operating agreement a leadership team signs for a scope (an initiative or area)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PILOT = "pilot", "Pilot"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    # The statuses whose targets count: seams are measured against them.
    IN_FORCE = [Status.PILOT, Status.ACTIVE]
    # Where each status may go next. Anything else is refused with a reason.
    TRANSITIONS = {
        Status.DRAFT: [Status.PILOT, Status.RETIRED],
        Status.PILOT: [Status.ACTIVE, Status.DRAFT, Status.RETIRED],
        Status.ACTIVE: [Status.RETIRED],
        Status.RETIRED: [],
    }

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    scope = models.TextField(help_text="The initiative or business area this contract governs.")
    leader = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="owned_contracts",
        help_text="The leader who owns the contract.",
    )
    review_day = models.PositiveSmallIntegerField(
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Day of the month of the leadership review (1–28, so every month has it).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    seams = models.ManyToManyField(Seam, through="ContractSeam", related_name="contracts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("contracts:detail", args=[self.slug])

    @property
    def name(self) -> str:
        return self.title

    def clean(self) -> None:
        derive_slug(self, field="title")

    def next_review(self, today: date) -> date:
        this_month = today.replace(day=self.review_day)
        if this_month >= today:
            return this_month
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return date(year, month, self.review_day)


class ContractSeam(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="covered")
    seam = models.ForeignKey(Seam, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seam__name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "seam"], name="unique_contract_seam"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} covers {self.seam}"


class MetricTarget(models.Model):
    """A seam metric the contract reviews monthly, with its target and amber tolerance."""

    class Direction(models.TextChoices):
        LOWER = catalogue.LOWER, "Lower is better"
        HIGHER = catalogue.HIGHER, "Higher is better"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="targets")
    seam = models.ForeignKey(Seam, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(max_length=40, choices=catalogue.CHOICES)
    target = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.LOWER)
    tolerance_pct = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=Decimal(20),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(500))],
        help_text="Amber band beyond the target, in percent of it.",
    )

    class Meta:
        ordering = ["seam__name", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "seam", "metric"], name="one_target_per_metric"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_label} ≤ {self.target}"

    @property
    def metric_label(self) -> str:
        return catalogue.BY_NAME[self.metric].label

    @property
    def unit(self) -> str:
        return catalogue.BY_NAME[self.metric].unit

    def clean(self) -> None:
        if (
            self.contract_id
            and self.seam_id
            and not ContractSeam.objects.filter(
                contract_id=self.contract_id, seam_id=self.seam_id
            ).exists()
        ):
            raise ValidationError({"seam": "Add the seam to the contract first."})


class DecisionRight(models.Model):
    """Who decides what, how fast: one decider per decision type within a contract."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="decision_rights")
    seam = models.ForeignKey(
        Seam,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="decision_rights",
        help_text="The seam the decision belongs to; empty for decisions about the whole contract.",
    )
    decision_type = models.CharField(max_length=80, help_text="For example “Integration scope”.")
    decider = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="decision_rights",
        help_text="The single person who decides.",
    )
    consulted_people = models.ManyToManyField(User, blank=True, related_name="+")
    consulted_teams = models.ManyToManyField(Team, blank=True, related_name="+")
    informed_people = models.ManyToManyField(User, blank=True, related_name="+")
    informed_teams = models.ManyToManyField(Team, blank=True, related_name="+")
    decision_sla_hours = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), "Use a positive number of hours.")],
        help_text="Business hours from request to decision, on the seam's calendar.",
    )
    escalation_forum = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["decision_type"]
        constraints = [
            models.UniqueConstraint(
                Lower("decision_type"), "contract", name="one_decider_per_decision_type"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_type}: {self.decider}"

    def clean(self) -> None:
        if not self.contract_id or not self.decision_type:
            return
        clash = (
            DecisionRight.objects.filter(
                contract_id=self.contract_id, decision_type__iexact=self.decision_type.strip()
            )
            .exclude(pk=self.pk)
            .select_related("decider")
            .first()
        )
        if clash:
            raise ValidationError(
                {
                    "decision_type": f"“{clash.decision_type}” already has a decider in this "
                    f"contract: {clash.decider}. A decision type has exactly one decider."
                }
            )
        if (
            self.seam_id
            and not ContractSeam.objects.filter(
                contract_id=self.contract_id, seam_id=self.seam_id
            ).exists()
        ):
            raise ValidationError({"seam": "Add the seam to the contract first."})
        if self.decider_id:
            # The decider acts: someone who logs at the right's seam (or one of the contract's).
            place = self.seam if self.seam_id else tuple(self.contract.seams.all())
            problem = permissions.named_person_error(self.decider, place)
            if problem:
                raise ValidationError({"decider": problem})

    @property
    def calendar(self) -> Calendar:
        """Decision SLAs run on the seam's calendar; contract-wide ones on the 24x7 clock."""
        return self.seam.calendar if self.seam_id else Calendar.objects.always()


class ContractRevision(models.Model):
    """A published state of the contract, with its changelog, that the leaders it binds sign."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", "Awaiting signatures"
        SIGNED = "signed", "Signed"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    changelog = models.TextField(help_text="What changed in this revision, and why.")
    content = models.JSONField(help_text="The contract as published: see services.snapshot().")
    binding_leaders = models.ManyToManyField(User, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWAITING)
    published_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    published_at = models.DateTimeField()
    fully_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="unique_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} r{self.number}"


class Signature(models.Model):
    revision = models.ForeignKey(
        ContractRevision, on_delete=models.CASCADE, related_name="signatures"
    )
    leader = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "leader"], name="one_signature_per_leader"),
        ]

    def __str__(self) -> str:
        return f"{self.leader} signed {self.revision}"


class ContractEvent(models.Model):
    """What happened to a contract: status changes, revisions published and fully signed."""

    class Kind(models.TextChoices):
        STATUS = "status", "Status changed"
        PUBLISHED = "published", "Revision published"
        SIGNED = "signed", "Revision fully signed"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return self.summary


# --- Initiatives ---------------------------------------------------------------------------


class Initiative(models.Model):
    """A cross-functional effort (a launch): what each team promised, and what connects them."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="What the initiative is, in a paragraph.")
    leader = models.ForeignKey(User, on_delete=models.PROTECT, related_name="initiatives")
    target_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contracts:initiative", args=[self.slug])

    def clean(self) -> None:
        derive_slug(self)


class Commitment(models.Model):
    """One team's promise to the initiative, and that team's one-line story of it."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="commitments")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="commitments")
    commitment = models.TextField(help_text="What this team will deliver, and by when.")
    description = models.CharField(
        max_length=200, help_text="In one line: what this team thinks the initiative is."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team__name"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "team"], name="one_commitment_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.commitment[:60]}"


class AssumptionQuerySet(models.QuerySet):
    def needing_attention_first(self, today: date) -> "AssumptionQuerySet":
        """Unowned first, then broken, then past their check-by date, then the rest."""
        return self.annotate(
            attention=Case(
                When(owner__isnull=True, then=Value(0)),
                When(status=Assumption.Status.BROKEN, then=Value(1)),
                When(Q(check_by__lt=today) & ~Q(status=Assumption.Status.HOLDING), then=Value(2)),
                default=Value(3),
            )
        ).order_by("attention", models.F("check_by").asc(nulls_last=True), "pk")


class Assumption(models.Model):
    """What must hold for two commitments to add up ("capacity is in place before demand")."""

    # What people write on an assumption, on its page and through the API, in this order.
    EDITABLE_FIELDS = (
        "statement",
        "from_commitment",
        "to_commitment",
        "owner",
        "status",
        "check_by",
        "notes",
    )

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        HOLDING = "holding", "Holding"
        BROKEN = "broken", "Broken"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="assumptions")
    statement = models.CharField(max_length=300)
    from_commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="assumptions_out",
        help_text="The commitment that relies on it.",
    )
    to_commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="assumptions_in",
        help_text="The commitment it relies on.",
    )
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="assumptions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNVERIFIED)
    check_by = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssumptionQuerySet.as_manager()

    class Meta:
        ordering = ["check_by", "pk"]

    def __str__(self) -> str:
        return self.statement

    def clean(self) -> None:
        if self.from_commitment_id and self.from_commitment_id == self.to_commitment_id:
            raise ValidationError({"to_commitment": "An assumption connects two commitments."})
        for name in ("from_commitment", "to_commitment"):
            commitment = getattr(self, name, None) if getattr(self, f"{name}_id") else None
            if commitment and self.initiative_id and commitment.initiative_id != self.initiative_id:
                raise ValidationError({name: "Pick a commitment of this initiative."})

    def is_overdue(self, today: date) -> bool:
        return bool(self.check_by and self.check_by < today and self.status != self.Status.HOLDING)


# --- The spec template library ------------------------------------------------------------

# A suggested target may follow the spec's response SLA ("queue time p85 ≤ the SLA") instead of
# naming a number.
RESPONSE_SLA = "response_sla"
MAX_TARGET = 9_999_999  # what a MetricTarget holds (9 digits, 2 of them decimals)


def validate_suggested_targets(value) -> None:
    """A list of {"metric": name, "target": number ≥ 0 or "response_sla"}, one per metric."""
    if not isinstance(value, list):
        raise ValidationError("Suggested targets are a list.")
    if len(value) > TARGETS_MAX:
        raise ValidationError(f"Suggest at most {TARGETS_MAX} targets.")
    seen = set()
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) != {"metric", "target"}:
            raise ValidationError(f"Suggestion {number} needs exactly a metric and a target.")
        metric, target = item["metric"], item["target"]
        if not isinstance(metric, str) or metric not in catalogue.BY_NAME:
            raise ValidationError(f"Suggestion {number}: “{metric}” is not a seam metric.")
        if metric in seen:
            raise ValidationError(f"Suggestion {number}: {metric} is suggested twice.")
        seen.add(metric)
        if target == RESPONSE_SLA:
            if not catalogue.BY_NAME[metric].in_hours:
                raise ValidationError(
                    f"Suggestion {number}: only a metric in hours can follow the response SLA."
                )
        elif (
            isinstance(target, bool)
            or not isinstance(target, int | float)
            or not math.isfinite(target)
            or not 0 <= target <= MAX_TARGET
        ):
            raise ValidationError(
                f"Suggestion {number}: the target is a number from 0 to {MAX_TARGET:,}, or "
                f"“{RESPONSE_SLA}”."
            )


class SpecTemplateQuerySet(models.QuerySet):
    def in_library_order(self) -> "SpecTemplateQuerySet":
        return self.order_by("position", "name")


class SpecTemplate(models.Model):
    """A starting point for the one-page spec of a common kind of seam (security sign-off,
    pricing approval, …): a definition of ready and of done, an SLA and an exception path, with
    the metrics and targets worth reviewing monthly. Copied into a spec, never linked to it."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(
        max_length=300, blank=True, help_text="What crosses a seam of this kind, in a line."
    )
    definition_of_ready = ready_field()
    definition_of_done = done_field()
    response_sla_hours = hours_field(RESPONSE_SLA_HELP)
    completion_sla_hours = hours_field(COMPLETION_SLA_HELP)
    escalate_after_hours = hours_field(ESCALATE_AFTER_HELP)
    forum = forum_field()
    suggested_targets = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_suggested_targets],
        help_text="The metrics to review monthly, with their targets.",
    )
    position = models.PositiveSmallIntegerField(
        default=100, help_text="Order in the library; lower comes first."
    )
    built_in = models.BooleanField(
        default=False, editable=False, help_text="Shipped with Seamline."
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SpecTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        derive_slug(self)
        if (
            self.completion_sla_hours is not None
            and self.response_sla_hours is not None
            and self.completion_sla_hours < self.response_sla_hours
        ):
            raise ValidationError(
                {"completion_sla_hours": "Completion can't be due before the response."}
            )

    def spec_content(self) -> dict:
        """What the template writes into a spec: the fields it shares with one."""
        return {
            "definition_of_ready": list(self.definition_of_ready),
            "definition_of_done": self.definition_of_done,
            "response_sla_hours": self.response_sla_hours,
            "completion_sla_hours": self.completion_sla_hours,
            "escalate_after_hours": self.escalate_after_hours,
            "forum": self.forum,
        }

    def targets_for(self, response_sla_hours: Decimal | None) -> list[tuple[str, Decimal | None]]:
        """(metric, target) suggestions; a target following the SLA is None without one."""
        suggestions = []
        for item in self.suggested_targets:
            if item["target"] == RESPONSE_SLA:
                target = response_sla_hours
            else:
                target = Decimal(str(item["target"]))
            suggestions.append((item["metric"], target))
        return suggestions
