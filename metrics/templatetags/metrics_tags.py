"""Showing metric values: units, "no data" for nulls, RAG colour where a target is set."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from contracts import catalogue
from metrics.svg import join

register = template.Library()

RAG_LABELS = {"green": "on target", "amber": "within tolerance", "red": "off target"}


def display(name: str, value) -> str:
    if value is None:
        return "—"
    unit = catalogue.BY_NAME[name].unit if name in catalogue.BY_NAME else ""
    if name.endswith("_rate"):
        return f"{Decimal(value) * 100:.0f} %"
    if name.endswith("_hours") or unit == "h":
        return f"{Decimal(value):.1f} h"
    return str(value)


@register.simple_tag
def metric_cell(snapshot, name: str):
    """A table cell: the value, coloured and labelled by its RAG status when it has a target."""
    value = getattr(snapshot, name)
    text = display(name, value)
    status = (snapshot.rag or {}).get(name)
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


@register.simple_tag
def sparkline(values, target=None, status="none", width=92, height=34):
    """A 12-month sparkline as inline SVG: the values, a dotted target, the last point in its
    RAG colour. Months without data leave a gap."""
    known = [v for v in values if v is not None]
    if not known:
        return format_html(
            '<svg class="sparkline" width="{}" height="{}" role="img" aria-label="No data yet">'
            '<line x1="3" x2="{}" y1="{}" y2="{}" class="spark-base"/></svg>',
            width,
            height,
            width - 3,
            height - 3,
            height - 3,
        )
    top = max([*known, float(target) if target is not None else 0]) or 1
    pad = 3
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (value / top) * (height - 2 * pad), 1)

    segments, current = [], []
    for index, value in enumerate(values):
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append(f"{round(pad + index * step, 1)},{y(value)}")
    if current:
        segments.append(current)
    last = max(i for i, v in enumerate(values) if v is not None)
    label = f"Queue time p85 over {len(known)} months, last {values[last]:.1f} h"
    target_line = ""
    if target is not None:
        label += f", target {float(target):g} h"
        ty = y(float(target))
        target_line = format_html(
            '<line x1="3" x2="{}" y1="{}" y2="{}" class="spark-target"/>', width - 3, ty, ty
        )
    lines = join(
        format_html('<polyline points="{}" class="spark-line"/>', " ".join(points))
        for points in segments
    )
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}">{}{}<circle cx="{}" cy="{}" r="3" class="spark-dot spark-dot-{}"/></svg>',
        width,
        height,
        width,
        height,
        label,
        target_line,
        lines,
        round(pad + last * step, 1),
        y(values[last]),
        status,
    )


@register.simple_tag
def tile_value(tile):
    if tile.value is None:
        return "—"
    if tile.is_rate:
        return f"{Decimal(tile.value) * 100:.0f} %"
    if tile.metric.endswith("_hours"):
        return f"{Decimal(tile.value):.1f} h"
    return str(tile.value)


@register.simple_tag
def tile_target(tile):
    if tile.target is None:
        return "No target"
    sign = "≥" if tile.target.direction == "higher" else "≤"
    unit = " %" if tile.is_rate else (" h" if tile.metric.endswith("_hours") else "")
    return f"{sign} {tile.target.target.normalize():f}{unit}"


@register.simple_tag
def tile_delta(tile):
    if tile.delta is None:
        return ""
    unit = " pts" if tile.is_rate else (" h" if tile.metric.endswith("_hours") else "")
    if tile.delta == 0:
        return f"– 0{unit}"
    arrow = "↑" if tile.delta > 0 else "↓"
    places = 1 if tile.metric.endswith("_hours") or (tile.is_rate and abs(tile.delta) < 1) else 0
    return f"{arrow} {abs(tile.delta):.{places}f}{unit}"
