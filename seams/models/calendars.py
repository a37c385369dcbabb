"""Business calendars: working days, hours, holidays and time zone, and the business-time
arithmetic a seam's deadlines use."""

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from seams import business_time
from seams.business_time import WorkingTime


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
