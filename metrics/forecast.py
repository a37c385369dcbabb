"""The initiative forecast (DESIGN.md, leading signals): will each open dependency of an
initiative be delivered by its needed-by date, and will all of them?

Everything is counted in whole calendar days in the organisation's time zone (`TIME_ZONE`):
dependencies are asked for and delivered on days, so business hours would measure nothing here.

- **today** is the day the forecast is made: `at`, or the current local date.
- A dependency's **request date** is the local date of its `created_at` (when it was logged;
  history from other tools gives a past one). Its **age** = today - request date, in days
  (0 on the day it is logged).
- The dependencies forecast are the initiative's ones **open on today**: requested on or before
  it and not delivered by it. That is every one still requested, committed, in progress or at
  risk, and one delivered after today (so a past `at` sees what was open then). Missed and
  cancelled ones are finished, and their records don't say since when: they are never forecast.
  Every dependency has a needed-by date (the field is required).
- **Durations** (the history): for each dependency delivered on or before today on the same
  seam: `delivered_at` - its request date, in days.
- **Handoff lead times** (the fallback): for each handoff on the seam completed on or before
  today: the local date of `completed_at` - the local date of `submitted_at`, in days (calendar
  days, like the durations, not the business hours of `lead_hours`).
- **Conditioning on age.** A dependency still open at age `a` takes longer than `a` days, so it
  draws only from durations strictly longer than its age. With at least 10 such durations the
  basis is `"dependencies"`. With fewer, it is the seam's handoff lead times longer than its
  age (`"handoff lead times"`, and the note says so), when there is at least one. With none of
  those either (DESIGN.md: "none even then"), the dependency is **beyond history**: basis and
  chance are `null`, and the note says how few dependencies took that long.
- **Remaining time** = a sampled duration - age (at least one day: still open today, it is
  delivered tomorrow at the earliest); **delivery date** = today + remaining. On time = the
  delivery date is on or before the needed-by date.
- **Draws.** Each dependency draws `DRAWS` (10,000) durations, uniformly with replacement from
  its basis, from a generator seeded with its id: the same data gives the same answer. Its
  chance on time is the share of its draws on time; its 50/85/95 % delivery dates are those
  percentiles of its drawn delivery days (linear interpolation, DESIGN.md), rounded up to a
  whole day.
- **Joint.** Draw k of the initiative is draw k of every dependency together; the chance all
  are on time is the share of draws in which every forecast dependency is on time. Dependencies
  beyond history are left out of it, listed in `beyond_history` and named in the notes.
  Dependencies are drawn independently of each other.
- **Riskiest seam**: for each seam, the joint chance again with that seam's dependencies made
  certain (on time in every draw); the seam whose certainty raises it most, and by how much
  (`gain`). Ties go to the seam first by name. `null` when no seam raises it (all on time in
  every draw already, or nothing to forecast).
- **Dependencies without a seam** draw from everyone's history: every delivered dependency's
  duration, and every handoff's lead time as the fallback. They count in the joint chance but
  are no seam's, so they can't be the riskiest seam.
- **Histogram**: the latest delivery date across the forecast dependencies in each draw, in
  bins of whole days (at most `MAX_BINS` bins), for the initiative's page.

Queries: the initiative's open dependencies (1), the history durations of their seams, counted
per seam and day (1), and only when some dependency needs the fallback, the handoff lead times
of the seams that need it, counted per seam and day (1). Nothing is queried per dependency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from contracts.models import Initiative
from decisions.models import Dependency
from seams.models import Handoff, Seam

DRAWS = 10_000
ENOUGH = 10  # dependency durations longer than the age before the fallback is needed
MAX_BINS = 30
PERCENTILES = (50, 85, 95)
OPEN = (
    Dependency.Status.REQUESTED,
    Dependency.Status.COMMITTED,
    Dependency.Status.IN_PROGRESS,
    Dependency.Status.AT_RISK,
)
BASIS_DEPENDENCIES = "dependencies"
BASIS_HANDOFFS = "handoff lead times"
BEYOND_HISTORY = "beyond history"
ONE_DAY = timedelta(days=1)
EMPTY = np.empty(0, dtype=np.int64)

History = dict  # seam id (None: every seam's) → sorted durations in days, an int64 array


@dataclass
class DependencyForecast:
    dependency: Dependency
    age_days: int
    basis: str | None
    n: int
    note: str
    chance_on_time: float | None = None
    p50: date | None = None
    p85: date | None = None
    p95: date | None = None

    @property
    def seam(self) -> Seam | None:
        return self.dependency.seam


@dataclass
class SeamGain:
    seam: Seam
    gain: float


@dataclass
class HistogramBin:
    start: date
    end: date  # the bin's last day, inclusive
    draws: int


@dataclass
class Forecast:
    initiative: Initiative
    today: date
    draws: int
    dependencies: list[DependencyForecast]
    chance_all_on_time: float | None
    riskiest_seam: SeamGain | None
    histogram: list[HistogramBin]
    notes: list[str] = field(default_factory=list)

    @property
    def beyond_history(self) -> list[int]:
        return [f.dependency.pk for f in self.dependencies if f.basis is None]


# --- Reading the data (SQL) -------------------------------------------------------------------


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def open_on(today: date):
    """Every dependency open on `today` (module docstring): asked for by then, not delivered."""
    return Dependency.objects.filter(created_at__lt=start_of(today + ONE_DAY)).filter(
        Q(status__in=OPEN) | Q(status=Dependency.Status.DELIVERED, delivered_at__gt=today)
    )


def open_dependencies(initiative: Initiative, today: date) -> list[Dependency]:
    """The initiative's dependencies open on `today`, oldest need first."""
    return list(
        open_on(today)
        .filter(initiative=initiative)
        .select_related("seam", "consumer", "provider")
        .order_by("needed_by", "pk")
    )


