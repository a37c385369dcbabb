"""Contract vs reality where the spec and the contract are read: the proposed response SLA
beside the contracted one, once the seam's pilot has ended, with a link to the drill-down's
panel where leaders propose the revision. Registered in slots of the seams and contracts pages
(common/panels.py), which may not name this app."""

from django.http import HttpRequest
from django.utils import timezone

from common.panels import Panel
from contracts.models import Contract
from metrics import reality, signals
from metrics.review_table import DRIFT_BADGES
from seams.models import Seam


def _slug(request: HttpRequest) -> str | None:
    match = request.resolver_match
    return match.kwargs.get("slug") if match else None


def spec_reality_panel(request: HttpRequest) -> Panel | None:
    """On the seam's handoff spec: its contracted and proposed response SLA, once the pilot
    has ended (the page has already checked the reader may see the seam)."""
    slug = _slug(request)
    seam = Seam.objects.select_related("spec", "calendar").filter(slug=slug).first()
    if seam is None:
        return None
    now = timezone.now()
    today = timezone.localdate(now)
    if not reality.pilot_ended(seam, today):
        return None
    found = signals.signals_for([seam], now)[seam.pk]
    line = _line(seam, found, today)
    return Panel("metrics/spec_reality.html", {"reality_line": line})


def contract_reality_panel(request: HttpRequest) -> Panel | None:
    """On a contract: one line per covered seam whose pilot has ended, contracted beside
    proposed, with its drift status if any; one signals_for call for all of them."""
    slug = _slug(request)
    contract = Contract.objects.filter(slug=slug).first()
    if contract is None:
        return None
    now = timezone.now()
    today = timezone.localdate(now)
    seams = [
        seam
        for seam in Seam.objects.filter(contracts=contract)
        .select_related("spec", "calendar")
        .order_by("name")
        .distinct()
        if reality.pilot_ended(seam, today)
    ]
    if not seams:
        return None
    found = signals.signals_for(seams, now)
    lines = [_line(seam, found[seam.pk], today) for seam in seams]
    return Panel("metrics/contract_reality.html", {"reality_lines": lines})


def _line(seam: Seam, found: signals.SeamSignals, today) -> dict:
    drift = found.drift.status if found.drift else None
    badge = DRIFT_BADGES.get(drift)
    return {
        "seam": seam,
        "reality": reality.reality_of(seam, found, today),
        "drift": {"look": badge[0], "words": badge[1], "meaning": badge[2]} if badge else None,
    }
