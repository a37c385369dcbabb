"""One chart convention (common.svg): every chart is drawn in Python. The drawings are the same
as before the convention: the golden files hold what the charts rendered before (the Pareto
then drawn by its template, compared with whitespace between tags collapsed)."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string

from decisions.pareto import pareto, pareto_chart
from metrics import charts

GOLDEN = Path(__file__).parent / "golden"


def _collapsed(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def test_the_pareto_draws_what_its_template_drew():
    bars = pareto(
        [
            ("Missing inputs", 12, "/a?x=1&y=2"),
            ("SLA <breach>", 7, ""),
            ("A very long category label that wraps", 3, "/c"),
            ("Other", 1, ""),
        ]
    )
    many = pareto([(f"Cause {i}", 20 - i) for i in range(14)])
    charts_ = [
        pareto_chart(bars, title="Escalations by cause"),
        pareto_chart(many, title="Seams", width=400, height=240),
        pareto_chart(pareto([("Only", 1)]), title="One"),
    ]
    rendered = "".join(
        render_to_string("decisions/pareto_chart.html", {"chart": c}) for c in charts_
    )
    assert _collapsed(rendered) == (GOLDEN / "pareto_before.html").read_text().strip()


def test_the_metrics_charts_draw_what_they_drew():
    months = [date(2026, m, 1) for m in range(1, 13)]
    p50 = charts.Series("p50", [1.5, None, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "line-p50")
    p85 = charts.Series("p85", [None] * 6 + [20, 30, 40, None, 50, 60], "line-p85")
    drawn = [
        charts.line_chart("Queue time", months, [p50, p85], Decimal("30"), Decimal("20")),
        charts.line_chart("Rework", months, [charts.Series("r", [None] * 12, "x")]),
        charts.line_chart(
            "Rework",
            months,
            [charts.Series("r", list(range(1, 13)), "x")],
            unit="%",
            size=(400, 200),
        ),
        charts.sparkline([1, 2, None, 4, 5, None, None, 8, 9, 10, 11, 12], Decimal("6"), "red"),
        charts.sparkline([None] * 12),
        charts.sparkline([3, 4, 5]),
        charts.bar_chart("Throughput", months, [1, 2, 3, None, 5, 6, 7, 8, 9, 10, 11, 12.5]),
    ]
    assert "\n".join(str(d) for d in drawn) + "\n" == (GOLDEN / "charts_before.html").read_text()
