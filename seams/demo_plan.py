"""The demo's story, month by month, and the arithmetic that makes the data tell it.

Whatever day the demo is seeded, the month under review (the last full month) shows three red,
three amber and four green seams, and the two months before it set up last review's actions so
that some moved their metric, one moved it partly and some didn't move it at all. The other
months are drawn around each seam's usual level, from a generator seeded per month, so the same
day gives the same demo.

Each full month's handoffs are placed so that everything the month's metrics count happens in
that month: a handoff's start, its SLA deadline and its completion. The queue times are built
so that their p85 (linear interpolation, as the engine computes it) is exactly the planned
value and exactly the planned number of them wait past the SLA; rework, decision latency and
escalations are planned the same way.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays
from django.utils import timezone

SEED = 2026
EPS = 0.25  # business hours kept clear of a month's edges


@dataclass(frozen=True)
class MonthPlan:
    """What one seam's month should measure. None: let the draw decide."""

    queue_p85: float  # business hours
    breaches: int | None = None  # handoffs that start after their SLA deadline
    returned: int | None = None  # handoffs sent back at least once (rework)
    decision_p85: float | None = None  # business hours from request to decision
    escalations: int | None = None


@dataclass(frozen=True)
class Profile:
    """A seam's usual month, around which the months outside the story are drawn."""

    handoffs: int  # a month
    work: float  # median business hours from start to completion
    rework: float  # share returned at least once
    queue: tuple[float, float]  # range of a month's queue p85
    decisions: int  # decided a month
    latency: tuple[float, float]  # range of a month's decision latency p85
    escalations: float  # a month, on average


PROFILES = {
    "Custom integration intake": Profile(22, 20, 0.16, (12, 30), 3, (30, 80), 2.5),
    "Security sign-off": Profile(18, 30, 0.10, (45, 90), 3, (36, 64), 2.0),
    "Environment provisioning": Profile(26, 12, 0.10, (10, 22), 2, (14, 30), 1.5),
    "Contract language": Profile(12, 24, 0.14, (26, 44), 2, (40, 90), 0.5),
    "Pricing approval": Profile(30, 6, 0.05, (5, 11), 4, (20, 50), 0.7),
    "MQL handoff": Profile(60, 8, 0.08, (2.5, 4.5), 2, (8, 20), 0.3),
    "Feature spec handoff": Profile(16, 16, 0.07, (9, 15), 2, (14, 28), 0.15),
    "Redline turnaround": Profile(14, 12, 0.07, (16, 32), 1, (20, 40), 0.3),
    "Access review": Profile(20, 4, 0.02, (4, 7.5), 2, (4, 10), 0.15),
    "Release handover": Profile(8, 8, 0.05, (4, 7), 1, (6, 12), 0.0),
}

