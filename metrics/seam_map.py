"""The seam map: teams as nodes on a ring, each seam an arrow from the team that hands work over
to the team that receives it, coloured and shaped by its worst RAG status this month, linking
to its page. Drawn server-side as SVG, with a <title> on every arrow for screen readers."""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString

from common.svg import format_html, join

WIDTH, HEIGHT = 760, 440
NODE_W, NODE_H = 124, 34
STYLE = {
    # status: (stroke class, dash, width)
    "red": ("map-red", "", 2.75),
    "amber": ("map-amber", "7 4", 2.25),
    "green": ("map-green", "", 1.75),
    "progress": ("map-nodata", "3 3", 1.5),  # the month still running: judged when it ends
    "nodata": ("map-nodata", "3 3", 1.5),
    "none": ("map-nodata", "3 3", 1.5),
}
ARROW_COLOURS = {
    "red": "#D92D20",
    "amber": "#B76E00",
    "green": "#1E8A4C",
    "progress": "#8A91A0",
    "nodata": "#8A91A0",
    "none": "#8A91A0",
}
LABELS = {
    "red": "red",
    "amber": "amber",
    "green": "green",
    "progress": "in progress",
    "nodata": "no data",
    "none": "no target",
}


ORDER = {"red": 0, "amber": 1, "green": 2, "progress": 3, "nodata": 4, "none": 5}  # worst first
MAX_PARALLEL = 3  # more seams than this from one team to another draw as one arrow
MAX_NAMES = 12  # red and amber arrows named on the map, worst first

# Arrowheads, and the status shapes drawn at each arrow's midpoint (never colour alone).
DEFS = join(
    [
        *(
            format_html(
                '<marker id="arrow-{}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
                'markerHeight="6" orient="auto-start-reverse"><path d="M0 0 10 5 0 10z" '
                'fill="{}"/></marker>',
                status,
                colour,
            )
            for status, colour in ARROW_COLOURS.items()
        ),
        format_html(
            '<symbol id="map-red" viewBox="0 0 16 16"><path d="M8 1 15 8 8 15 1 8z" '
            'fill="#fff" stroke="{red}" stroke-width="1.75"/><path d="M8 4.8v3.6M8 10.6v.2" '
            'stroke="{red}" stroke-width="1.75" stroke-linecap="round"/></symbol>'
            '<symbol id="map-amber" viewBox="0 0 16 16"><path d="M8 1.5 15 14H1z" fill="#fff" '
            'stroke="{amber}" stroke-width="1.6" stroke-linejoin="round"/><path d="M8 6v3.6M8 '
            '11.6v.2" stroke="{amber}" stroke-width="1.6" stroke-linecap="round"/></symbol>'
            '<symbol id="map-green" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6.5" '
            'fill="#fff" stroke="{green}" stroke-width="1.6"/><path d="m5.2 8.2 1.9 1.9 3.8-4" '
            'fill="none" stroke="{green}" stroke-width="1.6" stroke-linecap="round" '
            'stroke-linejoin="round"/></symbol>'
            '<symbol id="map-nodata" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6.5" '
            'fill="#fff" stroke="{grey}" stroke-width="1.5" stroke-dasharray="2.5 2"/>'
            '<path d="M5.5 8h5" stroke="{grey}" stroke-width="1.5"/></symbol>',
            red=ARROW_COLOURS["red"],
            amber=ARROW_COLOURS["amber"],
            green=ARROW_COLOURS["green"],
            grey=ARROW_COLOURS["nodata"],
        ),
    ]
)


@dataclass
class Node:
    name: str
    x: float
    y: float


def _crossings(order: tuple[str, ...], edges: tuple[tuple[str, str], ...]) -> int:
    """How many pairs of seams cross when the teams sit on a ring in this order: two chords
    cross when their ends interleave."""
    place = {name: index for index, name in enumerate(order)}
    chords = [tuple(sorted((place[a], place[b]))) for a, b in edges if a != b]
    return sum(
        1
        for i, (a, b) in enumerate(chords)
        for c, d in chords[i + 1 :]
        if a < c < b < d or c < a < d < b
    )