def _history(rows) -> History:
    """(seam id, timedelta, count) rows, sorted by seam and days → sorted arrays per seam, and
    under None, every row pooled."""
    per_seam: dict = {}
    for seam_id, days, count in rows:
        per_seam.setdefault(seam_id, []).append((days.days, count))
    history = {
        seam_id: np.repeat(
            np.array([d for d, _ in pairs], dtype=np.int64),
            np.array([c for _, c in pairs], dtype=np.int64),
        )
        for seam_id, pairs in per_seam.items()
    }
    pooled = list(history.values())
    history[None] = np.sort(np.concatenate(pooled)) if pooled else np.empty(0, dtype=np.int64)
    return history


def dependency_durations(seam_ids: set[int] | None, today: date) -> History:
    """Request → delivery days of the dependencies delivered on or before `today`, counted per
    seam and day in SQL; `seam_ids` None reads every seam (and the seamless ones)."""
    delivered = Dependency.objects.filter(
        status=Dependency.Status.DELIVERED, delivered_at__isnull=False, delivered_at__lte=today
    )
    if seam_ids is not None:
        delivered = delivered.filter(seam_id__in=seam_ids)
    rows = (
        delivered.annotate(days=F("delivered_at") - TruncDate("created_at"))
        .values("seam_id", "days")
        .annotate(count=Count("pk"))
        .order_by("seam_id", "days")
        .values_list("seam_id", "days", "count")
    )
    return _history(rows)


def handoff_lead_times(seam_ids: set[int] | None, today: date) -> History:
    """Submitted → completed days (local dates) of the handoffs completed on or before
    `today`, counted per seam and day in SQL; `seam_ids` None reads every seam."""
    completed = Handoff.objects.filter(
        completed_at__isnull=False, completed_at__lt=start_of(today + ONE_DAY)
    )
    if seam_ids is not None:
        completed = completed.filter(seam_id__in=seam_ids)
    rows = (
        completed.annotate(days=TruncDate("completed_at") - TruncDate("submitted_at"))
        .values("seam_id", "days")
        .annotate(count=Count("pk"))
        .order_by("seam_id", "days")
        .values_list("seam_id", "days", "count")
    )
    return _history(rows)


# --- The numbers (numpy) ----------------------------------------------------------------------


def longer_than(durations: np.ndarray, age: int) -> np.ndarray:
    """The sorted durations strictly longer than `age`."""
    return durations[np.searchsorted(durations, age, side="right") :]


