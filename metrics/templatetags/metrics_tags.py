"""Showing metric values: units, "no data" for nulls, RAG colour where a target is set."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from contracts import catalogue

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


@register.inclusion_tag("metrics/sparkline.html")
def sparkline(values, target=None, status="none", width=92, height=34):
    """A 12-month sparkline as inline SVG: the values, a dotted target, the last point in its
    RAG colour. Months without data leave a gap."""
    known = [v for v in values if v is not None]
    if not known:
        return {"empty": True, "width": width, "height": height}
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
    last_index = max(i for i, v in enumerate(values) if v is not None)
    return {
        "empty": False,
        "width": width,
        "height": height,
        "lines": [" ".join(points) for points in segments],
        "target_y": y(float(target)) if target is not None else None,
        "dot": (round(pad + last_index * step, 1), y(values[last_index])),
        "status": status,
        "label": f"{len(known)} months, last {values[last_index]:.1f} h"
        + (f", target {float(target):.0f} h" if target is not None else ""),
    }


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
