"""The drill-down's flow charts as server-rendered SVG (design README, "Charts"): the aging chart,
the cycle-time scatterplot and the cumulative flow diagram. Each function takes plain numbers,
so its geometry is tested without a database, and returns an accessible drawing (role="img"
with its figures in words) or, with nothing to draw, one muted sentence.

metrics.flow reads the data these draw.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.utils.safestring import SafeString

from common.svg import format_html, join
from metrics import charts
from metrics.charts import _nice_top
from metrics.percentile import interpolate

LEFT, RIGHT, TOP, BOTTOM = 40, 78, 14, 28
SIZE = (420, 240)
MIN_LABEL_GAP = 14  # user units between two labels on the right, so they never overlap


def _y_scale(top: float, height: int):
    plot_h = height - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + plot_h - value / top * plot_h, 1)

    return y


def _svg(css: str, alt: str, parts: list, size: tuple[int, int]) -> SafeString:
    return format_html(
        '<svg class="chart {}" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        css,
        *size,
        alt,
        join(parts),
    )


def _hours(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _y_axis(parts: list, y, top: float, width: int, unit: str = " h") -> None:
    """Gridlines at 0, half and the top, labelled on the left (hours unless told)."""
    charts.y_axis(parts, y, top, width, unit, left=LEFT, right=RIGHT)


def _day_ticks(parts: list, days: int, tick_x, height: int) -> None:
    """Day-of-month labels under the plot, a week apart from the 1st; `tick_x(i)` places the
    label of day i + 1."""
    for day in range(0, days, 7):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart-axis">{}</text>',
                tick_x(day),
                height - 8,
                day + 1,
            )
        )


def spread_labels(positions: list[float], gap: float = MIN_LABEL_GAP) -> list[float]:
    """Label positions (y, top to bottom in any order) moved apart so that no two are closer
    than `gap`, keeping their order; returned in the order given."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = list(positions)
    for before, after in pairwise(order):
        placed[after] = max(placed[after], placed[before] + gap)
    return [round(p, 1) for p in placed]


# --- Aging --------------------------------------------------------------------------------------

AGING_COLUMNS = (
    ("submitted", "Submitted"),
    ("waiting", "Waiting on sender"),
    ("started", "Started"),
)
# Bands behind the dots, from zero up to each SLE percentile: green tint through amber to red.
AGING_BANDS = (("p50", "band-p50"), ("p70", "band-p70"), ("p85", "band-p85"), ("p95", "band-p95"))


@dataclass(frozen=True)
class AgingDot:
    state: str  # a key of AGING_COLUMNS
    age_hours: float
    name: str  # said on hover and in the figures table


def aging_chart(
    dots: Sequence[AgingDot], sle: dict, *, when: str, size: tuple[int, int] = SIZE
) -> SafeString:
    """A column per state with a dot per open item at its age, jittered sideways; behind them
    the SLE bands up to p50 / p70 / p85 / p95, labelled on the right (none when the SLE has no
    percentiles). Dots past p85 are red. `when` names the cut-off in the empty state and the
    text alternative ("at the end of November")."""
    if not dots:
        return format_html('<p class="muted chart-empty">No open items {}.</p>', when)
    width, height = size
    known = {name: sle.get(name) for name, _ in AGING_BANDS if sle.get(name) is not None}
    top = _nice_top(max([d.age_hours for d in dots] + list(known.values())))
    y = _y_scale(top, height)
    column = (width - LEFT - RIGHT) / len(AGING_COLUMNS)
    parts = _aging_bands(known, y, width)
    _y_axis(parts, y, top, width)
    for index, (_, label) in enumerate(AGING_COLUMNS):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart-axis">{}</text>',
                round(LEFT + column * (index + 0.5), 1),
                height - 8,
                label,
            )
        )
    p85 = known.get("p85")
    for dot, (cx, cy) in zip(dots, aging_positions(dots, y, column), strict=True):
        late = p85 is not None and dot.age_hours > p85
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="4.5" class="{}"><title>{} · {} h</title></circle>',
                cx,
                cy,
                "aging-dot aging-dot-late" if late else "aging-dot",
                dot.name,
                _hours(dot.age_hours),
            )
        )
    return _svg("chart-aging", _aging_alt(dots, known, when), parts, size)


