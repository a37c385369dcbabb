"""The Pareto view of escalations: ranking, folding, chart geometry and the SVG fragment."""

import re

import pytest
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import strategies as st

from decisions.pareto import ParetoBar, fold_tail, nice_ticks, pareto, pareto_chart

ACCENT = "#4A4FD1"
LIGHT = "#C9CCF6"

ESCALATIONS = [
    ("Security sign-off", 14),
    ("Custom integration intake", 18),
    ("Pricing approval", 4),
    ("MQL handoff", 2),
    ("Redline turnaround", 2),
]


def render(chart: object) -> str:
    return render_to_string("decisions/pareto_chart.html", {"chart": chart})


def test_it_ranks_by_count_then_label_with_exact_percentages() -> None:
    bars = pareto(ESCALATIONS)

    assert [(bar.label, bar.count) for bar in bars] == [
        ("Custom integration intake", 18),
        ("Security sign-off", 14),
        ("Pricing approval", 4),
        ("MQL handoff", 2),
        ("Redline turnaround", 2),
    ]
    assert [bar.share_pct for bar in bars] == [45.0, 35.0, 10.0, 5.0, 5.0]
    assert [bar.cumulative_pct for bar in bars] == [45.0, 80.0, 90.0, 95.0, 100.0]


def test_it_marks_the_vital_few_up_to_the_bar_that_reaches_the_threshold() -> None:
    bars = pareto(ESCALATIONS)

    # The second bar reaches exactly 80.0, so it is in; the third is not.
    assert [bar.vital for bar in bars] == [True, True, False, False, False]
    assert [bar.vital for bar in pareto(ESCALATIONS, threshold=80.1)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert [bar.vital for bar in pareto(ESCALATIONS, threshold=45.0)] == [True] + [False] * 4


def test_it_passes_urls_through() -> None:
    bars = pareto([("Pricing approval", 3, "/seams/pricing/"), ("MQL handoff", 1, "")])

    assert [(bar.label, bar.url) for bar in bars] == [
        ("Pricing approval", "/seams/pricing/"),
        ("MQL handoff", ""),
    ]


def test_it_drops_zero_counts() -> None:
    bars = pareto([("Pricing approval", 0), ("MQL handoff", 3), ("Legal", 1)])

    assert [bar.label for bar in bars] == ["MQL handoff", "Legal"]
    assert [bar.cumulative_pct for bar in bars] == [75.0, 100.0]


def test_it_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative count for 'Legal'"):
        pareto([("MQL handoff", 3), ("Legal", -1)])


def test_it_returns_nothing_for_no_escalations() -> None:
    assert pareto([]) == []
    assert pareto([("Legal", 0)]) == []
    assert pareto_chart([], title="Escalations by seam") is None


def test_it_renders_nothing_without_a_chart() -> None:
    assert render(None).strip() == ""


def test_it_breaks_ties_by_label_ignoring_case() -> None:
    bars = pareto([("beta", 2), ("Gamma", 2), ("alpha", 2), ("Delta", 5)])

    assert [bar.label for bar in bars] == ["Delta", "alpha", "beta", "Gamma"]


def test_it_folds_the_tail_into_other_beyond_max_bars() -> None:
    bars = pareto([(f"Cause {n:02}", 20 - n) for n in range(12)])  # counts 20, 19, …, 9

    folded = fold_tail(bars, 10)
    chart = pareto_chart(bars, title="Escalations by cause", max_bars=10)

    assert len(folded) == 10
    assert folded[:9] == bars[:9]
    other = folded[-1]
    assert (other.label, other.count, other.cumulative_pct) == ("Other (3)", 11 + 10 + 9, 100.0)
    assert other.share_pct == 100 * 30 / 174
    assert chart is not None
    assert [bar["label"] for bar in chart.bars][-2:] == ["Cause 08", "Other (3)"]
    assert chart.bars[-1]["count"] == 30
    assert chart.bars[-1]["cumulative_pct"] == 100.0
    assert chart.total == 174
    assert fold_tail(bars[:10], 10) == bars[:10]


def test_it_picks_nice_count_axes() -> None:
    assert nice_ticks(18) == [0, 5, 10, 15, 20]
    assert nice_ticks(1) == [0, 1, 2, 3]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(26) == [0, 10, 20, 30]
    assert nice_ticks(100) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(101) == [0, 50, 100, 150]


@given(st.integers(min_value=1, max_value=10**9))
def test_it_keeps_nice_axes_within_four_to_six_even_ticks(largest: int) -> None:
    ticks = nice_ticks(largest)
    step = ticks[1]
    mantissa = step // 10 ** (len(str(step)) - 1)

    assert 4 <= len(ticks) <= 6
    assert ticks[0] == 0
    assert ticks[-1] >= largest
    assert ticks == [step * i for i in range(len(ticks))]
    assert mantissa in (1, 2, 5)
    assert step == mantissa * 10 ** (len(str(step)) - 1)


def test_it_draws_bars_proportional_to_counts_on_the_nice_axis() -> None:
    chart = pareto_chart(pareto(ESCALATIONS), title="Escalations by seam")

    assert chart is not None
    plot_height = chart.plot_bottom - chart.plot_top
    assert (chart.plot_left, chart.plot_right, chart.plot_top, chart.plot_bottom) == (
        40,
        676,
        28,
        260,
    )
    assert chart.axis_max == 20
    assert [tick["value"] for tick in chart.y_ticks] == [0, 5, 10, 15, 20]
    assert chart.y_ticks[0]["y"] == chart.plot_bottom
    assert chart.y_ticks[-1]["y"] == chart.plot_top
    for bar in chart.bars:
        assert bar["h"] == round(bar["count"] / chart.axis_max * plot_height, 1)
        assert bar["y"] >= chart.plot_top
        assert bar["y"] + bar["h"] == pytest.approx(chart.plot_bottom)
    assert [bar["h"] for bar in chart.bars] == [208.8, 162.4, 46.4, 23.2, 23.2]
    assert [bar["label_x"] for bar in chart.bars] == [103.6, 230.8, 358.0, 485.2, 612.4]


def test_it_places_the_percentage_axis_line_and_reference() -> None:
    chart = pareto_chart(pareto(ESCALATIONS), title="Escalations by seam")

    assert chart is not None
    assert [(t["value"], t["y"]) for t in chart.pct_ticks] == [
        (0, 260.0),
        (25, 202.0),
        (50, 144.0),
        (75, 86.0),
        (100, 28.0),
    ]
    assert chart.threshold_y == 74.4  # 260 - 0.8 × 232
    assert chart.threshold_label == "80 %"
    assert chart.line_points == "103.6,155.6 230.8,74.4 358.0,51.2 485.2,39.6 612.4,28.0"
    assert len(chart.line_points.split()) == len(chart.bars)
    assert [bar["pct_label"] for bar in chart.bars] == ["45 %", "80 %", "90 %", "95 %", "100 %"]


def test_it_summarises_the_vital_few_in_words() -> None:
    chart = pareto_chart(pareto(ESCALATIONS), title="Escalations by seam")
    single = pareto_chart(pareto([("Legal", 1)]), title="Escalations by seam")

    assert chart is not None
    assert single is not None
    assert chart.summary == "2 of 5 categories explain 80 % of 40 escalations"
    assert single.summary == "1 of 1 category explains 100 % of 1 escalation"


def test_it_truncates_long_labels_but_keeps_the_full_text() -> None:
    chart = pareto_chart(pareto(ESCALATIONS), title="Escalations by seam")

    assert chart is not None
    first = chart.bars[0]
    assert first["label"] == "Custom integratio…"
    assert len(first["label"]) == 18
    assert first["full_label"] == "Custom integration intake"
    assert first["label_lines"] == ["Custom integration", "intake"]
    assert chart.bars[1]["label"] == "Security sign-off"


def test_it_renders_the_chart_as_svg() -> None:
    bars = pareto([*ESCALATIONS[:4], ("Redline turnaround", 2, "/seams/redlines/")])
    chart = pareto_chart(bars, title="Escalations by seam")

    html = render(chart)

    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'viewBox="0 0 720 300"' in svg
    assert '<title id="pareto-escalations-by-seam-title">Escalations by seam</title>' in svg
    assert "2 of 5 categories explain 80 % of 40 escalations</desc>" in svg
    for count in (18, 14, 4, 2):
        assert f">{count}</text>" in svg
    assert ">80 %</text>" in svg
    assert svg.count("<polyline") == 1
    assert len(re.findall(rf'<rect [^>]*fill="{ACCENT}"', svg)) == 2
    assert len(re.findall(rf'<rect [^>]*fill="{LIGHT}"', svg)) == 3
    assert '<a href="/seams/redlines/"><rect' in svg
    assert 'stroke-dasharray="2 3"' in svg


def test_it_renders_a_figures_table() -> None:
    chart = pareto_chart(pareto(ESCALATIONS), title="Escalations by seam")

    html = render(chart)

    assert "<summary>Figures</summary>" in html
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells[:4] == ["Custom integration intake", "18", "45 %", "45 %"]
    assert cells[4:8] == ["Security sign-off", "14", "35 %", "80 %"]


def test_it_escapes_labels() -> None:
    chart = pareto_chart(pareto([("<script>alert(1)</script>", 3)]), title="<b>Bold</b>")

    html = render(chart)

    assert "<script>" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=30),
        st.integers(min_value=0, max_value=10**6),
        max_size=40,
    )
)
def test_it_keeps_cumulative_shares_consistent(counts: dict[str, int]) -> None:
    bars = pareto(counts.items())

    assert len(bars) == sum(1 for count in counts.values() if count > 0)
    if not bars:
        return
    cumulative = [bar.cumulative_pct for bar in bars]
    assert cumulative == sorted(cumulative)
    assert cumulative[-1] == 100.0
    assert sum(bar.share_pct for bar in bars) == pytest.approx(100.0, abs=1e-9)
    vital = [bar.vital for bar in bars]
    assert vital == sorted(vital, reverse=True)  # a prefix of True, then False
    first_reaching = next(i for i, pct in enumerate(cumulative) if pct >= 80.0)
    assert vital.count(True) == first_reaching + 1


