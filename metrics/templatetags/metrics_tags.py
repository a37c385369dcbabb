"""Showing metric values: units, "no data" for nulls, RAG colour where a target is set."""

from django import template
from django.utils.html import format_html

from metrics.dashboard import judged_at_month_end, metric_text, phrase

register = template.Library()

RAG_LABELS = {"green": "on target", "amber": "within tolerance", "red": "off target"}


@register.filter
def metric_value(value, name: str) -> str:
    """A metric's value in its unit: "31 %", "41.6 h", "—" for none."""
    return metric_text(name, value)


@register.filter
def metric_phrase(label: str) -> str:
    """A metric's label inside a sentence: "queue time p85", but "SLA breach rate"."""
    return phrase(label)


@register.simple_tag
def metric_cell(snapshot, name: str, progress=None):
    """A table cell: the value, coloured and labelled by its RAG status when it has a target.
    With `progress` (the month is still running), a higher-is-better count's target is not
    judged yet: the cell says "in progress", in neutral grey."""
    value = getattr(snapshot, name)
    text = metric_text(name, value)
    status = (snapshot.rag or {}).get(name)
    if status and progress is not None and judged_at_month_end(name):
        return format_html(
            '<td class="num"><span class="badge badge-nodata" title="{}">{}'
            '<span class="in-progress"> in progress</span></span></td>',
            "Judged against its target when the month ends",
            text,
        )
    if value is None:
        return format_html('<td class="num muted" title="No data this month">{}</td>', text)
    if status:
        return format_html(
            '<td class="num"><span class="badge badge-{}" title="{}">{}</span></td>',
            status,
            RAG_LABELS[status],
            text,
        )
    return format_html('<td class="num">{}</td>', text)