# The story: (the month under review, the month before, the month before that).
# Under review: red = Custom integration intake, Security sign-off, Environment provisioning;
# amber = Contract language (rework), Pricing approval (decision latency), MQL handoff (rework);
# green = the other four. The month before: Security sign-off, Pricing approval and Redline
# turnaround red, Custom integration intake (escalations) and Environment provisioning (rework)
# amber: the five seams last review agreed actions on.
STORY = {
    "Custom integration intake": (
        MonthPlan(38.5, breaches=6, returned=6, decision_p85=70, escalations=5),
        MonthPlan(15, breaches=2, returned=3, decision_p85=40, escalations=3),
        MonthPlan(14, breaches=1, returned=2, decision_p85=36, escalations=2),
    ),
    "Security sign-off": (
        MonthPlan(66, breaches=5, returned=2, decision_p85=53, escalations=3),
        MonthPlan(84, breaches=6, returned=2, decision_p85=60, escalations=4),
        MonthPlan(92, breaches=7, returned=1, decision_p85=58, escalations=4),
    ),
    "Environment provisioning": (
        MonthPlan(26, breaches=6, returned=3, decision_p85=20, escalations=4),
        MonthPlan(14, breaches=1, returned=3, decision_p85=18, escalations=2),
        MonthPlan(12, breaches=1, returned=2, decision_p85=16, escalations=1),
    ),
    "Contract language": (
        MonthPlan(30, breaches=1, returned=2, decision_p85=50, escalations=1),
        MonthPlan(28, breaches=0, returned=1, decision_p85=60, escalations=1),
        MonthPlan(34, breaches=1, returned=2, decision_p85=66, escalations=0),
    ),
    "Pricing approval": (
        MonthPlan(6.5, breaches=2, returned=1, decision_p85=26.5, escalations=2),
        MonthPlan(11, breaches=6, returned=2, decision_p85=46, escalations=3),
        MonthPlan(10.5, breaches=6, returned=1, decision_p85=40, escalations=1),
    ),
    "MQL handoff": (
        MonthPlan(3.2, breaches=3, returned=7, decision_p85=10, escalations=1),
        MonthPlan(3.0, breaches=2, returned=4, decision_p85=12, escalations=1),
        MonthPlan(3.4, breaches=3, returned=5, decision_p85=14, escalations=0),
    ),
    "Feature spec handoff": (
        MonthPlan(11, breaches=1, returned=1, decision_p85=18, escalations=1),
        MonthPlan(12, breaches=1, returned=1, decision_p85=20, escalations=0),
        MonthPlan(13, breaches=1, returned=1, decision_p85=22, escalations=0),
    ),
    "Redline turnaround": (
        MonthPlan(18, breaches=0, returned=1, decision_p85=30, escalations=0),
        MonthPlan(34, breaches=4, returned=1, decision_p85=34, escalations=1),
        MonthPlan(29, breaches=3, returned=1, decision_p85=28, escalations=1),
    ),
    "Access review": (
        MonthPlan(5.5, breaches=1, returned=0, decision_p85=6, escalations=0),
        MonthPlan(6, breaches=1, returned=0, decision_p85=7, escalations=1),
        MonthPlan(6, breaches=1, returned=1, decision_p85=8, escalations=0),
    ),
    "Release handover": (
        MonthPlan(5, breaches=0, returned=0, decision_p85=8, escalations=0),
        MonthPlan(5.5, breaches=0, returned=0, decision_p85=9, escalations=0),
        MonthPlan(5, breaches=0, returned=1, decision_p85=7, escalations=0),
    ),
}
MONTHS_BACK = 12  # full months of history before the current one


# --- Months and working days -------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(month, time.min, tzinfo=zone),
        datetime.combine(add_months(month, 1), time.min, tzinfo=zone),
    )


def demo_months(today: date) -> list[tuple[int, date]]:
    """(months back, month) from the oldest to the current one (0)."""
    current = month_start(today)
    return [(k, add_months(current, -k)) for k in range(MONTHS_BACK, -1, -1)]


def plan_for(seam: str, back: int, rng: random.Random) -> MonthPlan:
    """The story's month `back` months ago (1 = the month under review), else a drawn one."""
    if 1 <= back <= len(STORY[seam]):
        return STORY[seam][back - 1]
    profile = PROFILES[seam]
    return MonthPlan(
        queue_p85=round(rng.uniform(*profile.queue), 1),
        decision_p85=round(rng.uniform(*profile.latency), 1),
    )


_UK_HOLIDAYS: dict[int, holidays.HolidayBase] = {}


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a holiday in England."""
    if day.year not in _UK_HOLIDAYS:
        _UK_HOLIDAYS[day.year] = holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    return day.weekday() < 5 and day not in _UK_HOLIDAYS[day.year]


def working_day(day: date, *, back: bool = False) -> date:
    """`day` if it is a working day, else the next one (the previous one with `back`)."""
    step = timedelta(days=-1 if back else 1)
    while not is_working_day(day):
        day += step
    return day


def working_days_from(day: date, n: int) -> date:
    """The working day n working days after `day` (before it when n < 0); 0 is `day` itself,
    moved to a working day."""
    step = 1 if n >= 0 else -1
    day = working_day(day, back=n < 0)
    for _ in range(abs(n)):
        day = working_day(day + timedelta(days=step), back=n < 0)
    return day


# --- Samples with a planned p85 ------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Continuous percentile with linear interpolation (the engine's)."""
    ordered = sorted(values)
    index = q * (len(ordered) - 1)
    low = math.floor(index)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (index - low) * (ordered[high] - ordered[low])


