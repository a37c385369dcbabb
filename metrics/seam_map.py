"""The seam map: teams as nodes on a ring, each seam an arrow from the team that hands work over
to the team that receives it, coloured and shaped by its worst RAG status this month, linking
to its page. Drawn server-side as SVG, with a <title> on every arrow for screen readers."""

import math
from dataclasses import dataclass
from functools import lru_cache

from django.utils.safestring import SafeString

from metrics.svg import format_html, join

WIDTH, HEIGHT = 760, 440
NODE_W, NODE_H = 124, 34
STYLE = {
    # status: (stroke class, dash, width)
    "red": ("map-red", "", 2.75),
    "amber": ("map-amber", "7 4", 2.25),
    "green": ("map-green", "", 1.75),
    "nodata": ("map-nodata", "3 3", 1.5),
    "none": ("map-nodata", "3 3", 1.5),
}
ARROW_COLOURS = {
    "red": "#D92D20",
    "amber": "#B76E00",
    "green": "#1E8A4C",
    "nodata": "#8A91A0",
    "none": "#8A91A0",
}
LABELS = {
    "red": "red",
    "amber": "amber",
    "green": "green",
    "nodata": "no data",
    "none": "no target",
}


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


def render(rows) -> SafeString:
    """`rows` are the review's rows (seam, status). Returns the map's SVG ("" without seams)."""
    teams = {row.seam.from_team.name for row in rows} | {row.seam.to_team.name for row in rows}
    if not teams:
        return join([])
    edges = {(row.seam.from_team.name, row.seam.to_team.name) for row in rows}
    nodes = _layout(sorted(teams), edges)
    pairs: dict[tuple[str, str], int] = {}
    arrows, labels = [], []
    placed: list[tuple[float, float, float, float]] = []
    markers = join(
        format_html(
            '<marker id="arrow-{}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
            'markerHeight="6" orient="auto-start-reverse"><path d="M0 0 10 5 0 10z" fill="{}"/>'
            "</marker>",
            status,
            colour,
        )
        for status, colour in ARROW_COLOURS.items()
    )
    # Green first, red last, so the seams that hurt are drawn on top.
    order = {"none": 0, "nodata": 1, "green": 2, "amber": 3, "red": 4}
    for row in sorted(rows, key=lambda r: order[r.status]):
        source, target = nodes[row.seam.from_team.name], nodes[row.seam.to_team.name]
        key = tuple(sorted((source.name, target.name)))
        nth = pairs.get(key, 0)
        pairs[key] = nth + 1
        # Seams between the same two teams bow apart instead of overlapping.
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
        css, dash, width = STYLE[row.status]
        arrows.append(
            format_html(
                '<a href="{}"><g class="map-seam {}"><title>{}: {} to {}, {}</title>'
                '<path d="M{} {} Q{} {} {} {}" fill="none" stroke-width="{}" '
                'stroke-dasharray="{}" marker-end="url(#arrow-{})"/>'
                '<circle cx="{}" cy="{}" r="7" class="map-dot"/></g></a>',
                row.seam.get_absolute_url(),
                css,
                row.seam.name,
                row.seam.from_team.name,
                row.seam.to_team.name,
                LABELS[row.status],
                *(f"{v:.1f}" for v in (x1, y1, ctrl_x, ctrl_y, x2, y2)),
                width,
                dash or "none",
                row.status,
                f"{label_x:.1f}",
                f"{label_y:.1f}",
            )
        )
        if row.status in ("red", "amber"):  # named, on top of everything (a last pass)
            # Names read away from the ring's edge, so they keep clear of the team boxes.
            right = label_x > WIDTH / 2
            text_x = label_x + (-10 if right else 10)
            text_y = _free_line(placed, text_x, label_y + 4, len(row.seam.name), right)
            labels.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="{}" class="map-label map-label-{}">{}</text>',
                    f"{text_x:.1f}",
                    f"{text_y:.1f}",
                    "end" if right else "start",
                    row.status,
                    row.seam.name,
                )
            )
    boxes = join(
        format_html(
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
        for node in nodes.values()
    )
    return format_html(
        '<svg class="seam-map" viewBox="0 0 {} {}" role="img" aria-labelledby="seam-map-title">'
        '<title id="seam-map-title">Seam map: {} seams between {} teams, coloured by this '
        "month's status</title><defs>{}</defs>{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        len(rows),
        len(teams),
        markers,
        join(arrows),
        boxes,
        join(labels),
    )
