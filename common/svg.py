"""Inline SVG and HTML fragments, built safely: every piece comes from `format_html`, which
escapes its arguments, and pieces are joined by `join`, which escapes anything that is not
already safe. Nothing here marks text safe by hand.

The chart convention, for every app: a chart is drawn in Python, geometry and markup together,
from these helpers (the monthly charts, the seam map, the escalation Pareto); a template only places
the finished drawing (`{{ chart.svg }}`) and any HTML around it (legends, a figures table).
Why: one escaping rule for every attribute and label, numbers formatted the same way whatever
the locale, and drawings testable and cacheable without a template engine.
"""

from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

__all__ = ["format_html", "join"]


def join(parts: Iterable) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))