def sample(
    rng: random.Random,
    n: int,
    p85: float,
    *,
    limit: float | None = None,
    over: int | None = None,
    spread: float = 0.7,
) -> list[float]:
    """n positive values, shuffled, whose p85 is `p85`; with `limit` and `over`, exactly
    `over` of them are above `limit` (a queue past its SLA), the rest at most 97 % of it."""
    if n == 1:
        return [p85]
    raw = sorted(rng.lognormvariate(0, spread) for _ in range(n))
    gap = 0.06 * p85
    for _ in range(12):
        values = _shape(raw, p85, gap, limit, over)
        if limit is None or over is None:
            break
        if (
            sum(1 for v in values if v > limit) == over
            and abs(percentile(values, 0.85) - p85) < 1e-6
        ):
            break
        gap /= 2
    else:
        raise ValueError(f"Can't plan {n} values with p85 {p85} and {over} above {limit}.")
    rng.shuffle(values)
    return values


def _shape(raw: list[float], p85: float, gap: float, limit, over) -> list[float]:
    """Values in the order of `raw` (sorted), the pair around the 85th percentile `gap` apart
    and interpolating to exactly `p85`; then, with a limit, moved across it as planned."""
    n = len(raw)
    index = 0.85 * (n - 1)
    f, frac = math.floor(index), index - math.floor(index)
    c = min(f + 1, n - 1)
    x_f, x_c = p85 - gap * frac, p85 + gap * (1 - frac)
    if c == f:
        x_f = x_c = p85
    values = [0.0] * n
    values[f], values[c] = x_f, x_c
    for i in range(f):  # below the p85 pair, shaped like the draw
        values[i] = x_f * raw[i] / raw[f] * 0.98
    top = max(x_c * 1.8, x_c + 4)
    for i in range(c + 1, n):  # above it, with a capped tail
        values[i] = min(x_c * raw[i] / raw[c] * 1.02 + 0.01 * i, top)
    if limit is None or over is None:
        return values
    first = n - over  # positions from here on wait past the limit
    low_cap, high_floor = limit * 0.97, limit * 1.03
    for i in range(n):
        if i in (f, c):
            continue
        if i < first and values[i] > low_cap:
            values[i] = max(low_cap - 0.05 * (first - i), 0.1)
        elif i >= first and values[i] <= high_floor:
            values[i] = high_floor + 0.05 * (i - first)
    if first < f:  # waiting past the limit below the p85 pair: between the limit and x_f
        lower = range(first, f)
        for j, i in enumerate(lower):
            values[i] = high_floor + (x_f - high_floor) * (j + 1) / (len(lower) + 1)
    if first > c + 1:  # not waiting past it above the pair: between x_c and the limit
        upper = range(c + 1, first)
        for j, i in enumerate(upper):
            values[i] = x_c + (low_cap - x_c) * (j + 1) / (len(upper) + 1)
    return [max(v, 0.1) for v in values]


def take(rng: random.Random, n: int, k: int) -> set[int]:
    """k distinct indices of n."""
    return set(rng.sample(range(n), min(k, n)))


def poisson(rng: random.Random, mean: float) -> int:
    """A small Poisson draw (Knuth)."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# --- Business hours backwards and within a month ------------------------------------------------


@dataclass
class MonthClock:
    """A month on one calendar: business hours from its start, and back across its start."""

    calendar: object
    month: date

    def __post_init__(self) -> None:
        self.start, self.end = month_bounds(self.month)
        self.anchor = month_bounds(add_months(self.month, -2))[0]
        self.hours = self.calendar.business_hours_between(self.start, self.end)
        self.before = self.calendar.business_hours_between(self.anchor, self.start)

    def at(self, offset: float) -> datetime:
        """The instant `offset` business hours into the month (negative: before it)."""
        if offset >= 0:
            return self.calendar.add_business_hours(self.start, offset)
        return self.calendar.add_business_hours(self.anchor, self.before + offset)


def month_rng(seam: str, month: date, what: str) -> random.Random:
    """A generator for one seam, month and kind of data: the same day gives the same demo, and
    one month's draw doesn't shift with another's."""
    return random.Random(f"{SEED}:{seam}:{month:%Y-%m}:{what}")