@lru_cache(maxsize=64)
def _ring_order(teams: tuple[str, ...], edges: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """An order of the teams around the ring with few crossing arrows: swap pairs while that
    helps (deterministic, and cached: the map's shape rarely changes)."""
    order = list(teams)
    best = _crossings(tuple(order), edges)
    improved = True
    while improved and best:
        improved = False
        for i in range(len(order)):
            for j in range(i + 1, len(order)):
                order[i], order[j] = order[j], order[i]
                score = _crossings(tuple(order), edges)
                if score < best:
                    best, improved = score, True
                else:
                    order[i], order[j] = order[j], order[i]
    return tuple(order)


def _layout(team_names: list[str], edges) -> dict[str, Node]:
    count = len(team_names)
    radius_x, radius_y = WIDTH / 2 - NODE_W / 2 - 16, HEIGHT / 2 - NODE_H / 2 - 16
    nodes = {}
    order = _ring_order(tuple(sorted(team_names)), tuple(sorted(edges)))
    for index, name in enumerate(order):
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        nodes[name] = Node(
            name, WIDTH / 2 + radius_x * math.cos(angle), HEIGHT / 2 + radius_y * math.sin(angle)
        )
    return nodes


def _edge_point(node: Node, toward_x: float, toward_y: float) -> tuple[float, float]:
    """Where the line from the node's centre toward a point leaves its box."""
    dx, dy = toward_x - node.x, toward_y - node.y
    if dx == dy == 0:
        return node.x, node.y
    scale = min(
        (NODE_W / 2 + 4) / abs(dx) if dx else math.inf,
        (NODE_H / 2 + 4) / abs(dy) if dy else math.inf,
    )
    return node.x + dx * scale, node.y + dy * scale


def _free_line(placed: list, x: float, y: float, chars: int, right: bool) -> float:
    """A baseline near `y` where a name of this length overlaps no name already placed."""
    width = chars * 6.6 + 4
    left = x - width if right else x
    while any(
        left < x1 and left + width > x0 and y - 12 < y1 and y + 3 > y0 for x0, x1, y0, y1 in placed
    ):
        y += 15
    placed.append((left, left + width, y - 12, y + 3))
    return y


@dataclass
class Arrow:
    """One arrow: a seam, or a bundle of the seams between the same two teams."""

    source: str
    target: str
    status: str
    name: str
    url: str
    title: str
    seams: int = 1


def _arrows(rows, query: str) -> list[Arrow]:
    """A seam each, except where more than MAX_PARALLEL seams run from one team to another:
    those draw as one arrow in their worst colour, linking to the table filtered to them."""
    pairs: dict[tuple[str, str], list] = defaultdict(list)
    for row in rows:
        pairs[(row.seam.from_team.name, row.seam.to_team.name)].append(row)
    seam_url = reverse("metrics:seam", args=["-slug-"])
    arrows = []
    for (source, target), group in pairs.items():
        if len(group) <= MAX_PARALLEL:
            arrows.extend(
                Arrow(
                    source,
                    target,
                    row.status,
                    row.seam.name,
                    seam_url.replace("-slug-", row.seam.slug),
                    f"{row.seam.name}: {source} to {target}, {LABELS[row.status]}",
                )
                for row in group
            )
            continue
        counts = Counter(row.status for row in group)
        status = min(counts, key=ORDER.__getitem__)
        tally = ", ".join(f"{counts[s]} {LABELS[s]}" for s in sorted(counts, key=ORDER.get))
        hurting = counts["red"] + counts["amber"]
        first = group[0].seam
        arrows.append(
            Arrow(
                source,
                target,
                status,
                f"{len(group)} seams" + (f", {hurting} red or amber" if hurting else ""),
                _table_url(query, first.from_team.slug, first.to_team.slug),
                f"{len(group)} seams from {source} to {target}: {tally}",
                seams=len(group),
            )
        )
    return arrows


def _table_url(query: str, source: str, target: str) -> str:
    """The review table (for the month and contract in `query`) showing only these seams."""
    pair = urlencode({"from": source, "to": target})
    return f"{reverse('metrics:review')}?{query}{'&' if query else ''}{pair}#seams"


def _marker(status: str, x: float, y: float) -> SafeString:
    """The status shape at an arrow's midpoint: diamond, triangle, circle, dashed circle."""
    return format_html(
        '<use href="#map-{}" x="{}" y="{}" width="16" height="16" class="map-dot"/>',
        status if status in ("red", "amber", "green") else "nodata",
        f"{x - 8:.1f}",
        f"{y - 8:.1f}",
    )


def render(rows, query: str = "") -> SafeString:
    """`rows` are the review's rows (seam, status); `query` is the review's month and contract
    as a query string, kept by the links to bundles of seams. Returns the map's SVG ("" without
    seams)."""
    key = tuple(
        (
            r.seam.slug,
            r.seam.name,
            r.seam.from_team.name,
            r.seam.from_team.slug,
            r.seam.to_team.name,
            r.seam.to_team.slug,
            r.status,
        )
        for r in rows
    )
    return _render(key, query)


@lru_cache(maxsize=32)
def _render(key: tuple, query: str) -> SafeString:
    """The map is a pure function of its seams' names, teams and statuses: leaders opening
    the same month's review share one drawing (the key is the whole input)."""
    rows = [_Row(*item) for item in key]
    teams = {row.seam.from_team.name for row in rows} | {row.seam.to_team.name for row in rows}
    if not teams:
        return join([])
    edges = {(row.seam.from_team.name, row.seam.to_team.name) for row in rows}
    nodes = _layout(sorted(teams), edges)
    pairs: dict[tuple[str, str], int] = {}
    drawn, labels = [], []
    placed: list[tuple[float, float, float, float]] = []
    # Green first, red last, so the seams that hurt are drawn on top.
    for arrow in sorted(_arrows(rows, query), key=lambda a: -ORDER[a.status]):
        source, target = nodes[arrow.source], nodes[arrow.target]
        key_ = tuple(sorted((source.name, target.name)))
        nth = pairs.get(key_, 0)
        pairs[key_] = nth + 1
        path, label_x, label_y = _curve(source, target, nth)
        drawn.append(_seam_arrow(arrow, path, label_x, label_y))
        # Red and amber seams are named (on top of everything, in a last pass), the worst
        # first and up to MAX_NAMES: the rest keep their <title>.
        if arrow.status in ("red", "amber") and len(labels) < MAX_NAMES:
            labels.append(_seam_name(arrow, label_x, label_y, placed))
    return format_html(
        # A group, not an image: its arrows are links (an image may hold no control).
        '<svg class="seam-map" viewBox="0 0 {} {}" role="group" '
        'aria-labelledby="seam-map-graphic-title"><title id="seam-map-graphic-title">'
        "Seam map: {} seams between {} teams, coloured by this "
        "month's status</title><defs>{}</defs>{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        len(rows),
        len(teams),
        DEFS,
        join(drawn),
        join(_team_box(node) for node in nodes.values()),
        join(labels),
    )


def _curve(source, target, nth: int) -> tuple[str, float, float]:
    """The path of the `nth` arrow between two teams, and where its label goes: seams between
    the same two teams bow apart instead of overlapping."""
    bend = (nth + 1) // 2 * 28 * (1 if nth % 2 else -1) if nth else 0
    if source.name > target.name:
        bend = -bend
    mid_x, mid_y = (source.x + target.x) / 2, (source.y + target.y) / 2
    length = math.hypot(target.x - source.x, target.y - source.y) or 1
    normal_x, normal_y = -(target.y - source.y) / length, (target.x - source.x) / length
    ctrl_x, ctrl_y = mid_x + normal_x * bend * 2, mid_y + normal_y * bend * 2
    x1, y1 = _edge_point(source, ctrl_x, ctrl_y)
    x2, y2 = _edge_point(target, ctrl_x, ctrl_y)
    label_x, label_y = (x1 + 2 * ctrl_x + x2) / 4, (y1 + 2 * ctrl_y + y2) / 4
    return f"M{x1:.1f} {y1:.1f} Q{ctrl_x:.1f} {ctrl_y:.1f} {x2:.1f} {y2:.1f}", label_x, label_y


def _seam_arrow(arrow, path: str, label_x: float, label_y: float) -> SafeString:
    css, dash, width = STYLE[arrow.status]
    if arrow.seams > 1:
        width += min(arrow.seams, 12) / 3  # a bundle is as thick as it is busy
    return format_html(
        '<a href="{}"><g class="map-seam {}"><title>{}</title>'
        '<path d="{}" fill="none" stroke-width="{}" stroke-dasharray="{}" '
        'marker-end="url(#arrow-{})"/>{}</g></a>',
        arrow.url,
        css,
        arrow.title,
        path,
        f"{width:g}",
        dash or "none",
        arrow.status,
        _marker(arrow.status, label_x, label_y),
    )


def _seam_name(arrow, label_x: float, label_y: float, placed: list) -> SafeString:
    # Names read away from the ring's edge, so they keep clear of the team boxes.
    right = label_x > WIDTH / 2
    text_x = label_x + (-12 if right else 12)
    text_y = _free_line(placed, text_x, label_y + 4, len(arrow.name), right)
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" class="map-label map-label-{}">{}</text>',
        f"{text_x:.1f}",
        f"{text_y:.1f}",
        "end" if right else "start",
        arrow.status,
        arrow.name,
    )


def _team_box(node) -> SafeString:
    return format_html(
        '<g class="map-node"><rect x="{}" y="{}" width="{}" height="{}" rx="8"/>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
        f"{node.x - NODE_W / 2:.1f}",
        f"{node.y - NODE_H / 2:.1f}",
        NODE_W,
        NODE_H,
        f"{node.x:.1f}",
        f"{node.y + 4:.1f}",
        node.name,
    )


@dataclass
class _Team:
    name: str
    slug: str


@dataclass
class _Seam:
    slug: str
    name: str
    from_team: _Team
    to_team: _Team


class _Row:
    """A review row as the map reads it, rebuilt from the cache key."""

    def __init__(self, slug, name, from_name, from_slug, to_name, to_slug, status):
        self.seam = _Seam(slug, name, _Team(from_name, from_slug), _Team(to_name, to_slug))
        self.status = status
