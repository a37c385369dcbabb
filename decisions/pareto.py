"""Pareto view of escalations: categories by count, with the cumulative share of the total.

`pareto` ranks categories and marks "the vital few"; `pareto_chart` turns the ranking into
geometry, which `decisions.pareto_svg` draws as inline SVG (the chart convention of common.svg);
`templates/decisions/pareto_chart.html` places the drawing and its figures table. The ranking
and geometry are pure Python: no database.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 80.0

# Layout, in SVG user units.
MARGIN_LEFT = 40  # count tick labels
MARGIN_RIGHT = 44  # 0–100 % tick labels
MARGIN_TOP = 28  # a % label above a point at 100 %, lifted clear of a count label
MARGIN_BOTTOM = 40  # two lines of category labels
BAR_FILL = 0.62  # share of a slot the bar fills
MAX_BAR_WIDTH = 64
LABEL_MAX_CHARS = 18
LABEL_CHAR_WIDTH = 6.0  # rough advance of an 11px sans-serif glyph
LABEL_FIRST_BASELINE = 16  # below the baseline
LINE_HEIGHT = 13
TEXT_GAP = 5  # between a mark and the text above it
POINT_LABEL_GAP = 8


@dataclass(frozen=True)
class ParetoBar:
    label: str
    count: int
    share_pct: float  # this bar's share of the total, 0..100
    cumulative_pct: float  # running share including this bar, 0..100 (last bar == 100.0)
    vital: bool  # up to and including the first bar whose cumulative_pct reaches the threshold
    url: str = ""


@dataclass(frozen=True)
class ParetoChart:
    """Everything the template needs, in SVG user units rounded to 1 decimal place."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[dict]
    y_ticks: list[dict]  # value, y, x (label anchor) — 0..axis_max
    pct_ticks: list[dict]  # value, y, x, label — 0, 25, 50, 75, 100 %
    line_points: str
    threshold_y: float
    threshold_label: str
    threshold_label_x: float
    threshold_label_y: float
    axis_max: int
    title: str
    total: int
    summary: str
    dom_id: str

    @property
    def svg(self):
        """The chart drawn (decisions.pareto_svg, by common.svg's chart convention)."""
        from decisions.pareto_svg import draw

        return draw(self)


