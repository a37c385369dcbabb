"""Places on an earlier app's page that later apps fill in.

The core may not name a later app, not even in a string (STYLE.md), yet some of its pages
show later apps' things: the Teams page shows the data-quality card and the guided start's
notice. So the page names a slot, and each later app registers, in its AppConfig.ready(), a
function that takes the request and returns the panel to show there (a template and its
context), or None to show nothing. The page renders what is registered, in the order the apps
are installed, with `{% panels "slot" %}` (common/templatetags/panels.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)


Contribution = Callable[[HttpRequest], Panel | None]

_slots: dict[str, list[Contribution]] = {}


def register(slot: str, contribution: Contribution) -> None:
    """Show what `contribution` returns in `slot`; registering the same function again (a
    second ready(), as in tests) changes nothing."""
    contributions = _slots.setdefault(slot, [])
    if contribution not in contributions:
        contributions.append(contribution)


def collect(slot: str, request: HttpRequest) -> list[Panel]:
    """The panels to show in `slot` for this request."""
    panels = (contribute(request) for contribute in _slots.get(slot, []))
    return [panel for panel in panels if panel is not None]
