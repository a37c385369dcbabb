"""The review table's body, built in Python rather than in the template: at a page of 25
seams with five tiles each, the template language spent most of the page's time on it.
Every fragment comes from format_html (common.svg), so names and why lines are escaped."""

from collections import Counter

from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.safestring import SafeString

from common.svg import format_html, join
from metrics.charts import sparkline
from metrics.dashboard import Row, Tile

RAG = ("red", "amber", "green")
# The change since last month, for screen readers: its colour says it by the metric's direction.
TRENDS = {"better": "better", "worse": "worse", "same": "no change"}
PHONE_HEAD = 3  # seams a phone shows before "Show N more"


def _icon(icons: str, status: str) -> SafeString:
    shape = "nodata" if status == "progress" else status  # not judged yet: the neutral shape
    return format_html('<svg aria-hidden="true"><use href="{}#rag-{}"/></svg>', icons, shape)


def _badge(icons: str, status: str, text: str) -> SafeString:
    return format_html(
        '<span class="badge badge-{}">{}{}</span>', status, _icon(icons, status), text
    )


def _provisional() -> SafeString:
    """The word on a tile of a month still running, said in full to screen readers."""
    return format_html(
        '<span class="tile-provisional"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        "provisional",
        "Provisional: the month is not over, this value will still move.",
    )


def _delta(tile: Tile) -> SafeString:
    if not tile.delta_text:
        return SafeString("")
    return format_html(
        '<span class="delta delta-{}">{}<span class="visually-hidden"> ({}, {} is better)'
        "</span></span>",
        tile.trend,
        tile.delta_text,
        TRENDS[tile.trend],
        "higher" if tile.higher_is_better else "lower",
    )


def _tile(tile: Tile, icons: str) -> SafeString:
    judged = tile.status in RAG
    return format_html(
        '<td data-label="{}"><div class="tile tile-{}"><span class="tile-value">{}{}{}{}</span>'
        '<span class="tile-meta">{} {}</span>{}</div></td>',
        tile.short_label,
        tile.status,
        _icon(icons, tile.status) if judged else "",
        format_html('<span class="visually-hidden">{}: </span>', tile.status) if judged else "",
        tile.number,
        format_html('<small class="unit">{}</small>', tile.unit)
        if tile.unit and tile.value is not None
        else "",
        tile.target_text,
        _delta(tile),
        _provisional() if tile.provisional else "",
    )


def _row(
    row: Row, icons: str, seam_url: str, previous: str, drift: str | None = None
) -> SafeString:
    seam = row.seam
    return format_html(
        '<tr class="review-row review-row-{}"><td>{}{}{}</td>'
        '<th scope="row"><a class="seam-link" href="{}">{}</a>{}'
        '<div class="row-meta">{} → {}{}</div>{}{}</th>{}'
        '<td class="spark-cell" data-label="Queue p85, 12 mo">{}</td></tr>',
        row.status,
        _badge(icons, row.status, row.status_label),
        format_html('<div class="row-meta">{}: {}</div>', previous, row.last_status)
        if row.last_status
        else "",
        # Under the status, where the row has room: the seam's cell sets the row's height.
        _drift_badge(drift, icons),
        seam_url.replace("-slug-", seam.slug),
        seam.name,
        format_html(' <span class="tag tag-accent">{}</span>', "Pilot")
        if seam.status == "pilot"
        else "",
        seam.from_team.name,
        seam.to_team.name,
        format_html(" · {}", row.owner) if row.owner else "",
        _badges(row, icons),
        _why(row),
        join(_tile(tile, icons) for tile in row.tiles),
        sparkline(row.spark, row.spark_target, row.tiles[0].status if row.tiles else "none"),
    )


DRIFT_BADGES = {
    # status → (RAG look, words, what it means)
    "not_met": ("red", "SLA not met", "Queue time p85 above 1.2 × the response SLA"),
    "slack": ("nodata", "SLA slack", "Queue time p85 below half the response SLA"),
}


def _drift_badge(drift: str | None, icons: str) -> SafeString | str:
    """Contract vs reality: the seam's response SLA not being met, or slack, at the last two
    month ends (the leading signals' drift)."""
    if drift not in DRIFT_BADGES:
        return ""
    status, words, meaning = DRIFT_BADGES[drift]
    return format_html(
        '<div class="why drift-badge" title="{} at the last two month ends">{}</div>',
        meaning,
        _badge(icons, status, words),
    )


def _badges(row: Row, icons: str) -> SafeString:
    """The targeted metrics beyond the tiles that are off target, then those in progress."""
    off_target = join(
        format_html(
            '<div class="why">{}</div>',
            _badge(icons, t.status, f"{t.label} {t.value_text}, target {t.target_text}"),
        )
        for t in row.off_target
    )
    in_progress = join(
        format_html(
            '<div class="why">{}</div>',
            _badge(
                icons,
                "nodata",
                f"{t.label} {t.value_text} so far, target {t.target_text}: in progress",
            ),
        )
        for t in row.in_progress
    )
    return off_target + in_progress


def _why(row: Row) -> SafeString | str:
    if not row.why:
        return ""
    return format_html(
        '<div class="why"><span class="eyebrow">{}</span> {}</div>',
        "Root cause" if row.why_recorded else "Why",
        row.why,
    )


def render(
    rows: list[Row], *, icons: str, previous: str, drift: dict[int, str | None] | None = None
) -> SafeString:
    """The <tr>s of `rows` (whose detail is filled); `previous` names last month ("Oct");
    `drift` the drift status by seam id (metrics.signals)."""
    drift = drift or {}
    seam_url = reverse("metrics:seam", args=["-slug-"])  # once, not once per row
    return join(_row(row, icons, seam_url, previous, drift.get(row.seam.pk)) for row in rows)


def more_summary(rows: list[Row]) -> str:
    """What "Show …" reveals on a phone: "7 more seams (3 amber, 4 green)"; "" for none."""
    if not rows:
        return ""
    counts = Counter(row.status_label.lower() for row in rows)
    kinds = ", ".join(f"{n} {label}" for label, n in counts.items())
    return f"{len(rows)} more seam{pluralize(len(rows))} ({kinds})"


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: quotes, backslashes and control characters escaped."""
    escaped = "".join(
        f"\\{ord(ch):x} " if ch in '"\\' or ord(ch) < 32 or ord(ch) == 127 else ch for ch in text
    )
    return f'"{escaped}"'