def pareto(
    counts: Iterable[tuple[str, int]] | Iterable[tuple[str, int, str]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[ParetoBar]:
    """Rank (label, count[, url]) rows by count, largest first, with running shares."""
    if not 0 < threshold <= 100:
        raise ValueError(f"threshold must be in (0, 100], got {threshold}")
    rows = [row for row in map(_parse_row, counts) if row[1] > 0]
    rows.sort(key=lambda row: (-row[1], row[0].casefold(), row[0]))
    total = sum(count for _, count, _ in rows)
    bars: list[ParetoBar] = []
    running = 0
    vital = True
    for label, count, url in rows:
        running += count
        # 100 * int / int rounds once, so exact shares (80.0, the final 100.0) come out exact.
        cumulative = 100 * running / total
        bars.append(ParetoBar(label, count, 100 * count / total, cumulative, vital, url))
        vital = vital and cumulative < threshold
    return bars


def _parse_row(row: tuple) -> tuple[str, int, str]:
    match tuple(row):
        case (label, count):
            url = ""
        case (label, count, url):
            pass
        case _:
            raise ValueError(f"expected (label, count) or (label, count, url), got {row!r}")
    if count < 0:
        raise ValueError(f"negative count for {label!r}: {count}")
    return str(label), int(count), url or ""


def fold_tail(bars: Sequence[ParetoBar], max_bars: int) -> list[ParetoBar]:
    """Keep the first max_bars - 1 bars and fold the rest into one "Other (n)" bar."""
    if max_bars < 2:
        raise ValueError(f"max_bars must be at least 2, got {max_bars}")
    if len(bars) <= max_bars:
        return list(bars)
    head, tail = bars[: max_bars - 1], bars[max_bars - 1 :]
    total = sum(bar.count for bar in bars)
    count = sum(bar.count for bar in tail)
    vital = any(bar.vital for bar in tail)
    other = ParetoBar(f"Other ({len(tail)})", count, 100 * count / total, 100.0, vital)
    return [*head, other]


def nice_ticks(largest: int) -> list[int]:
    """Count-axis ticks from 0: a 1/2/5 × 10^k step, 3–5 intervals, the last >= largest."""
    largest = max(largest, 1)
    step = next(step for step in _nice_steps() if -(-largest // step) <= 5)
    intervals = max(3, -(-largest // step))
    return [step * i for i in range(intervals + 1)]


def _nice_steps() -> Iterator[int]:
    magnitude = 1
    while True:
        yield from (magnitude, 2 * magnitude, 5 * magnitude)
        magnitude *= 10


def format_pct(value: float) -> str:
    """A percentage with no decimals, halves rounded up: 64.5 -> "65 %"."""
    return f"{int(value + 0.5)} %"


def summarize(bars: Sequence[ParetoBar]) -> str:
    """E.g. "3 of 9 categories explain 81 % of 47 escalations"."""
    vital = [bar for bar in bars if bar.vital]
    total = sum(bar.count for bar in bars)
    explained = vital[-1].cumulative_pct if vital else 0.0
    return (
        f"{len(vital)} of {len(bars)} {'category' if len(bars) == 1 else 'categories'} "
        f"{'explains' if len(vital) == 1 else 'explain'} {format_pct(explained)} "
        f"of {total} {'escalation' if total == 1 else 'escalations'}"
    )


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap_label(text: str, per_line: int) -> list[str]:
    """At most two lines of at most per_line characters, breaking at spaces where possible."""
    lines = textwrap.wrap(text, per_line, break_long_words=False, break_on_hyphens=False)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [truncate(line, per_line) for line in lines] or [text]


@dataclass(frozen=True)
class _Plot:
    left: int
    right: int
    top: int
    bottom: int
    axis_max: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def count_height(self, count: int) -> float:
        return round(count / self.axis_max * self.height, 1)

    def pct_y(self, pct: float) -> float:
        return round(self.bottom - pct / 100 * self.height, 1)

    def count_y(self, count: int) -> float:
        return round(self.bottom - self.count_height(count), 1)


def pareto_chart(
    bars: list[ParetoBar],
    *,
    title: str,
    width: int = 720,
    height: int = 300,
    max_bars: int = 10,
    threshold: float = DEFAULT_THRESHOLD,
) -> ParetoChart | None:
    """Chart geometry for ranked bars; None when there is nothing to chart."""
    if not bars:
        return None
    shown = fold_tail(bars, max_bars)
    ticks = nice_ticks(max(bar.count for bar in shown))
    plot = _Plot(MARGIN_LEFT, width - MARGIN_RIGHT, MARGIN_TOP, height - MARGIN_BOTTOM, ticks[-1])
    slot = (plot.right - plot.left) / len(shown)
    geometry = [_bar_geometry(bar, i, slot, plot) for i, bar in enumerate(shown)]
    threshold_y = plot.pct_y(threshold)
    return ParetoChart(
        width=width,
        height=height,
        plot_left=plot.left,
        plot_right=plot.right,
        plot_top=plot.top,
        plot_bottom=plot.bottom,
        bars=geometry,
        y_ticks=[{"value": v, "y": plot.count_y(v), "x": plot.left - 6} for v in ticks],
        pct_ticks=[_pct_tick(v, plot) for v in (0, 25, 50, 75, 100)],
        line_points=" ".join(f"{bar['point_x']},{bar['point_y']}" for bar in geometry),
        threshold_y=threshold_y,
        threshold_label=format_pct(threshold),
        threshold_label_x=plot.right - 4,
        threshold_label_y=round(threshold_y - TEXT_GAP, 1),
        axis_max=plot.axis_max,
        title=title,
        total=sum(bar.count for bar in bars),
        summary=summarize(bars),
        dom_id="pareto-" + (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "chart"),
    )


def _pct_tick(value: int, plot: _Plot) -> dict:
    return {"value": value, "y": plot.pct_y(value), "x": plot.right + 6, "label": f"{value} %"}


def _bar_geometry(bar: ParetoBar, index: int, slot: float, plot: _Plot) -> dict:
    centre = round(plot.left + (index + 0.5) * slot, 1)
    w = round(min(slot * BAR_FILL, MAX_BAR_WIDTH), 1)
    h = plot.count_height(bar.count)
    y = round(plot.bottom - h, 1)
    count_y = round(y - TEXT_GAP, 1)
    point_y = plot.pct_y(bar.cumulative_pct)
    pct_y = round(point_y - POINT_LABEL_GAP, 1)
    if abs(pct_y - count_y) < LINE_HEIGHT or pct_y > y - TEXT_GAP:
        # The % label would sit on the count label, or inside its bar (white on indigo):
        # lift it above the count.
        pct_y = round(count_y - LINE_HEIGHT, 1)
    per_line = max(4, min(LABEL_MAX_CHARS, int((slot - 4) / LABEL_CHAR_WIDTH)))
    return {
        "label": truncate(bar.label, LABEL_MAX_CHARS),
        "full_label": bar.label,
        "label_lines": wrap_label(bar.label, per_line),
        "count": bar.count,
        "x": round(centre - w / 2, 1),
        "y": y,
        "w": w,
        "h": h,
        "label_x": centre,
        "label_y": plot.bottom + LABEL_FIRST_BASELINE,
        "count_y": count_y,
        "vital": bar.vital,
        "url": bar.url,
        "share_pct": bar.share_pct,
        "cumulative_pct": bar.cumulative_pct,
        "share_label": format_pct(bar.share_pct),
        "pct_label": format_pct(bar.cumulative_pct),
        "point_x": centre,
        "point_y": point_y,
        "pct_y": pct_y,
    }
