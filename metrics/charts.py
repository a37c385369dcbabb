"""Server-rendered SVG charts for the seam drill-down (design README, "Charts"): line charts for
percentiles against a target with its amber band, and bar charts for counts and rates. Each
chart carries a text alternative; none needs JavaScript or a CDN."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString

from common.svg import format_html, join

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 64, 14, 26


@dataclass
class Series:
    label: str
    values: list[float | None]
    css: str  # line-p50, line-p85


def _scale(top: float, height: int = HEIGHT):
    top = top or 1
    plot_h = height - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + plot_h - value / top * plot_h, 1)

    return y


def _x(count: int, width: int = WIDTH):
    plot_w = width - LEFT - RIGHT
    step = plot_w / max(count - 1, 1)
    return lambda index: round(LEFT + index * step, 1)


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if value <= step * 4:
            return step * 4 if value > step * 3 else step * (int(value // step) + 1)
    return value * 1.1


def y_axis(
    parts: list, y, top: float, width: int, unit: str, *, left: int = LEFT, right: int = RIGHT
) -> None:
    """Gridlines at 0, half and the top, labelled on the left of the plot [left, width - right]."""
    for fraction in (0, 0.5, 1):
        value = top * fraction
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" class="chart-axis">{}{}</text>',
                left,
                width - right,
                y(value),
                y(value),
                "chart-base" if fraction == 0 else "chart-gridline",
                left - 6,
                y(value) + 4,
                f"{value:g}",
                unit,
            )
        )


def _axes(parts: list, months: list, y, top: float, unit: str, x, size=(WIDTH, HEIGHT)) -> None:
    width, height = size
    y_axis(parts, y, top, width, unit)
    for index, month in enumerate(months):
        if index % 3 == 0 or index == len(months) - 1:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" class="chart-axis">{}</text>',
                    x(index),
                    height - 8,
                    f"{month:%b %y}",
                )
            )


def _svg(alt: str, parts: list, size=(WIDTH, HEIGHT)) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        *size,
        alt,
        join(parts),
    )


def line_chart(
    title: str,
    months: list,
    series: list[Series],
    target: Decimal | None = None,
    tolerance_pct: Decimal | None = None,
    unit: str = " h",
    *,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> SafeString:
    """Percentile lines against a target and its amber band; `size` is the drawing's
    (width, height) in user units, to keep text at its size in a wider or narrower card."""
    known = [v for s in series for v in s.values if v is not None]
    if not known:
        return format_html('<p class="muted">No data for {} yet.</p>', title.lower())
    band_top = float(target) * (1 + float(tolerance_pct or 20) / 100) if target is not None else 0
    top = _nice_top(max([*known, band_top]))
    y, x = _scale(top, size[1]), _x(len(months), size[0])
    alt = _line_alt(title, months, series, target, unit.strip())
    parts = []
    if target is not None:
        parts.append(_band(y, band_top, float(target), size[0]))
    _axes(parts, months, y, top, unit.strip(), x, size)
    if target is not None:
        parts.append(_target_line(y(float(target)), float(target), unit.strip(), size[0]))
    parts.extend(_lines(series, x, y, target))
    legend = join(
        format_html(
            '<span class="legend-item"><span class="legend-swatch {}"></span>{}</span> ',
            s.css,
            s.label,
        )
        for s in series
    )
    return format_html('{}<p class="chart-legend">{}</p>', _svg(alt, parts, size), legend)


def _line_alt(title: str, months: list, series: list[Series], target, unit: str) -> str:
    """The chart in words: its months, each line's latest value and the target."""
    last = {s.label: next((v for v in reversed(s.values) if v is not None), None) for s in series}
    summary = "; ".join(
        f"{s.label} {last[s.label]:.1f}{unit}" for s in series if last[s.label] is not None
    )
    return f"{title}, {months[0]:%B %Y} to {months[-1]:%B %Y}. Latest: {summary}" + (
        f". Target {float(target):g}{unit}." if target is not None else "."
    )


def _band(y, band_top: float, target: float, width: int) -> SafeString:
    """The amber band: from the target up to its tolerance."""
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" class="chart-band"/>',
        LEFT,
        y(band_top),
        width - LEFT - RIGHT,
        round(y(target) - y(band_top), 1),
    )


def _target_line(ty: float, target: float, unit: str, width: int) -> SafeString:
    return format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-target"/>'
        '<text x="{}" y="{}" class="chart-axis">Target {}{}</text>',
        LEFT,
        width - RIGHT,
        ty,
        ty,
        width - RIGHT + 4,
        ty + 4,
        f"{target:g}",
        unit,
    )


def _lines(series: list[Series], x, y, target) -> list[SafeString]:
    """A polyline per series, its latest point a dot (red when past the target)."""
    drawn = []
    for s in series:
        points = [f"{x(i)},{y(v)}" for i, v in enumerate(s.values) if v is not None]
        if not points:
            continue
        index = max(i for i, v in enumerate(s.values) if v is not None)
        value = s.values[index]
        late = target is not None and value > float(target)
        drawn.append(
            format_html(
                '<polyline points="{}" class="{}"/><circle cx="{}" cy="{}" r="3.5" class="{}"/>',
                " ".join(points),
                s.css,
                x(index),
                y(value),
                "chart-dot chart-dot-red" if late else "chart-dot",
            )
        )
    return drawn


def _label(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def bar_chart(
    title: str,
    months: list,
    values: list[float | None],
    unit: str = "",
    *,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> SafeString:
    """A bar a month, the last one (the month shown) in the accent."""
    width, height = size
    known = [v for v in values if v is not None]
    if not any(known):
        return format_html('<p class="muted">No {} in these months.</p>', title.lower())
    top = _nice_top(max(known))
    y = _scale(top, height)
    plot_w = width - LEFT - RIGHT
    slot = plot_w / len(months)
    alt = f"{title} by month: " + ", ".join(
        f"{m:%b %Y} {'—' if v is None else _label(v) + unit}"
        for m, v in zip(months, values, strict=True)
    )
    parts = []
    _axes(parts, months, y, top, unit, lambda i: round(LEFT + slot * (i + 0.5), 1), size)
    for index, value in enumerate(values):
        if value is None:
            continue
        current = index == len(values) - 1
        bar_x = round(LEFT + slot * index + slot * 0.15, 1)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="{}"/>',
                bar_x,
                y(value),
                round(slot * 0.7, 1),
                round(y(0) - y(value), 1),
                "bar-now" if current else "bar",
            )
        )
        if current or index == len(values) - 2:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" class="chart-axis">{}{}</text>',
                    round(bar_x + slot * 0.35, 1),
                    y(value) - 4,
                    _label(value),
                    unit,
                )
            )
    return _svg(alt, parts, size)


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
        for points in _segments(values, pad, step, y)
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


def _segments(values, pad: int, step: float, y) -> list[list[str]]:
    """The runs of months with data, as point lists: a month without data leaves a gap."""
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
    return segments
