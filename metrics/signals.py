"""The leading signals of DESIGN.md (what to act on this week), per seam at an instant T.

Everything is set-based: a handful of queries cover every seam asked for, the same ORM code on
PostgreSQL and SQLite. The only per-calendar Python is one `clock_hours(rules, T)` per calendar
(and per month end for drift): a business-hour duration up to T is that clock minus a clock
stored on the row (`Handoff.submitted_clock`, `HandoffReturn.returned_clock`), so no calendar is
walked per item.

- Work item age at T: started → clock(T) - submitted_clock; not started → the same less the
  business hours of the pauses closed by T (their `pause_hours`) and, while it waits on its
  sender at T, less clock(T) - the open pause's `returned_clock` (its age stays frozen at the
  pause's start). Pauses are `[returned_at, resubmitted_at)` of the returns that pause.
- At risk: not started, not waiting, with SLA hours; elapsed ≥ 75 % of them (inclusive) and the
  deadline strictly after T. The business hours left until the deadline are sla - elapsed.
- SLEs: percentiles of the stored `queue_hours` / `lead_hours` over [T - 90 days, T).
- Proposed response SLA: the queue p85 over the pilot (else the last 90 days), rounded up.
- Drift: the trailing-90-day queue p85 at the last two month ends against the spec's SLA.

An instant "before T" is strictly before it: started at T means started_at < T, and the same
for submitted and completed, as the monthly metrics cut off months.
"""

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from common.months import month_start, previous_month
from metrics.percentile import Percentile
from seams.business_time import clock_hours
from seams.models import Handoff, Seam

# What the API and pages show: hours to 0.01 (clients compare to 0.01 h).
SHOWN = Decimal("0.01")
# What clocks are stored to (Handoff.submitted_clock and friends).
STORED = Decimal("0.0001")
WINDOW = timedelta(days=90)
SLE_FRACTIONS = {"p50": 0.5, "p70": 0.7, "p85": 0.85, "p95": 0.95}
SLE_MIN_N = 20
AT_RISK_SHARE = Decimal("0.75")
DRIFT_ABOVE = Decimal("1.2")
DRIFT_BELOW = Decimal("0.5")
NOT_MET, SLACK = "not_met", "slack"
HOURS = DecimalField(max_digits=16, decimal_places=4)


# --- Results ------------------------------------------------------------------------------------


class OpenItem(NamedTuple):
    """A handoff open at T: submitted before it and not completed before it. (A named tuple:
    a seam can have thousands, and building one is cheap.)"""

    id: int
    seam_id: int
    title: str
    external_id: str
    state: str  # "submitted", "waiting" (on its sender) or "started"
    age_hours: Decimal | None  # None only for a row whose clock isn't stamped yet


class AtRiskItem(NamedTuple):
    """A handoff not started at T whose response deadline is near: `breaches_in_hours` is the
    business time left until it."""

    id: int
    seam_id: int
    title: str
    external_id: str
    sla_hours: Decimal
    elapsed_hours: Decimal
    breaches_in_hours: Decimal


@dataclass(frozen=True)
class Sle:
    """A service level expectation: percentiles of the durations of n items (all None below
    SLE_MIN_N items)."""

    n: int
    p50: Decimal | None = None
    p70: Decimal | None = None
    p85: Decimal | None = None
    p95: Decimal | None = None

    def as_dict(self) -> dict:
        return {"p50": self.p50, "p70": self.p70, "p85": self.p85, "p95": self.p95, "n": self.n}


@dataclass(frozen=True)
class DriftPoint:
    """The trailing-90-day queue p85 at one month end (None below SLE_MIN_N started)."""

    month_end: datetime
    queue_p85_hours: Decimal | None
    n: int


@dataclass(frozen=True)
class Drift:
    """`status`: NOT_MET, SLACK or None, from the two points (older first)."""

    status: str | None
    response_sla_hours: Decimal | None
    points: tuple[DriftPoint, ...]


@dataclass(frozen=True)
class ProposedSla:
    """The response SLA reality supports: `hours` (None below SLE_MIN_N started) from the queue
    p85 over [start, end); `basis` is "pilot" or "last_90_days"."""

    hours: int | None
    basis: str
    start: datetime
    end: datetime
    n: int
    queue_p85_hours: Decimal | None


