from decimal import Decimal

from django import template

from seams.diff import display

register = template.Library()


@register.filter
def hours(value) -> str:
    """16.00 → '16 h', 1.50 → '1.5 h', None → '—'."""
    return display("hours", value)


@register.filter
def spec_value(value, field_name: str) -> str:
    return display(field_name, value)


@register.filter
def plain_number(value) -> str:
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


STATUS_BADGES = {
    "proposed": "badge-nodata",
    "pilot": "badge-accent",
    "active": "badge-green",
    "retired": "badge-nodata",
}


@register.inclusion_tag("components/status_badge.html")
def status_badge(seam) -> dict:
    return {
        "css": STATUS_BADGES.get(seam.status, "badge-nodata"),
        "label": seam.get_status_display(),
    }
