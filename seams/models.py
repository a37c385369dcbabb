"""People and teams, business calendars, seams and their one-page handoff specs."""

import contextlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from common.slugs import slug_for, slug_length
from seams import business_time, handoff_rules
from seams.business_time import WorkingTime


def derive_slug(obj: models.Model, *, field: str = "name") -> None:
    """Give a new object its slug from its name, and check no other object has it.

    A slug is an object's address in URLs and the API: derived once, when the object is
    created, and never changed afterwards (renaming keeps the address). Problems are told
    under `field`, the model field the name is typed in (a contract's is `title`), so that a
    form showing that field shows them beside it.
    """
    name = getattr(obj, field)
    if not obj.slug:
        obj.slug = slug_for(name, slug_length(type(obj)))
        if not obj.slug:
            raise ValidationError({field: "Use at least one letter or digit in the name."})
    clash = type(obj).objects.filter(slug=obj.slug).exclude(pk=obj.pk).first()
    if clash:
        raise ValidationError(
            {
                field: f"“{getattr(clash, field)}” already uses the address “{obj.slug}”; "
                "choose a more distinct name."
            }
        )


class User(AbstractUser):
    """A person in the organisation. Organisation roles are Django groups (see permissions)."""

    job_title = models.CharField(
        max_length=120,
        blank=True,
        help_text="Shown beside the name, e.g. 'Product Operations Lead'.",
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def initials(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p] or [self.username]
        return "".join(p[0] for p in parts[:2]).upper()


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TeamQuerySet":
        # Everyone signed in reads the whole organisation (DESIGN.md, permissions).
        return self if user.is_authenticated and user.is_active else self.none()

    def with_people(self) -> "TeamQuerySet":
        memberships = Membership.objects.select_related("user").order_by(
            "-role", "user__first_name", "user__last_name", "user__username"
        )
        return self.select_related("leader").prefetch_related(
            models.Prefetch("memberships", queryset=memberships)
        )

    def owned_by(self, user) -> "TeamQuerySet":
        return self.filter(memberships__user=user, memberships__role=Membership.Role.OWNER)


class Team(models.Model):
    """A function of the organisation (Sales, Security, …) whose work crosses seams."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(
        max_length=240, blank=True, help_text="One line on what this team is responsible for."
    )
    leader = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        help_text="The executive the team reports to.",
    )
    members = models.ManyToManyField(User, through="Membership", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("seams:team-detail", args=[self.slug])

    def clean(self) -> None:
        derive_slug(self)

    @property
    def owners(self) -> list["Membership"]:
        """Owner memberships; uses the prefetched memberships when present."""
        return [m for m in self.memberships.all() if m.role == Membership.Role.OWNER]


class Membership(models.Model):
    class Role(models.TextChoices):
        # Ordered so that sorting by role descending lists owners first.
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="unique_team_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.team})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


# --- Business calendars ------------------------------------------------------------------


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (for example Europe/London).")


def validate_weekdays(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one working day.")
    if any(not isinstance(day, int) or not 1 <= day <= 7 for day in value):
        raise ValidationError("Working days are ISO weekday numbers, 1 (Monday) to 7 (Sunday).")
    if len(set(value)) != len(value):
        raise ValidationError("A working day is listed twice.")


class CalendarQuerySet(models.QuerySet):
    def with_holidays(self) -> "CalendarQuerySet":
        return self.prefetch_related("holidays")

    def default_for_new_seams(self) -> "Calendar":
        """The first business calendar, else the built-in 24x7 one."""
        return self.exclude(is_24x7=True).first() or self.always()

    def always(self) -> "Calendar":
        """The built-in 24x7 calendar (a migration creates it; this restores it if deleted)."""
        calendar, _ = self.get_or_create(
            slug=Calendar.ALWAYS_SLUG,
            defaults={
                "name": "24×7",
                "time_zone": "UTC",
                "working_weekdays": [1, 2, 3, 4, 5, 6, 7],
                "day_start": time(0, 0),
                "day_end": time(23, 59),
                "is_24x7": True,
            },
        )
        return calendar


class Calendar(models.Model):
    """Business hours for SLA clocks: working windows in a time zone, minus holidays."""

    ALWAYS_SLUG = "24x7"
    WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80)
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="For example Europe/London."
    )
    working_weekdays = models.JSONField(
        default=list,
        validators=[validate_weekdays],
        help_text="ISO weekday numbers: 1 is Monday, 7 is Sunday.",
    )
    day_start = models.TimeField(help_text="Working day starts, local time.")
    day_end = models.TimeField(help_text="Working day ends, local time.")
    is_24x7 = models.BooleanField(
        default=False, help_text="Counts every hour of every day: plain elapsed time."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CalendarQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.is_24x7 and self.day_start and self.day_end and self.day_start >= self.day_end:
            raise ValidationError({"day_end": "The working day must end after it starts."})

    def working_time(self) -> WorkingTime:
        """The rules the SLA clock runs on. Uses prefetched holidays when present.

        Built once per instance: an import stamps thousands of handoffs with one calendar, and
        without prefetching every build would query the holidays again. Load the calendar
        afresh after changing its holidays.
        """
        rules = self.__dict__.get("_working_time")
        if rules is None:
            rules = self.__dict__["_working_time"] = self._build_working_time()
        return rules

    def _build_working_time(self) -> WorkingTime:
        if self.is_24x7:
            return WorkingTime.around_the_clock()
        return WorkingTime(
            tz=ZoneInfo(self.time_zone),
            weekdays=frozenset(self.working_weekdays),
            start=self.day_start,
            end=self.day_end,
            holidays=frozenset(h.date for h in self.holidays.all()),
        )

    def business_hours_between(self, start: datetime, end: datetime) -> float:
        return business_time.business_hours_between(self.working_time(), _aware(start), _aware(end))

    def add_business_hours(self, start: datetime, hours: Decimal | float) -> datetime:
        return business_time.add_business_hours(self.working_time(), _aware(start), hours)

    @property
    def summary(self) -> str:
        """'Mon–Fri 09:00–17:30 · Europe/London', for people."""
        if self.is_24x7:
            return "Every hour of every day"
        days = sorted(self.working_weekdays)
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            day_text = f"{self.WEEKDAY_NAMES[days[0] - 1]}–{self.WEEKDAY_NAMES[days[-1] - 1]}"
        else:
            day_text = ", ".join(self.WEEKDAY_NAMES[d - 1] for d in days)
        return f"{day_text} {self.day_start:%H:%M}–{self.day_end:%H:%M} · {self.time_zone}"


def _aware(value: datetime) -> datetime:
    # Naive timestamps are in the organisation's time zone (settings.TIME_ZONE).
    return value if timezone.is_aware(value) else timezone.make_aware(value)


class CalendarHoliday(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="unique_calendar_holiday"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


# --- Seams ---------------------------------------------------------------------------------


class SeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SeamQuerySet":
        return self if user.is_authenticated and user.is_active else self.none()

    def with_related(self) -> "SeamQuerySet":
        return self.select_related(
            "from_team", "to_team", "calendar", "spec", "spec__owner", "spec__updated_by"
        )

    def involving(self, team: "Team") -> "SeamQuerySet":
        return self.filter(models.Q(from_team=team) | models.Q(to_team=team))

    def involving_any(self, team_ids) -> "SeamQuerySet":
        """Seams whose sending or receiving team is one of `team_ids`."""
        team_ids = list(team_ids)
        return self.filter(models.Q(from_team_id__in=team_ids) | models.Q(to_team_id__in=team_ids))

    def search(self, text: str) -> "SeamQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(slug__icontains=text)
            | models.Q(description__icontains=text)
            | models.Q(from_team__name__icontains=text)
            | models.Q(to_team__name__icontains=text)
            | models.Q(spec__owner__first_name__icontains=text)
            | models.Q(spec__owner__last_name__icontains=text)
        )


class Seam(models.Model):
    """A directed interface: work handed from one team to another."""

    PILOT_DAYS = 30

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        PILOT = "pilot", "Pilot"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(
        max_length=240, blank=True, help_text="One line on what crosses this seam."
    )
    from_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="seams_out", help_text="Sends the work."
    )
    to_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="seams_in", help_text="Receives the work."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    calendar = models.ForeignKey(
        Calendar,
        on_delete=models.PROTECT,
        related_name="seams",
        help_text="Business hours the SLA clocks of this seam run on.",
    )
    pilot_started_on = models.DateField(null=True, blank=True)
    pilot_review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_team=models.F("to_team")),
                name="seam_between_two_teams",
                violation_error_message="A seam connects two different teams.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("seams:detail", args=[self.slug])

    def clean(self) -> None:
        if self.from_team_id and self.from_team_id == self.to_team_id:
            raise ValidationError({"to_team": "A seam connects two different teams."})
        derive_slug(self)

    @property
    def team_ids(self) -> set[int]:
        return {self.from_team_id, self.to_team_id}

    def start_pilot(self, today: date) -> None:
        self.status = self.Status.PILOT
        self.pilot_started_on = today
        self.pilot_review_on = today + timedelta(days=self.PILOT_DAYS)
        self.save(update_fields=["status", "pilot_started_on", "pilot_review_on", "updated_at"])

    def change_calendar(self, calendar: Calendar) -> None:
        """Run this seam's SLA clocks on another calendar, for handoffs submitted from now."""
        self.calendar = calendar
        self.save(update_fields=["calendar", "updated_at"])

    def pilot_day(self, today: date) -> int | None:
        """Day n of the pilot (day 1 is the start date), while it runs."""
        if self.status != self.Status.PILOT or not self.pilot_started_on:
            return None
        return (today - self.pilot_started_on).days + 1

    def pilot_review_due(self, today: date) -> bool:
        return (
            self.status == self.Status.PILOT
            and self.pilot_review_on is not None
            and today >= self.pilot_review_on
        )


# --- The one-page handoff spec ---------------------------------------------------------------


def validate_checklist(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("The definition of ready is a list of items.")
    for number, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"Item {number} of the definition of ready is empty.")
        if len(item) > 300:
            raise ValidationError(f"Item {number} is longer than 300 characters.")


POSITIVE_HOURS = [MinValueValidator(Decimal("0.01"), "Use a positive number of hours.")]


class SpecContent(models.Model):
    """The five micro-ownership fields plus notes: what one version of a spec says."""

    owner = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The single accountable person for this seam.",
    )
    definition_of_ready = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_checklist],
        help_text="Inputs the sender must provide before the clock starts, in order.",
    )
    definition_of_done = models.TextField(
        blank=True, help_text="The output the receiving team hands back."
    )
    response_sla_hours = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE_HOURS,
        help_text="Business hours from submitted to started.",
    )
    completion_sla_hours = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE_HOURS,
        help_text="Optional: business hours from submitted to completed.",
    )
    escalate_to = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Who hears about a miss.",
    )
    escalate_after_hours = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE_HOURS,
        help_text="Business hours without a response before escalating.",
    )
    forum = models.CharField(
        max_length=200, blank=True, help_text="Where exceptions are decided, e.g. a weekly sync."
    )
    notes = models.TextField(blank=True)

    CONTENT_FIELDS = (
        "owner",
        "definition_of_ready",
        "definition_of_done",
        "response_sla_hours",
        "completion_sla_hours",
        "escalate_to",
        "escalate_after_hours",
        "forum",
        "notes",
    )

    class Meta:
        abstract = True

    def content(self) -> dict:
        """The content as {field: value}, with people as User objects."""
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}

    def clean(self) -> None:
        if (
            self.completion_sla_hours is not None
            and self.response_sla_hours is not None
            and self.completion_sla_hours < self.response_sla_hours
        ):
            raise ValidationError(
                {"completion_sla_hours": "Completion can't be due before the response."}
            )