@dataclass(frozen=True)
class SeamSignals:
    seam_id: int
    at: datetime
    seam_slug: str = ""
    open_items: list[OpenItem] = field(default_factory=list)
    at_risk: list[AtRiskItem] = field(default_factory=list)
    queue_sle: Sle = Sle(n=0)
    lead_sle: Sle = Sle(n=0)
    proposed_response_sla: ProposedSla | None = None
    drift: Drift | None = None

    @property
    def proposed_response_sla_hours(self) -> int | None:
        return self.proposed_response_sla.hours if self.proposed_response_sla else None


# --- Pure rules (tested without a database) ----------------------------------------------------


def shown_hours(value: float | Decimal | None) -> Decimal | None:
    """Hours as shown and served: a Decimal to 0.01 (half up); None stays None."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(SHOWN, rounding=ROUND_HALF_UP)


def sle_from(n: int, percentiles: dict[str, float | Decimal | None]) -> Sle:
    """An SLE from n and its percentiles by name (p50 …): every percentile None when n is
    below SLE_MIN_N."""
    if n < SLE_MIN_N:
        return Sle(n=n)
    return Sle(n=n, **{name: shown_hours(percentiles.get(name)) for name in SLE_FRACTIONS})


def proposed_hours(n: int, p85: float | Decimal | None) -> int | None:
    """The queue p85 as shown (to 0.01 h), rounded up to a whole hour: 12.01 → 13, 12.00 → 12;
    None below SLE_MIN_N started handoffs."""
    shown = shown_hours(p85)
    if n < SLE_MIN_N or shown is None:
        return None
    return math.ceil(shown)


def drift_status(p85s: Iterable[Decimal | None], response_sla: Decimal | None) -> str | None:
    """NOT_MET when every p85 (two consecutive month ends) is strictly above 1.2 × the SLA,
    SLACK when every one is strictly below 0.5 × it, else None (also without an SLA or with a
    month end lacking a p85)."""
    p85s = list(p85s)
    if not response_sla or not p85s or any(p is None for p in p85s):
        return None
    if all(p > DRIFT_ABOVE * response_sla for p in p85s):
        return NOT_MET
    if all(p < DRIFT_BELOW * response_sla for p in p85s):
        return SLACK
    return None


def at_risk_numbers(
    elapsed: Decimal | None, sla_hours: Decimal | None
) -> tuple[Decimal, Decimal] | None:
    """(elapsed, business hours left) for a handoff not started and not waiting, when it is at
    risk: SLA hours known, elapsed ≥ 75 % of them (inclusive) and the deadline strictly after T
    (hours left > 0). Both are exact decimals to the stored 0.0001, so 75 % is exact."""
    if elapsed is None or not sla_hours:
        return None
    left = sla_hours - elapsed
    if left <= 0 or elapsed < AT_RISK_SHARE * sla_hours:
        return None
    return elapsed, left


def month_ends(at: datetime, count: int = 2) -> list[datetime]:
    """The last `count` month ends at or before `at` (the organisation's months), oldest first."""
    zone = timezone.get_default_timezone()
    month = month_start(timezone.localtime(at, zone).date())
    ends = []
    for _ in range(count):
        ends.append(local_midnight(month))
        month = previous_month(month)
    return sorted(ends)


def trailing_window(end: datetime) -> tuple[datetime, datetime]:
    """[end - 90 days, end), the 90 days counted on the organisation's wall clock."""
    zone = timezone.get_default_timezone()
    local = timezone.localtime(end, zone).replace(tzinfo=None)
    return timezone.make_aware(local - WINDOW, zone), end


def local_midnight(day: date) -> datetime:
    """The start of a day in the organisation's time zone."""
    zone = timezone.get_default_timezone()
    return timezone.make_aware(datetime(day.year, day.month, day.day), zone)


# What `at` may be: an ISO 8601 date-time (or a date: its midnight) in 2000-2099 as written. A
# future instant projects the open work forward as if nothing were started meanwhile.
FIRST_YEAR, LAST_YEAR = 2000, 2099
INSTANT_EXAMPLE = "2026-12-03T10:00, 2026-12-03T10:00:00Z or 2026-12-03"
_INSTANT_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-][0-9:]+)?)?", re.IGNORECASE)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant as an aware datetime (naive ones in the organisation's time zone; a
    date alone is its midnight there). ValueError says what's wrong: not ISO 8601, no such
    instant, before 2000 or after 2099."""
    text = text.strip()
    shown = text[:30].replace("\x00", "")
    if len(text) > 40 or not _INSTANT_SHAPE.fullmatch(text):
        raise ValueError(
            f"An instant is written in ISO 8601, like {INSTANT_EXAMPLE}; “{shown}” isn't."
        )
    try:
        instant = parse_datetime(text)
        day = None if instant else parse_date(text)
    except ValueError as exc:
        raise ValueError(f"There is no instant “{shown}”.") from exc
    if day is not None:
        instant = datetime(day.year, day.month, day.day)
    if instant is None:
        raise ValueError(
            f"An instant is written in ISO 8601, like {INSTANT_EXAMPLE}; “{shown}” isn't."
        )
    if instant.year < FIRST_YEAR:
        raise ValueError(f"Seamline keeps handoffs from {FIRST_YEAR} on; “{shown}” is before that.")
    if instant.year > LAST_YEAR:
        raise ValueError(f"“{shown}” is too far ahead: give an instant before {LAST_YEAR + 1}.")
    if timezone.is_naive(instant):
        instant = timezone.make_aware(instant, timezone.get_default_timezone())
    return instant


# --- Queries ------------------------------------------------------------------------------------


def _seams(seams) -> list[Seam]:
    """The seams with their calendar (and holidays) and spec, whatever form they came in.
    Seams sharing a calendar share one instance of it, so its rules are built once."""
    if isinstance(seams, QuerySet):
        ids = list(seams.values_list("pk", flat=True))
    else:
        ids = [s.pk if isinstance(s, Seam) else s for s in seams]
    found = list(
        Seam.objects.filter(pk__in=ids).select_related("calendar", "spec").order_by("name", "pk")
    )
    calendars = {seam.calendar_id: seam.calendar for seam in found}
    prefetch_related_objects(list(calendars.values()), "holidays")
    for seam in found:
        seam.calendar = calendars[seam.calendar_id]
    return found


def _clock(rules, instant: datetime) -> Decimal:
    return Decimal(str(clock_hours(rules, instant))).quantize(STORED)


def _clock_by_seam(seams: list[Seam], at: datetime):
    """clock(T) for each seam's rows: one `clock_hours` per calendar, as a CASE on seam_id."""
    by_calendar: dict[int, list[int]] = defaultdict(list)
    calendars = {}
    for seam in seams:
        by_calendar[seam.calendar_id].append(seam.pk)
        calendars[seam.calendar_id] = seam.calendar
    whens = [
        When(seam_id__in=ids, then=Value(_clock(calendars[cal].working_time(), at), HOURS))
        for cal, ids in by_calendar.items()
    ]
    return Case(*whens, default=Value(None, HOURS), output_field=HOURS)