def draw_remaining(tail: np.ndarray, age: int, seed: int, draws: int = DRAWS) -> np.ndarray:
    """`draws` remaining times (days) for one dependency: durations drawn uniformly with
    replacement from `tail` by a generator seeded with `seed`, less the age."""
    rng = np.random.default_rng(seed)
    return tail[rng.integers(0, tail.size, size=draws)] - age


def joint_chance(on_time: np.ndarray) -> float | None:
    """The share of draws (columns) in which every dependency (row) is on time."""
    if on_time.shape[0] == 0:
        return None
    return float(on_time.all(axis=0).mean())


def riskiest_group(
    on_time: np.ndarray, groups: list, order: list | None = None
) -> tuple[object, float] | None:
    """The group (a seam) whose rows, made on time in every draw, raise the joint chance most,
    with the gain; rows whose group is None (no seam) can't be made certain. None when no group
    raises it. Ties go to the group first in `order` (by default, as first listed)."""
    keys = order if order is not None else list(dict.fromkeys(g for g in groups if g is not None))
    if on_time.shape[0] == 0 or not keys:
        return None
    late = ~on_time
    members = {key: [] for key in keys}
    seamless = []
    for row, group in enumerate(groups):
        (members[group] if group is not None else seamless).append(row)
    # late_in[k, draw]: some row of group k is late in that draw (the last row: no seam).
    late_in = np.zeros((len(keys) + 1, on_time.shape[1]), dtype=bool)
    for k, rows in enumerate([*members.values(), seamless]):
        if rows:
            late_in[k] = late[rows].any(axis=0)
    late_groups = late_in.sum(axis=0, dtype=np.int64)
    base = float((late_groups == 0).mean())
    # With group k certain, a draw is all on time when k was the only group late in it.
    gains = (late_groups[None, :] == late_in[:-1]).mean(axis=1) - base
    best = int(np.argmax(gains))
    if gains[best] <= 0:
        return None
    return keys[best], float(gains[best])


def percentile_days(remaining: np.ndarray, percentiles=PERCENTILES) -> np.ndarray:
    """Per row (a dependency's draws of whole days), the percentiles with linear interpolation
    (numpy's default, DESIGN.md), rounded up to whole days: shape (len(percentiles), rows).

    The draws are small whole numbers, so the order statistics are read from each row's
    cumulative counts rather than by partitioning 10,000 values per row."""
    rows, draws = remaining.shape
    low = int(remaining.min())
    width = int(remaining.max()) - low + 1
    flat = (remaining - low) + (np.arange(rows, dtype=np.int64) * width)[:, None]
    cumulative = np.bincount(flat.ravel(), minlength=rows * width).reshape(rows, width).cumsum(1)

    def order_statistic(k: int) -> np.ndarray:
        # The k-th smallest (from 0) of each row: the first value whose count passes k.
        return (cumulative <= k).sum(axis=1) + low

    found = []
    for q in percentiles:
        position = q / 100 * (draws - 1)
        k = math.floor(position)
        below = order_statistic(k)
        above = order_statistic(min(k + 1, draws - 1))
        found.append(np.ceil(below + (position - k) * (above - below) - 1e-9))
    return np.array(found, dtype=np.int64)