def test_it_fits_a_single_bar_in_a_small_chart() -> None:
    bars = [ParetoBar("Only", 7, 100.0, 100.0, True, "/x/")]

    chart = pareto_chart(bars, title="", width=400, height=200, max_bars=2)

    assert chart is not None
    (bar,) = chart.bars
    assert chart.dom_id == "pareto-chart"
    assert chart.plot_left <= bar["x"] < bar["x"] + bar["w"] <= chart.plot_right
    assert bar["w"] == 64
    assert bar["point_y"] == chart.plot_top
    assert bar["pct_y"] >= 0


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=40),
        st.integers(min_value=1, max_value=10**5),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=2, max_value=12),
)
def test_it_keeps_every_mark_inside_the_chart(counts: dict[str, int], max_bars: int) -> None:
    chart = pareto_chart(pareto(counts.items()), title="Escalations", max_bars=max_bars)

    assert chart is not None
    assert len(chart.bars) == min(len(counts), max_bars)
    assert len(chart.line_points.split()) == len(chart.bars)
    assert chart.bars[-1]["cumulative_pct"] == 100.0
    assert chart.total == sum(bar["count"] for bar in chart.bars)
    for bar in chart.bars:
        assert chart.plot_left <= bar["x"] < bar["x"] + bar["w"] <= chart.plot_right
        assert chart.plot_top <= bar["y"] <= chart.plot_bottom
        assert chart.plot_top <= bar["point_y"] <= chart.plot_bottom
        assert bar["pct_y"] >= 10  # room for the glyphs above the baseline
        assert 1 <= len(bar["label_lines"]) <= 2
        assert all(len(line) <= 18 for line in bar["label_lines"])