class HandoffSpec(SpecContent):
    """The current one-page spec of a seam. `version` counts saves; 0 means never written."""

    seam = models.OneToOneField(Seam, on_delete=models.CASCADE, related_name="spec")
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Spec of {self.seam} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("seams:spec", args=[self.seam.slug])


class SpecVersion(SpecContent):
    """One saved version of a spec: immutable, with author, time and change note."""

    spec = models.ForeignKey(HandoffSpec, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300)
    restored_from = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version this one restored, if any."
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["spec", "number"], name="unique_spec_version"),
        ]

    def __str__(self) -> str:
        return f"v{self.number} of {self.spec.seam}"


# --- Handoffs ----------------------------------------------------------------------------------


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

    class Meta:
        ordering = ["returned_at", "pk"]

    def __str__(self) -> str:
        return self.reason


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


class OutboxMessage(models.Model):
    """A task to send to the workers, written in the same transaction as the change that needs
    it: if the broker is down when the change commits, the message waits here and is sent
    when the broker is back (seams.outbox), so no enqueued work is lost."""

    task = models.CharField(max_length=200, help_text="The Celery task's registered name.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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


class RefusedWrite(models.Model):
    """A write the app refused (401, 403, 405, 429 or a PermissionDenied): who tried, from
    where, what they addressed and why it was refused. Recorded by `seams.audit`'s middleware
    outside the request's transaction, so the record survives the refused view's rollback."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
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
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} refused ({self.status})"

    @property
    def who(self) -> str:
        if self.user_id and self.user:
            return self.user.display_name
        return self.username or "Anonymous"
