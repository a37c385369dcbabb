"""The metric catalogue: every field of a monthly seam snapshot, in one place.

For each of DESIGN.md's snapshot fields: its name (the snapshot's field, the API's and the
CSV's column), its label, its unit ("h" for hours, "%" for rates stored as fractions, "" for
counts and the rest), which way is better, whether it is a count, and (METRICS) which a contract may
set targets on. Contracts name metrics before any are computed, so the catalogue lives here,
low enough for `contracts` to read it; the metrics app computes, stores, shows and exports
values under the same names, and reads units and directions from here rather than from a
name's suffix.
"""

from dataclasses import dataclass

LOWER, HIGHER = "lower", "higher"
HOURS, PERCENT, NONE = "h", "%", ""


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str  # HOURS, PERCENT (stored as a fraction, shown and targeted in percent) or NONE
    better: str = LOWER  # which direction is good, by default
    count: bool = False  # a whole number of things (stored as an integer, 0 when none)
    short_label: str = ""  # the label on a narrow screen; the label when empty

    @property
    def is_rate(self) -> bool:
        return self.unit == PERCENT

    @property
    def in_hours(self) -> bool:
        return self.unit == HOURS

    @property
    def higher_is_better(self) -> bool:
        return self.better == HIGHER

    @property
    def short(self) -> str:
        return self.short_label or self.label


def _count(name: str, label: str, better: str = LOWER) -> Metric:
    return Metric(name, label, NONE, better, count=True)


# Every snapshot field besides the seam, month, rag and computed_at, in the snapshot's order
# (the API's and the CSV export's column order): the counts first, then the values.
SNAPSHOT = [
    _count("submitted", "Submitted", HIGHER),
    _count("started", "Started", HIGHER),
    _count("throughput", "Throughput", HIGHER),
    _count("sla_due", "SLA due"),
    _count("sla_breaches", "SLA breaches"),
    _count("wip_open", "Open work (WIP)"),
    _count("escalations", "Escalations"),
    _count("decision_sla_breaches", "Decision SLA breaches"),
    _count("dependencies_due", "Dependencies due", HIGHER),
    _count("dependencies_on_time", "Dependencies on time", HIGHER),
    Metric("queue_time_p50_hours", "Queue time p50", HOURS),
    Metric("queue_time_p85_hours", "Queue time p85", HOURS, short_label="Queue p85"),
    Metric("lead_time_p50_hours", "Lead time p50", HOURS),
    Metric("lead_time_p85_hours", "Lead time p85", HOURS),
    Metric("lead_time_by_approval_type", "Lead time by approval type", NONE),
    Metric("sla_breach_rate", "SLA breach rate", PERCENT, short_label="SLA breach"),
    Metric("rework_rate", "Rework rate", PERCENT, short_label="Rework"),
    Metric(
        "first_time_ready_rate",
        "First-time-ready rate",
        PERCENT,
        HIGHER,
        short_label="Ready first time",
    ),
    Metric("oldest_open_age_hours", "Oldest open item", HOURS),
    Metric("decision_latency_p85_hours", "Decision latency p85", HOURS, short_label="Decision p85"),
]
FIELDS = [metric.name for metric in SNAPSHOT]
COUNTS = [metric.name for metric in SNAPSHOT if metric.count]
VALUES = [metric.name for metric in SNAPSHOT if not metric.count]
FIELD = {metric.name: metric for metric in SNAPSHOT}

# The metrics a contract can set targets on, in the order forms and pages list them.
METRICS = [
    FIELD[name]
    for name in (
        "queue_time_p50_hours",
        "queue_time_p85_hours",
        "lead_time_p50_hours",
        "lead_time_p85_hours",
        "sla_breaches",
        "sla_breach_rate",
        "rework_rate",
        "first_time_ready_rate",
        "wip_open",
        "oldest_open_age_hours",
        "escalations",
        "decision_latency_p85_hours",
        "decision_sla_breaches",
        "throughput",
        "dependencies_on_time",
    )
]
BY_NAME = {metric.name: metric for metric in METRICS}
BY_LABEL = {metric.label: metric for metric in METRICS}
CHOICES = [(metric.name, metric.label) for metric in METRICS]


def unit_of(name: str) -> str:
    """A snapshot field's unit; "" for a name that is not one."""
    metric = FIELD.get(name)
    return metric.unit if metric else NONE
