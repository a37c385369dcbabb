"""The initiative's histogram of its latest delivery date: in how many of the forecast's draws
the last open dependency lands in each span of days, with the initiative's target date marked.
Drawn in Python like every chart (common/svg.py)."""

from datetime import date

from django.utils.safestring import SafeString

from common.svg import format_html
from metrics.charts import BOTTOM, LEFT, TOP, _nice_top, _scale, _svg, y_axis
from metrics.forecast import HistogramBin

SIZE = (560, 180)
RIGHT = 16


def latest_delivery_chart(bins: list[HistogramBin], target: date | None, draws: int) -> SafeString:
    if not bins:
        return format_html('<p class="muted">{}</p>', "No open dependency to forecast.")
    width, height = SIZE
    shares = [100 * b.draws / draws for b in bins]
    top = _nice_top(max(shares))
    y = _scale(top, height)
    slot = (width - LEFT - RIGHT) / len(bins)
    parts: list = []
    y_axis(parts, y, top, width, "%", right=RIGHT)
    for index, (item, share) in enumerate(zip(bins, shares, strict=True)):
        late = target is not None and item.end > target
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="{}"><title>{}</title></rect>',
                round(LEFT + slot * index + 1, 1),
                y(share),
                round(max(slot - 2, 1), 1),
                round(y(0) - y(share), 1),
                "bar-late" if late else "bar",
                f"{_span(item)}: {share:.1f}% of draws",
            )
        )
    for index in sorted({0, len(bins) // 2, len(bins) - 1}):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart-axis">{}</text>',
                round(LEFT + slot * (index + 0.5), 1),
                height - 8,
                f"{bins[index].start:%-d %b}",
            )
        )
    parts.extend(_target_line(bins, target, y))
    on_time = sum(b.draws for b in bins if target is None or b.end <= target)
    alt = "Latest delivery date across the open dependencies, share of draws: " + ", ".join(
        f"{_span(b)} {s:.0f}%" for b, s in zip(bins, shares, strict=True) if b.draws
    )
    if target is not None:
        alt += f". All delivered by the target {target:%-d %b %Y} in {100 * on_time / draws:.0f}%."
    return _svg(alt, parts, SIZE)


def _target_line(bins: list[HistogramBin], target: date | None, y) -> list[SafeString]:
    """The initiative's target date as a dashed line, when it falls within the bins."""
    if target is None or not bins[0].start <= target <= bins[-1].end:
        return []
    width, height = SIZE
    days = (bins[-1].end - bins[0].start).days + 1
    tx = round(LEFT + (width - LEFT - RIGHT) * ((target - bins[0].start).days + 1) / days, 1)
    return [
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-target"/>'
            '<text x="{}" y="{}" text-anchor="end" class="chart-axis">Target {}</text>',
            tx,
            tx,
            TOP - 4,
            height - BOTTOM,
            tx - 4,
            TOP + 6,
            f"{target:%-d %b}",
        )
    ]


def _span(item: HistogramBin) -> str:
    if item.start == item.end:
        return f"{item.start:%-d %b}"
    return f"{item.start:%-d %b}–{item.end:%-d %b}"