def aging_positions(dots: Sequence[AgingDot], y, column: float) -> list[tuple[float, float]]:
    """Each dot's centre: its column's middle moved sideways by a fixed low-discrepancy jitter
    (the same page draws the same chart), at the height of its age."""
    keys = [key for key, _ in AGING_COLUMNS]
    seen = dict.fromkeys(keys, 0)
    positions = []
    for dot in dots:
        index = keys.index(dot.state)
        jitter = ((seen[dot.state] * 0.618034 + 0.5) % 1 - 0.5) * column * 0.5
        seen[dot.state] += 1
        positions.append((round(LEFT + column * (index + 0.5) + jitter, 1), y(dot.age_hours)))
    return positions


def _aging_bands(known: dict[str, float], y, width: int) -> list:
    """The SLE bands, each from the previous percentile up to its own, labelled on the right."""
    parts, floor = [], 0.0
    names = [name for name, _ in AGING_BANDS if name in known]
    label_ys = spread_labels([y(known[name]) + 4 for name in names])
    for (name, css), label_y in zip(
        [(n, c) for n, c in AGING_BANDS if n in known], label_ys, strict=True
    ):
        value = known[name]
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="{}"/>'
                '<text x="{}" y="{}" class="chart-axis">{} {} h</text>',
                LEFT,
                y(value),
                width - LEFT - RIGHT,
                round(y(floor) - y(value), 1),
                css,
                width - RIGHT + 4,
                label_y,
                name,
                _hours(value),
            )
        )
        floor = value
    return parts


def _aging_alt(dots: Sequence[AgingDot], known: dict[str, float], when: str) -> str:
    counts = ", ".join(
        f"{sum(d.state == key for d in dots)} {label.lower()}" for key, label in AGING_COLUMNS
    )
    oldest = max(dots, key=lambda d: d.age_hours)
    text = f"Work item age {when}: {counts}; oldest {_hours(oldest.age_hours)} h"
    if "p85" in known:
        late = sum(d.age_hours > known["p85"] for d in dots)
        text += f". Queue-time SLE p85 {_hours(known['p85'])} h: {late} past it"
    return text + "."


# --- Cycle time ---------------------------------------------------------------------------------

SCATTER_LINES = (("p50", 0.5), ("p85", 0.85), ("p95", 0.95))


def percentile_lines(values: Sequence[float]) -> dict[str, float]:
    """The scatterplot's reference lines: p50 always, p85 from 3 points, p95 from 20 (fewer
    points say nothing about the tail)."""
    least = {"p50": 1, "p85": 3, "p95": 20}
    return {
        name: round(interpolate(list(values), fraction), 2)
        for name, fraction in SCATTER_LINES
        if len(values) >= least[name]
    }


def cycle_time_chart(
    points: Sequence[tuple[float, float, str]],
    *,
    days: int,
    month_label: str,
    size: tuple[int, int] = SIZE,
) -> SafeString:
    """A dot per completed handoff: x = when in the month it was completed, in days since the
    month began (0 ≤ x ≤ days), y = its lead time in hours; each point is (x, hours, name).
    Dashed lines at the points' p50 / p85 / p95, labelled on the right."""
    if not points:
        return format_html('<p class="muted chart-empty">Nothing completed in {}.</p>', month_label)
    width, height = size
    lines = percentile_lines([hours for _, hours, _ in points])
    top = _nice_top(max(hours for _, hours, _ in points))
    y = _y_scale(top, height)
    plot_w = width - LEFT - RIGHT

    def x(day: float) -> float:
        return round(LEFT + day / days * plot_w, 1)

    parts = []
    _y_axis(parts, y, top, width)
    _day_ticks(parts, days, lambda day: x(day + 0.5), height)
    parts.extend(_scatter_lines(lines, y, width))
    for day, hours, name in points:
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="4" class="scatter-dot"><title>{} · {} h</title>'
                "</circle>",
                x(day),
                y(hours),
                name,
                _hours(hours),
            )
        )
    summary = "; ".join(f"{name} {_hours(v)} h" for name, v in lines.items())
    alt = f"Lead time of the {len(points)} handoffs completed in {month_label}: {summary}."
    return _svg("chart-scatter", alt, parts, size)