def open_at(seams: list[Seam], at: datetime) -> QuerySet:
    """Handoffs on these seams open at `at`, with `age_hours` (to 0.0001), `is_started` and
    `open_pauses` (1 while it waits on its sender at `at`) annotated.

    Its pausing returns by T are joined once (no correlated subquery per item): a closed pause
    counts its stored hours, the one open at T counts clock(T) - its returned_clock, so a
    waiting item's age stays at what it was when the pause began."""
    clock = _clock_by_seam(seams, at)
    closed = Q(pause__resubmitted_at__lte=at)
    paused = Sum(
        Case(
            When(closed, then=Coalesce(F("pause__pause_hours"), Value(0, HOURS))),
            default=clock - F("pause__returned_clock"),
            output_field=HOURS,
        )
    )
    return (
        Handoff.objects.filter(seam_id__in=[s.pk for s in seams], submitted_at__lt=at)
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=at))
        .order_by()
        .annotate(
            pause=FilteredRelation(
                "returns", condition=Q(returns__pauses=True, returns__returned_at__lte=at)
            )
        )
        .annotate(
            is_started=Q(started_at__lt=at),
            open_pauses=Count("pause__pk", filter=~closed),
            paused=Coalesce(paused, Value(0, HOURS)),
            # The same on every joined row; taken as an aggregate so the rows are grouped by
            # the handoff alone, not by this expression too.
            since_submitted=Max(clock - F("submitted_clock"), output_field=HOURS),
        )
        .annotate(
            age_hours=Case(
                When(is_started=True, then=F("since_submitted")),
                default=F("since_submitted") - F("paused"),
                output_field=HOURS,
            ),
        )
    )


