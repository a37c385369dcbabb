"""Dates as the lists show them: the year only when it is not this year."""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date

register = template.Library()


@register.filter
def short_date(value: date | datetime | None, fmt: str = "j M") -> str:
    """`value` in `fmt` (Django's date format), with the year after the month ("M") when it is
    not the current year: 19 Nov, but 19 Dec 2025. Datetimes are read in the local time zone;
    None gives ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        year = value.year
    else:
        year = value.year
    if year != timezone.localdate().year:
        fmt = fmt.replace("M", "M Y", 1) if "M" in fmt else f"{fmt} Y"
    return format_date(value, fmt)