def _scatter_lines(lines: dict[str, float], y, width: int) -> list[SafeString]:
    """A dashed line per percentile across the plot, labelled on the right."""
    label_ys = spread_labels([y(v) + 4 for v in lines.values()])
    return [
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" class="scatter-line scatter-{}"/>'
            '<text x="{}" y="{}" class="chart-axis chart-line-label">{} {} h</text>',
            LEFT,
            width - RIGHT,
            y(value),
            y(value),
            name,
            width - RIGHT + 4,
            label_y,
            name,
            _hours(value),
        )
        for (name, value), label_y in zip(lines.items(), label_ys, strict=True)
    ]


# --- Cumulative flow ----------------------------------------------------------------------------


def cumulative_flow_chart(
    arrived: Sequence[int],
    started: Sequence[int],
    completed: Sequence[int],
    *,
    days: int,
    month_label: str,
    size: tuple[int, int] = SIZE,
) -> SafeString:
    """Stacked areas by day: the cumulative count arrived, started and completed at the end of
    each of the month's days so far (the lists are as long as the days drawn, at most `days`).
    The band under "completed" is what was done, between it and "started" what was in progress,
    and above that what waited to start."""
    if not arrived or not arrived[-1]:
        return format_html(
            '<p class="muted chart-empty">Nothing on this seam in {}.</p>', month_label
        )
    width, height = size
    top = _nice_top(max(arrived))
    y = _y_scale(top, height)
    plot_w = width - LEFT - RIGHT

    def x(index: int) -> float:  # the end of the index-th day
        return round(LEFT + (index + 1) / days * plot_w, 1)

    parts = []
    _y_axis(parts, y, top, width, unit="")
    # Back to front: each area runs down to zero and hides the part of the one behind it below
    # its own line, which leaves the bands between the lines.
    for series, css in (
        (arrived, "cfd-arrived"),
        (started, "cfd-started"),
        (completed, "cfd-completed"),
    ):
        parts.append(_area(series, x, y, css))
    _day_ticks(parts, days, x, height)
    # Short words, so the labels fit the right margin on a phone too.
    ends = {"arrived": arrived[-1], "started": started[-1], "done": completed[-1]}
    label_ys = spread_labels([y(v) + 4 for v in ends.values()])
    parts.extend(
        format_html(
            '<text x="{}" y="{}" class="chart-axis">{} {}</text>', edge, label_y, value, name
        )
        for (name, value), label_y, edge in zip(
            ends.items(), label_ys, [x(len(arrived) - 1) + 4] * 3, strict=True
        )
    )
    return _svg("chart-cfd", _cfd_alt(arrived, started, completed, month_label), parts, size)


def _cfd_alt(arrived, started, completed, month_label: str) -> str:
    return (
        f"Cumulative flow in {month_label}, day 1 to {len(arrived)}: by the end of day "
        f"{len(arrived)}, {arrived[-1]} arrived, {started[-1]} started and {completed[-1]} "
        f"completed; {arrived[-1] - started[-1]} waiting to start, "
        f"{started[-1] - completed[-1]} in progress."
    )


def cfd_points(series: Sequence[int], x, y) -> list[tuple[float, float]]:
    """The top edge of a cumulative series as a step at each day's end, starting at the month's
    first instant at the first day's value."""
    points = [(float(LEFT), y(series[0]))]
    points += [(x(index), y(value)) for index, value in enumerate(series)]
    return points


def _area(series: Sequence[int], x, y, css: str) -> SafeString:
    """A cumulative series filled down to zero."""
    edge = cfd_points(series, x, y)
    outline = [*edge, (edge[-1][0], y(0)), (float(LEFT), y(0))]
    return format_html(
        '<polygon points="{}" class="{}"/>',
        " ".join(f"{px},{py}" for px, py in outline),
        css,
    )
