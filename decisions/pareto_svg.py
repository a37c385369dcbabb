"""The Pareto chart drawn as inline SVG from its geometry (decisions.pareto.pareto_chart), by the
chart convention of common.svg: markup built in Python, the template only places it."""

from django.utils.safestring import SafeString

from common.svg import format_html, join

AXIS_TEXT = 'font-size="11" fill="#5D6472"'
HALO = 'stroke="#FFFFFF" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'


def draw(chart) -> SafeString:
    """The whole <svg> of a ParetoChart."""
    return format_html(
        '<svg viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'font-family="inherit" class="tabular-nums"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc>{}{}{}{}{}{}</svg>',
        chart.width,
        chart.height,
        chart.dom_id,
        chart.dom_id,
        chart.dom_id,
        chart.title,
        chart.dom_id,
        chart.summary,
        _axes(chart),
        join(_bar(bar) for bar in chart.bars),
        _baseline_and_threshold(chart),
        format_html(
            '<polyline points="{}" fill="none" stroke="#1F2370" stroke-width="2" '
            'stroke-linejoin="round"/>',
            chart.line_points,
        ),
        join(
            format_html(
                '<circle cx="{}" cy="{}" r="3" fill="#1F2370"/>', b["point_x"], b["point_y"]
            )
            for b in chart.bars
        ),
        # Text last, haloed in white, so the line and bars never cross it.
        join(_figures(bar) for bar in chart.bars),
    )


def _axes(chart) -> SafeString:
    """Horizontal gridlines and the count axis (left); the cumulative-percentage axis (right)."""
    counts = join(
        format_html(
            '{}<text x="{}" y="{}" dy="0.32em" text-anchor="end" ' + AXIS_TEXT + ">{}</text>",
            ""
            if index == 0
            else format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ECEEF2" stroke-width="1"/>',
                chart.plot_left,
                chart.plot_right,
                tick["y"],
                tick["y"],
            ),
            tick["x"],
            tick["y"],
            tick["value"],
        )
        for index, tick in enumerate(chart.y_ticks)
    )
    shares = join(
        format_html(
            '<text x="{}" y="{}" dy="0.32em" text-anchor="start" ' + AXIS_TEXT + ">{}</text>",
            tick["x"],
            tick["y"],
            tick["label"],
        )
        for tick in chart.pct_ticks
    )
    return counts + shares


def _bar(bar: dict) -> SafeString:
    """A bar (a link when it has one) and its category label under the axis."""
    rect = format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
        bar["x"],
        bar["y"],
        bar["w"],
        bar["h"],
        "#4A4FD1" if bar["vital"] else "#C9CCF6",
        bar["full_label"],
        bar["count"],
    )
    if bar["url"]:
        rect = format_html('<a href="{}">{}</a>', bar["url"], rect)
    lines = join(
        format_html('<tspan x="{}" dy="{}">{}</tspan>', bar["label_x"], 0 if i == 0 else 13, line)
        for i, line in enumerate(bar["label_lines"])
    )
    return rect + format_html(
        '<text x="{}" y="{}" text-anchor="middle" ' + AXIS_TEXT + "><title>{}</title>{}</text>",
        bar["label_x"],
        bar["label_y"],
        bar["full_label"],
        lines,
    )


def _baseline_and_threshold(chart) -> SafeString:
    """The axis line, and the 80 % reference with its label."""
    return format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#CDD2DA" stroke-width="1"/>'
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#3D4250" stroke-width="1.5" '
        'stroke-dasharray="2 3" stroke-linecap="round"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#3D4250" '
        + HALO
        + ">{}</text>",
        chart.plot_left,
        chart.plot_right,
        chart.plot_bottom,
        chart.plot_bottom,
        chart.plot_left,
        chart.plot_right,
        chart.threshold_y,
        chart.threshold_y,
        chart.threshold_label_x,
        chart.threshold_label_y,
        chart.threshold_label,
    )


def _figures(bar: dict) -> SafeString:
    """A bar's count above it and its cumulative share above the line's point."""
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#3D4250" '
        + HALO
        + ">{}</text>"
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#1F2370" '
        + HALO
        + ">{}</text>",
        bar["label_x"],
        bar["count_y"],
        bar["count"],
        bar["point_x"],
        bar["pct_y"],
        bar["pct_label"],
    )