def histogram(latest: np.ndarray, today: date, max_bins: int = MAX_BINS) -> list[HistogramBin]:
    """Bins of whole days over the latest delivery day (days after today) of each draw."""
    if latest.size == 0:
        return []
    low, high = int(latest.min()), int(latest.max())
    width = max(1, math.ceil((high - low + 1) / max_bins))
    counts = np.bincount((latest - low) // width)
    return [
        HistogramBin(
            start=today + timedelta(days=low + k * width),
            end=today + timedelta(days=low + (k + 1) * width - 1),
            draws=int(count),
        )
        for k, count in enumerate(counts)
    ]


# --- The forecast -----------------------------------------------------------------------------


def _choose(
    dependency: Dependency,
    age: int,
    durations: History,
    lead_times: History | None,
) -> tuple[str | None, np.ndarray, str]:
    """The basis a dependency draws from, its samples and the note that says so."""
    key = dependency.seam_id
    own = longer_than(durations.get(key, EMPTY), age)
    if own.size >= ENOUGH:
        return BASIS_DEPENDENCIES, own, ""
    if lead_times is not None:
        handoffs = longer_than(lead_times.get(key, EMPTY), age)
        if handoffs.size:
            return (
                BASIS_HANDOFFS,
                handoffs,
                f"From handoff lead times: only {own.size} delivered "
                f"dependenc{'y' if own.size == 1 else 'ies'} took longer than {age} days.",
            )
    if own.size:
        return (
            None,
            EMPTY,
            f"Beyond history: only {own.size} delivered dependenc"
            f"{'y' if own.size == 1 else 'ies'} and no handoff took longer than {age} days.",
        )
    return None, EMPTY, f"Beyond history: nothing delivered took longer than {age} days."


# Long: one pass read top to bottom: the data, each dependency's basis and draws, the joint.
def forecast_initiative(
    *, initiative: Initiative, today: date | None = None, draws: int = DRAWS
) -> Forecast:
    """The forecast of `initiative` on `today` (the current local date by default)."""
    today = today or timezone.localdate()
    dependencies = open_dependencies(initiative, today)
    ages = [(today - timezone.localdate(d.created_at)).days for d in dependencies]
    seamless = any(d.seam_id is None for d in dependencies)
    seam_ids = None if seamless else {d.seam_id for d in dependencies}
    durations = dependency_durations(seam_ids, today) if dependencies else {}

    # The fallback is read only for the seams of dependencies short of history.
    short = {
        d.seam_id
        for d, age in zip(dependencies, ages, strict=True)
        if longer_than(durations.get(d.seam_id, EMPTY), age).size < ENOUGH
    }
    lead_times = None
    if short:
        lead_times = handoff_lead_times(None if None in short else short, today)

    forecasts, drawn, rows, slack, groups = [], [], [], [], []
    for dependency, age in zip(dependencies, ages, strict=True):
        basis, tail, note = _choose(dependency, age, durations, lead_times)
        forecasts.append(
            DependencyForecast(
                dependency=dependency, age_days=age, basis=basis, n=int(tail.size), note=note
            )
        )
        if basis is not None:
            rows.append(draw_remaining(tail, age, dependency.pk, draws))
            slack.append((dependency.needed_by - today).days)
            groups.append(dependency.seam_id)
            drawn.append(forecasts[-1])

    remaining = np.vstack(rows) if rows else np.empty((0, draws), dtype=np.int64)
    on_time = remaining <= np.array(slack, dtype=np.int64)[:, None]
    if rows:
        chances = on_time.mean(axis=1)
        days = percentile_days(remaining)
        for k, item in enumerate(drawn):
            item.chance_on_time = float(chances[k])
            item.p50, item.p85, item.p95 = (
                today + timedelta(days=int(days[j, k])) for j in range(len(PERCENTILES))
            )

    seams = {d.seam_id: d.seam for d in dependencies if d.seam_id is not None}
    by_name = sorted(seams, key=lambda pk: (seams[pk].name, pk))
    riskiest = riskiest_group(on_time, groups, order=[pk for pk in by_name if pk in groups])
    return Forecast(
        initiative=initiative,
        today=today,
        draws=draws,
        dependencies=forecasts,
        chance_all_on_time=joint_chance(on_time),
        riskiest_seam=SeamGain(seams[riskiest[0]], riskiest[1]) if riskiest else None,
        histogram=histogram(remaining.max(axis=0), today) if rows else [],
        notes=_notes(forecasts, today),
    )


def _notes(forecasts: list[DependencyForecast], today: date) -> list[str]:
    notes = []
    if not forecasts:
        notes.append(f"No dependency of this initiative is open on {today.isoformat()}.")
    beyond = [f for f in forecasts if f.basis is None]
    if beyond:
        titles = ", ".join(f"“{f.dependency.title}”" for f in beyond)
        notes.append(
            f"Beyond history, left out of the chance that all are on time: {titles}. "
            "Too little delivered on their seams took as long as they have been open."
        )
    fallback = sum(f.basis == BASIS_HANDOFFS for f in forecasts)
    if fallback:
        notes.append(
            f"{fallback} forecast from their seam's handoff lead times: fewer than {ENOUGH} "
            "delivered dependencies took longer than their age."
        )
    if any(f.dependency.seam_id is None for f in forecasts):
        notes.append(
            "Dependencies without a seam draw from every seam's history; they can't be the "
            "riskiest seam."
        )
    return notes