def _open_items(
    seams: list[Seam], at: datetime
) -> list[tuple[OpenItem, Decimal | None, Decimal | None]]:
    """Each open item (its age as shown) with its age to 0.0001 and its SLA hours, oldest
    first."""
    oldest_first = (F("age_hours").desc(nulls_last=True), "pk")
    rows = (
        open_at(seams, at)
        .order_by(*oldest_first)
        .values_list(
            "pk",
            "seam_id",
            "title",
            "external_id",
            "is_started",
            "open_pauses",
            "age_hours",
            "sla_hours",
        )
    )
    found = []
    for pk, seam_id, title, ext, started, waiting, age, sla in rows:
        state = "started" if started else "waiting" if waiting else "submitted"
        if age is not None and not isinstance(age, Decimal):  # SQLite hands back a float
            age = Decimal(str(age)).quantize(STORED)
        shown = None if age is None else age.quantize(SHOWN, rounding=ROUND_HALF_UP)
        item = OpenItem(pk, seam_id, title, ext, state, shown)
        found.append((item, age, sla))
    return found


def _at_risk(items: list[tuple[OpenItem, Decimal | None, Decimal | None]]) -> list[AtRiskItem]:
    risky = []
    for item, age, sla in items:
        if item.state != "submitted":
            continue
        numbers = at_risk_numbers(age, sla)
        if numbers is None:
            continue
        elapsed, left = numbers
        risky.append(
            AtRiskItem(
                id=item.id,
                seam_id=item.seam_id,
                title=item.title,
                external_id=item.external_id,
                sla_hours=shown_hours(sla),
                elapsed_hours=shown_hours(elapsed),
                breaches_in_hours=shown_hours(left),
            )
        )
    return sorted(risky, key=lambda r: (r.breaches_in_hours, r.id))


def _percentiles(column: str, when: Q | None = None, prefix: str = "") -> dict:
    return {
        f"{prefix}{name}": Percentile(column, fraction, filter=when)
        for name, fraction in SLE_FRACTIONS.items()
    }


def _queue_stats(ids: list[int], at: datetime, ends: list[datetime]) -> dict[int, dict]:
    """One pass over the handoffs started in the earliest window to T: the queue SLE over
    [T - 90 d, T) and the p85 over the 90 days before each month end."""
    windows = {
        "sle": trailing_window(at),
        **{f"e{i}": trailing_window(e) for i, e in enumerate(ends)},
    }
    first = min(start for start, _ in windows.values())
    aggregates = {}
    for key, (start, end) in windows.items():
        when = Q(started_at__gte=start, started_at__lt=end)
        aggregates[f"{key}_n"] = Count("queue_hours", filter=when)
        if key == "sle":
            aggregates |= _percentiles("queue_hours", when, "sle_")
        else:
            aggregates[f"{key}_p85"] = Percentile("queue_hours", 0.85, filter=when)
    rows = (
        Handoff.objects.filter(seam_id__in=ids, started_at__gte=first, started_at__lt=at)
        .values("seam_id")
        .annotate(**aggregates)
    )
    return {row["seam_id"]: row for row in rows}


def _lead_stats(ids: list[int], at: datetime) -> dict[int, dict]:
    start, end = trailing_window(at)
    rows = (
        Handoff.objects.filter(seam_id__in=ids, completed_at__gte=start, completed_at__lt=end)
        .values("seam_id")
        .annotate(n=Count("lead_hours"), **_percentiles("lead_hours"))
    )
    return {row["seam_id"]: row for row in rows}


def pilot_window(seam: Seam, at: datetime) -> tuple[datetime, datetime] | None:
    """[pilot start, review date) in the organisation's time zone, cut at `at`; None when the
    seam has no pilot dates or its pilot starts at or after `at`."""
    if not seam.pilot_started_on:
        return None
    start = local_midnight(seam.pilot_started_on)
    review = seam.pilot_review_on or seam.pilot_started_on + timedelta(days=Seam.PILOT_DAYS)
    end = min(local_midnight(review), at)
    return (start, end) if start < end else None


