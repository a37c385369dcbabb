"""The seam metrics a contract can set targets on: the names of DESIGN.md's metric table.

Contracts name metrics before any are computed, so the catalogue lives here; the metrics app
computes values under the same names.
"""

from dataclasses import dataclass

LOWER, HIGHER = "lower", "higher"


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str  # "h", "%", or "" for counts
    better: str = LOWER  # which direction is good, by default


METRICS = [
    Metric("queue_time_p50_hours", "Queue time p50", "h"),
    Metric("queue_time_p85_hours", "Queue time p85", "h"),
    Metric("lead_time_p50_hours", "Lead time p50", "h"),
    Metric("lead_time_p85_hours", "Lead time p85", "h"),
    Metric("sla_breaches", "SLA breaches", ""),
    Metric("sla_breach_rate", "SLA breach rate", "%"),
    Metric("rework_rate", "Rework rate", "%"),
    Metric("wip_open", "Open work (WIP)", ""),
    Metric("oldest_open_age_hours", "Oldest open item", "h"),
    Metric("escalations", "Escalations", ""),
    Metric("decision_latency_p85_hours", "Decision latency p85", "h"),
    Metric("decision_sla_breaches", "Decision SLA breaches", ""),
    Metric("throughput", "Throughput", "", HIGHER),
    Metric("dependencies_on_time", "Dependencies on time", "", HIGHER),
]
BY_NAME = {metric.name: metric for metric in METRICS}
CHOICES = [(metric.name, metric.label) for metric in METRICS]
