"""`Percentile`: a continuous percentile aggregate with linear interpolation, the same in SQL on
PostgreSQL and SQLite, so both databases run one code path.

PostgreSQL has `percentile_cont(f) WITHIN GROUP (ORDER BY x)`; on SQLite `percentile_cont(x, f)`
is registered on every new connection (see `MetricsConfig.ready`).
"""

import math

from django.db.models import Aggregate, FloatField, Value


class Percentile(Aggregate):
    function = "percentile_cont"
    name = "Percentile"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError(f"a percentile's fraction is between 0 and 1, not {fraction}")
        super().__init__(expression, Value(fraction), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        expression, fraction = self.get_source_expressions()[:2]  # then filter, ordering
        value_sql, value_params = compiler.compile(expression)
        fraction_sql, fraction_params = compiler.compile(fraction)
        sql = f"percentile_cont({fraction_sql}) WITHIN GROUP (ORDER BY {value_sql})"
        if self.filter:
            filter_sql, filter_params = compiler.compile(self.filter)
            return (
                f"{sql} FILTER (WHERE {filter_sql})",
                (*fraction_params, *value_params, *filter_params),
            )
        return sql, (*fraction_params, *value_params)


def interpolate(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (NumPy's default, PostgreSQL's
    percentile_cont); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class SqlitePercentile:
    """The aggregate SQLite calls: collects the group's non-null values, then interpolates."""

    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        if value is not None:
            self.values.append(float(value))
        if fraction is not None:
            self.fraction = float(fraction)

    def finalize(self):
        return interpolate(self.values, self.fraction)


def register_sqlite(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: give SQLite connections `percentile_cont(x, f)`."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("percentile_cont", 2, SqlitePercentile)