def _pilot_stats(seams: list[Seam], at: datetime) -> dict[int, dict]:
    windows = {seam.pk: w for seam in seams if (w := pilot_window(seam, at))}
    if not windows:
        return {}
    inside = Q(
        *(
            Q(seam_id=seam_id, started_at__gte=start, started_at__lt=end)
            for seam_id, (start, end) in windows.items()
        ),
        _connector=Q.OR,
    )
    rows = (
        Handoff.objects.filter(inside)
        .values("seam_id")
        .annotate(n=Count("queue_hours"), p85=Percentile("queue_hours", 0.85))
    )
    found = {row["seam_id"]: row for row in rows}
    return {
        seam_id: {"window": window, **found.get(seam_id, {"n": 0, "p85": None})}
        for seam_id, window in windows.items()
    }


def _proposed(seam: Seam, at: datetime, queue: dict, pilot: dict) -> ProposedSla:
    if seam.pk in pilot:
        row = pilot[seam.pk]
        (start, end), n, p85, basis = row["window"], row["n"], row["p85"], "pilot"
    else:
        (start, end), basis = trailing_window(at), "last_90_days"
        n, p85 = queue.get("sle_n", 0), queue.get("sle_p85")
    return ProposedSla(
        hours=proposed_hours(n, p85),
        basis=basis,
        start=start,
        end=end,
        n=n,
        queue_p85_hours=shown_hours(p85) if n >= SLE_MIN_N else None,
    )


def _drift(seam: Seam, ends: list[datetime], queue: dict) -> Drift:
    spec = getattr(seam, "spec", None)
    sla = spec.response_sla_hours if spec else None
    points = []
    for i, end in enumerate(ends):
        n = queue.get(f"e{i}_n", 0)
        p85 = shown_hours(queue.get(f"e{i}_p85")) if n >= SLE_MIN_N else None
        points.append(DriftPoint(month_end=end, queue_p85_hours=p85, n=n))
    return Drift(
        status=drift_status((p.queue_p85_hours for p in points), sla),
        response_sla_hours=sla,
        points=tuple(points),
    )


# --- Public functions ---------------------------------------------------------------------------


def signals_for(seams: Iterable[Seam | int], at: datetime | None = None) -> dict[int, SeamSignals]:
    """The leading signals of these seams (Seam objects, ids or a queryset) at `at` (an aware
    instant; now when None), by seam id, in seam-name order."""
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("signals are computed at an aware instant")
    seams = _seams(seams)
    if not seams:
        return {}
    ids = [seam.pk for seam in seams]
    ends = month_ends(at)
    items = _open_items(seams, at)
    queue = _queue_stats(ids, at, ends)
    lead = _lead_stats(ids, at)
    pilot = _pilot_stats(seams, at)
    items_by_seam: dict[int, list] = defaultdict(list)
    for row in items:
        items_by_seam[row[0].seam_id].append(row)
    result = {}
    for seam in seams:
        mine = items_by_seam.get(seam.pk, [])
        q, ld = queue.get(seam.pk, {}), lead.get(seam.pk, {})
        result[seam.pk] = SeamSignals(
            seam_id=seam.pk,
            at=at,
            seam_slug=seam.slug,
            open_items=[item for item, _, _ in mine],
            at_risk=_at_risk(mine),
            queue_sle=sle_from(
                q.get("sle_n", 0), {name: q.get(f"sle_{name}") for name in SLE_FRACTIONS}
            ),
            lead_sle=sle_from(ld.get("n", 0), ld),
            proposed_response_sla=_proposed(seam, at, q, pilot),
            drift=_drift(seam, ends, q),
        )
    return result


def drift_for(seams: Iterable[Seam | int], at: datetime | None = None) -> dict[int, Drift]:
    """Only the drift of these seams at `at` (now when None), by seam id: what the review's rows
    show, without the open items, SLEs and pilots `signals_for` reads as well."""
    at = at or timezone.now()
    seams = _seams(seams)
    if not seams:
        return {}
    ends = month_ends(at)
    queue = _queue_stats([seam.pk for seam in seams], at, ends)
    return {seam.pk: _drift(seam, ends, queue.get(seam.pk, {})) for seam in seams}


def at_risk_handoffs(
    at: datetime | None = None, seams: Iterable[Seam | int] | None = None
) -> list[AtRiskItem]:
    """Every at-risk handoff across these seams (all when None) at `at` (now when None), the
    soonest to breach first: the ops "Today" list."""
    at = at or timezone.now()
    seams = _seams(Seam.objects.all() if seams is None else seams)
    if not seams:
        return []
    return _at_risk(_open_items(seams, at))
