"""The drill-down's flow charts drawn from plain numbers, no database: where a known point lands,
where the SLE bands sit, the percentile lines' values, the text alternatives and the empty states.

Geometry: a 420 × 240 drawing with a plot from x 40 to 342 (302 wide) and y 14 to 212 (198 high).
"""

from metrics.flow_charts import (
    AgingDot,
    aging_chart,
    cumulative_flow_chart,
    cycle_time_chart,
    percentile_lines,
    spread_labels,
)

SLE = {"p50": 10.0, "p70": 20.0, "p85": 30.0, "p95": 40.0, "n": 25}
NO_SLE = {"p50": None, "p70": None, "p85": None, "p95": None, "n": 7}


def test_an_aging_dot_sits_in_its_column_at_its_age():
    svg = str(aging_chart([AgingDot("started", 45.0, "H-1 Quote")], SLE, when="now"))
    # Top of the scale 60 h; the started column is the third of three 100.7-wide columns.
    assert '<circle cx="291.7" cy="63.5" r="4.5" class="aging-dot aging-dot-late">' in svg
    assert "<title>H-1 Quote · 45 h</title>" in svg
    assert 'role="img"' in svg


def test_the_aging_bands_run_from_each_percentile_to_the_next_and_are_labelled():
    svg = str(aging_chart([AgingDot("submitted", 50.0, "A")], SLE, when="now"))
    # y(10) = 179, y(20) = 146, y(30) = 113, y(40) = 80 on a 0–60 h scale.
    assert '<rect x="40" y="179.0" width="302" height="33.0" class="band-p50"/>' in svg
    assert '<rect x="40" y="113.0" width="302" height="33.0" class="band-p85"/>' in svg
    assert '<rect x="40" y="80.0" width="302" height="33.0" class="band-p95"/>' in svg
    assert ">p85 30 h</text>" in svg
    assert "Queue-time SLE p85 30 h: 1 past it." in svg


def test_dots_within_the_p85_stay_accent_and_jitter_apart_in_their_column():
    dots = [AgingDot("submitted", 5.0, "A"), AgingDot("submitted", 5.0, "B")]
    svg = str(aging_chart(dots, SLE, when="now"))
    assert svg.count('class="aging-dot"') == 2
    assert 'cx="90.3"' in svg  # the first in the middle of its column
    assert svg.count('cx="90.3"') == 1  # the second moved sideways


def test_without_an_sle_the_aging_chart_draws_no_bands():
    svg = str(aging_chart([AgingDot("waiting", 12.0, "A")], NO_SLE, when="at the end of May"))
    assert "band-p" not in svg
    assert "aging-dot-late" not in svg
    assert "Work item age at the end of May: 0 submitted, 1 waiting on sender, 0 started" in svg


def test_with_nothing_open_the_aging_chart_says_so():
    assert "No open items at the end of May." in aging_chart([], SLE, when="at the end of May")


def test_a_completed_handoff_sits_at_its_day_and_lead_time():
    points = [(15.0, 40.0, "X"), (0.0, 10.0, "Y"), (29.5, 20.0, "Z")]
    svg = str(cycle_time_chart(points, days=30, month_label="November"))
    # Halfway through a 30-day month, at the top of a 0–40 h scale.
    assert '<circle cx="191.0" cy="14.0" r="4" class="scatter-dot">' in svg
    assert "p50 20 h" in svg
    assert "p85 34 h" in svg
    assert "scatter-p95" not in svg  # three points say nothing about the tail
    assert "Lead time of the 3 handoffs completed in November: p50 20 h; p85 34 h." in svg


def test_the_percentile_lines_interpolate_and_need_enough_points():
    assert percentile_lines([float(v) for v in range(1, 21)]) == {
        "p50": 10.5,
        "p85": 17.15,
        "p95": 19.05,
    }
    assert percentile_lines([4.0, 8.0]) == {"p50": 6.0}


def test_with_nothing_completed_the_scatterplot_says_so():
    assert "Nothing completed in November." in cycle_time_chart([], days=30, month_label="November")


def test_the_cumulative_flow_stacks_arrived_started_and_completed():
    svg = str(
        cumulative_flow_chart([1, 3, 3], [1, 1, 2], [0, 0, 1], days=30, month_label="November")
    )
    assert svg.count("<polygon") == 3
    # The end of day 3 of 30, at 3 on a 0–4 scale.
    assert "70.2,63.5" in svg.split('class="cfd-arrived"')[0]
    assert (
        "by the end of day 3, 3 arrived, 2 started and 1 completed; 1 waiting to start, "
        "1 in progress." in svg
    )


def test_with_nothing_on_the_seam_the_cumulative_flow_says_so():
    assert "Nothing on this seam in May." in cumulative_flow_chart(
        [0, 0], [0, 0], [0, 0], days=31, month_label="May"
    )
    assert "Nothing on this seam in May." in cumulative_flow_chart(
        [], [], [], days=31, month_label="May"
    )


def test_labels_on_the_right_are_moved_apart_in_order():
    assert spread_labels([100, 105, 50]) == [100, 114, 50]
