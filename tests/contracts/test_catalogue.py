"""The metric catalogue is the one home of each snapshot field's name, unit, direction and kind."""

from decimal import Decimal

from django.db import models

from contracts import catalogue
from metrics import dashboard
from metrics.models import MonthlySeamMetrics

# What the engine stored and exported before the catalogue listed every snapshot field.
OLD_FIELDS = [
    *["submitted", "started", "throughput", "sla_due", "sla_breaches", "wip_open"],
    *["escalations", "decision_sla_breaches", "dependencies_due", "dependencies_on_time"],
    *["queue_time_p50_hours", "queue_time_p85_hours", "lead_time_p50_hours"],
    *["lead_time_p85_hours", "lead_time_by_approval_type", "sla_breach_rate", "rework_rate"],
    *["oldest_open_age_hours", "decision_latency_p85_hours"],
]


def test_it_lists_every_snapshot_field_in_the_old_order():
    # The sender's side of the seam came later, beside rework.
    after_rework = OLD_FIELDS.index("rework_rate") + 1
    expected = [*OLD_FIELDS[:after_rework], "first_time_ready_rate", *OLD_FIELDS[after_rework:]]
    assert expected == catalogue.FIELDS
    stored = {f.name for f in MonthlySeamMetrics._meta.concrete_fields}
    assert set(catalogue.FIELDS) == stored - {"id", "seam", "month", "rag", "computed_at"}


def test_it_marks_as_counts_exactly_the_integer_fields():
    for name in catalogue.FIELDS:
        field = MonthlySeamMetrics._meta.get_field(name)
        assert catalogue.FIELD[name].count == isinstance(field, models.PositiveIntegerField), name
    assert catalogue.COUNTS + catalogue.VALUES == catalogue.FIELDS


def test_it_gives_the_units_the_names_suffixes_used_to():
    for name in catalogue.FIELDS:
        by_suffix = "%" if name.endswith("_rate") else "h" if name.endswith("_hours") else ""
        assert catalogue.unit_of(name) == by_suffix == dashboard.metric_unit(name), name
    assert catalogue.unit_of("not_a_metric") == ""


def test_it_keeps_the_targetable_metrics_and_their_choices():
    assert [m.name for m in catalogue.METRICS] == [name for name, _ in catalogue.CHOICES]
    assert len(catalogue.METRICS) == 15
    assert {m.name for m in catalogue.METRICS if m.higher_is_better} == {
        "throughput",
        "dependencies_on_time",
        "first_time_ready_rate",
    }
    assert catalogue.BY_LABEL["Rework rate"].name == "rework_rate"


def test_it_formats_values_from_the_catalogue_unit():
    assert dashboard.metric_text("rework_rate", Decimal("0.31")) == "31 %"
    assert dashboard.metric_text("queue_time_p85_hours", Decimal("41.6")) == "41.6 h"
    assert dashboard.metric_text("submitted", 4) == "4"
    tile = dashboard.Tile("sla_breach_rate", "SLA breach rate", None, None, "none", Decimal("-4"))
    assert (tile.delta_text, tile.short_label, tile.is_rate) == ("↓ 4 pts", "SLA breach", True)
