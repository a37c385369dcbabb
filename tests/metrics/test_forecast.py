"""The initiative forecast (metrics.forecast) on histories built to known distributions."""

from datetime import date, timedelta

import numpy as np
import pytest

from decisions.models import Dependency
from metrics import forecast
from metrics.forecast import forecast_initiative

TODAY = date(2026, 11, 2)
# Sampling error of a share over 10,000 draws: 4 standard errors at p = 0.5.
TOLERANCE = 0.02


def run(launch) -> forecast.Forecast:
    return forecast_initiative(initiative=launch, today=TODAY)


def only(found: forecast.Forecast) -> forecast.DependencyForecast:
    (item,) = found.dependencies
    return item


# --- One dependency ---------------------------------------------------------------------------


def test_it_is_certain_when_every_longer_past_duration_ends_by_the_need(
    make_seam, history, need, launch
):
    seam = make_seam("Pricing")
    # Open 5 days; the 12 past needs that took longer took 8 days: 3 days to go.
    history(seam, {2: 30, 5: 30, 8: 12})
    need(seam, age=5, needed_in=3)
    item = only(run(launch))
    assert (item.basis, item.n, item.age_days) == ("dependencies", 12, 5)
    assert item.chance_on_time == 1.0
    assert item.p50 == item.p85 == item.p95 == TODAY + timedelta(days=3)


def test_it_is_hopeless_when_every_longer_past_duration_ends_after_the_need(
    make_seam, history, need, launch
):
    seam = make_seam("Pricing")
    history(seam, {2: 30, 5: 30, 8: 12})
    need(seam, age=5, needed_in=2)
    item = only(run(launch))
    assert item.chance_on_time == 0.0
    assert item.p50 == TODAY + timedelta(days=3)


def test_history_no_longer_than_the_age_is_left_out(make_seam, history, need, launch):
    seam = make_seam("Security review")
    # Most needs took a day, 10 took 20. Open 3 days, it is one of the long ones: 17 to go.
    history(seam, {1: 50, 3: 5, 20: 10})
    need(seam, age=3, needed_in=10)
    item = only(run(launch))
    assert (item.basis, item.n) == ("dependencies", 10)
    assert item.chance_on_time == 0.0  # 55 of 65 past needs would have said on time
    assert item.p50 == TODAY + timedelta(days=17)


def test_a_past_duration_equal_to_the_age_is_left_out(make_seam, history, need, launch):
    seam = make_seam("Pricing")
    history(seam, {4: 10, 6: 10})
    need(seam, age=4, needed_in=2)
    item = only(run(launch))
    assert (item.n, item.chance_on_time) == (10, 1.0)


def test_it_falls_back_to_handoff_lead_times_and_says_so(
    make_seam, history, handoffs, need, launch
):
    seam = make_seam("Legal review")
    # Nine past needs took longer than its age (30 days: never on time)...
    history(seam, {30: 9})
    # ...so the seam's handoffs decide: those longer than the age took 4 days (3 to go).
    handoffs(seam, {1: 40, 4: 25})
    need(seam, age=1, needed_in=3)
    found = run(launch)
    item = only(found)
    assert (item.basis, item.n) == ("handoff lead times", 25)
    assert item.chance_on_time == 1.0
    assert "handoff lead times" in item.note
    assert "only 9 delivered dependencies took longer than 1 days" in item.note
    assert any("handoff lead times" in note for note in found.notes)


def test_ten_longer_durations_need_no_fallback(make_seam, history, handoffs, need, launch):
    seam = make_seam("Legal review")
    history(seam, {30: 10})
    handoffs(seam, {4: 25})
    need(seam, age=1, needed_in=3)
    item = only(run(launch))
    assert (item.basis, item.n, item.chance_on_time) == ("dependencies", 10, 0.0)


def test_it_is_beyond_history_when_nothing_took_that_long(
    make_seam, history, handoffs, need, launch
):
    seam = make_seam("Legal review")
    history(seam, {3: 20, 10: 5})
    handoffs(seam, {2: 30, 10: 3})
    stale = need(seam, age=10, needed_in=5, title="Data processing agreement")
    found = run(launch)
    item = only(found)
    assert (item.basis, item.n, item.chance_on_time) == (None, 0, None)
    assert (item.p50, item.p85, item.p95) == (None, None, None)
    assert item.note.startswith("Beyond history")
    assert found.beyond_history == [stale.pk]
    assert found.chance_all_on_time is None
    assert any("“Data processing agreement”" in note for note in found.notes)


def test_a_few_longer_durations_and_no_longer_handoff_are_beyond_history(
    make_seam, history, need, launch
):
    """DESIGN.md: fewer than 10 such durations, the handoff lead times; none even then: null."""
    seam = make_seam("Legal review")
    history(seam, {6: 9})
    need(seam, age=2, needed_in=4)
    found = run(launch)
    item = only(found)
    assert (item.basis, item.n, item.chance_on_time) == (None, 0, None)
    assert "only 9 delivered dependencies and no handoff took longer than 2 days" in item.note
    assert found.chance_all_on_time is None


def test_a_dependency_without_a_seam_draws_from_every_seams_history(
    make_seam, history, need, launch
):
    history(make_seam("Pricing"), {5: 6})
    history(make_seam("Legal review"), {5: 6})
    need(None, age=0, needed_in=5)
    found = run(launch)
    item = only(found)
    assert (item.basis, item.n, item.chance_on_time) == ("dependencies", 12, 1.0)
    assert found.riskiest_seam is None
    assert any("without a seam" in note for note in found.notes)


def test_it_forecasts_only_what_is_open_on_the_day(make_seam, history, need, launch):
    seam = make_seam("Pricing")
    history(seam, {5: 10})
    kept = need(seam, age=1, needed_in=4)
    need(seam, age=1, needed_in=4, title="Done", status=Dependency.Status.CANCELLED)
    need(seam, age=1, needed_in=4, title="Missed", status=Dependency.Status.MISSED)
    need(seam, age=-1, needed_in=4, title="Asked tomorrow")
    assert [item.dependency.pk for item in run(launch).dependencies] == [kept.pk]


def test_a_past_day_sees_what_was_open_and_what_was_delivered_by_then(
    make_seam, history, need, launch
):
    seam = make_seam("Pricing")
    then = TODAY - timedelta(days=10)
    history(seam, {6: 10}, delivered_on=then - timedelta(days=1))
    # Delivered after `then`: its history is unknown on that day, and it was open.
    history(seam, {1: 30}, delivered_on=then + timedelta(days=2))
    late = need(
        seam,
        age=13,
        needed_in=-5,
        status=Dependency.Status.DELIVERED,
        delivered_at=then + timedelta(days=3),
    )
    found = forecast_initiative(initiative=launch, today=then)
    item = only(found)
    assert item.dependency == late
    assert (item.age_days, item.basis, item.n) == (3, "dependencies", 10)
    assert item.p50 == then + timedelta(days=3)
    assert item.chance_on_time == 1.0  # needed by then + 5


# --- The initiative ---------------------------------------------------------------------------


def test_the_joint_chance_of_independent_dependencies_is_the_product(
    make_seam, history, need, launch
):
    pricing, legal = make_seam("Pricing"), make_seam("Legal review")
    history(pricing, {2: 10, 10: 10})  # needed in 5: on time half the time
    history(legal, {3: 6, 20: 14})  # needed in 5: on time 30 % of the time
    need(pricing, age=0, needed_in=5)
    need(legal, age=0, needed_in=5, title="Contract template")
    found = run(launch)
    first, second = found.dependencies
    assert first.chance_on_time == pytest.approx(0.5, abs=TOLERANCE)
    assert second.chance_on_time == pytest.approx(0.3, abs=TOLERANCE)
    assert found.chance_all_on_time == pytest.approx(0.15, abs=TOLERANCE)
    assert found.chance_all_on_time == pytest.approx(
        first.chance_on_time * second.chance_on_time, abs=TOLERANCE
    )


def test_the_riskiest_seam_is_the_one_whose_certainty_helps_most(make_seam, history, need, launch):
    steady, shaky, middling = make_seam("Steady"), make_seam("Shaky"), make_seam("Middling")
    history(steady, {2: 18, 30: 2})  # 0.9
    history(shaky, {2: 4, 30: 16})  # 0.2
    history(middling, {2: 12, 30: 8})  # 0.6
    for seam in (steady, shaky, middling):
        need(seam, age=0, needed_in=5, title=f"From {seam.name}")
    found = run(launch)
    assert found.chance_all_on_time == pytest.approx(0.9 * 0.2 * 0.6, abs=TOLERANCE)
    assert found.riskiest_seam.seam == shaky
    # Shaky made certain: 0.9 × 0.6 = 0.54, up from 0.108.
    assert found.riskiest_seam.gain == pytest.approx(0.54 - 0.108, abs=2 * TOLERANCE)


def test_two_dependencies_on_one_seam_both_become_certain(make_seam, history, need, launch):
    pair, single = make_seam("Pair"), make_seam("Single")
    history(pair, {2: 14, 30: 6})  # 0.7 each, 0.49 for both
    history(single, {2: 12, 30: 8})  # 0.6
    need(pair, age=0, needed_in=5, title="One")
    need(pair, age=0, needed_in=5, title="Two")
    need(single, age=0, needed_in=5, title="Three")
    found = run(launch)
    assert found.riskiest_seam.seam == pair
    assert found.riskiest_seam.gain == pytest.approx(0.6 - 0.49 * 0.6, abs=2 * TOLERANCE)


def test_no_seam_is_riskiest_when_all_are_on_time_in_every_draw(make_seam, history, need, launch):
    seam = make_seam("Pricing")
    history(seam, {2: 10})
    need(seam, age=0, needed_in=5)
    found = run(launch)
    assert (found.chance_all_on_time, found.riskiest_seam) == (1.0, None)


def test_beyond_history_dependencies_are_left_out_of_the_joint(make_seam, history, need, launch):
    known, unknown = make_seam("Known"), make_seam("Unknown")
    history(known, {2: 10, 10: 10})
    known_need = need(known, age=0, needed_in=5)
    stale = need(unknown, age=0, needed_in=5, title="Nobody has done this")
    found = run(launch)
    assert found.beyond_history == [stale.pk]
    assert found.chance_all_on_time == next(
        f.chance_on_time for f in found.dependencies if f.dependency == known_need
    )


def test_the_histogram_counts_every_draw_by_its_latest_delivery(make_seam, history, need, launch):
    fast, slow = make_seam("Fast"), make_seam("Slow")
    history(fast, {1: 10})
    history(slow, {3: 10, 40: 10})
    need(fast, age=0, needed_in=5)
    need(slow, age=0, needed_in=5, title="Slow one")
    found = run(launch)
    bins = found.histogram
    assert sum(b.draws for b in bins) == forecast.DRAWS
    assert bins[0].start == TODAY + timedelta(days=3)
    assert bins[-1].end >= TODAY + timedelta(days=40)
    assert len(bins) <= forecast.MAX_BINS
    assert all(b.end >= b.start for b in bins)
    # The slow seam's two outcomes split the draws between the first and the last bin.
    assert bins[0].draws == pytest.approx(forecast.DRAWS / 2, abs=TOLERANCE * forecast.DRAWS)
    assert bins[0].draws + bins[-1].draws == forecast.DRAWS


def test_the_same_data_gives_the_same_answer(make_seam, history, handoffs, need, launch):
    seams = [make_seam(f"Seam {n}") for n in range(3)]
    for n, seam in enumerate(seams):
        history(seam, {1 + n: 7, 4 + n: 5, 9: 3})
        handoffs(seam, {2: 5, 6 + n: 5})
        need(seam, age=n, needed_in=3 + n, title=f"Need {n}")
    first, second = run(launch), run(launch)

    def shown(found):
        return (
            [
                (f.dependency.pk, f.chance_on_time, f.p50, f.p85, f.p95, f.n, f.basis)
                for f in found.dependencies
            ],
            found.chance_all_on_time,
            (found.riskiest_seam.seam.pk, found.riskiest_seam.gain)
            if found.riskiest_seam
            else None,
            [(b.start, b.draws) for b in found.histogram],
        )

    assert shown(first) == shown(second)
    assert 0 < first.chance_all_on_time < 1


def test_it_reads_with_three_queries_whatever_the_number_of_dependencies(
    make_seam, history, handoffs, need, launch, django_assert_num_queries
):
    for n in range(6):
        seam = make_seam(f"Seam {n}")
        history(seam, {3: 5 if n % 2 else 12})
        handoffs(seam, {4: 5})
        need(seam, age=1, needed_in=3, title=f"Need {n}")
        need(seam, age=2, needed_in=3, title=f"Other need {n}")
    # 1 the open dependencies with their seams, 2 the durations per seam and day,
    # 3 the handoff lead times of the seams short of history.
    with django_assert_num_queries(3):
        found = run(launch)
    assert len(found.dependencies) == 12
    assert {f.basis for f in found.dependencies} == {"dependencies", "handoff lead times"}


def test_it_skips_the_handoff_query_when_history_is_enough(
    make_seam, history, need, launch, django_assert_num_queries
):
    seam = make_seam("Pricing")
    history(seam, {3: 12})
    need(seam, age=1, needed_in=3)
    with django_assert_num_queries(2):
        run(launch)


def test_an_initiative_with_nothing_open_says_so(launch):
    found = run(launch)
    assert (found.dependencies, found.chance_all_on_time, found.histogram) == ([], None, [])
    assert found.notes == ["No dependency of this initiative is open on 2026-11-02."]


# --- The numbers alone ------------------------------------------------------------------------


def test_draws_are_seeded_per_dependency():
    tail = np.arange(10, 20)
    same = forecast.draw_remaining(tail, 3, seed=7)
    assert np.array_equal(same, forecast.draw_remaining(tail, 3, seed=7))
    assert not np.array_equal(same, forecast.draw_remaining(tail, 3, seed=8))
    assert (same.min(), same.max()) == (7, 16)


def test_riskiest_group_ignores_rows_without_a_seam():
    on_time = np.array([[True, False, True, False], [False, False, True, True]])
    assert forecast.riskiest_group(on_time, [None, None]) is None
    # Only "a" can be made certain: then the draws where the seamless row is on time count.
    assert forecast.riskiest_group(on_time, ["a", None]) == ("a", 0.25)


def test_percentile_days_are_numpys_linear_percentiles_rounded_up():
    rng = np.random.default_rng(3)
    remaining = rng.integers(1, 90, size=(7, 10_000))
    remaining[3] = 5  # every draw the same
    remaining[4, :9_000] = 2  # a step between the 85th and 95th percentiles
    expected = np.ceil(np.percentile(remaining, forecast.PERCENTILES, axis=1)).astype(int)
    assert np.array_equal(forecast.percentile_days(remaining), expected)
    # Between two order statistics, the day is rounded up.
    assert forecast.percentile_days(np.array([[1, 2]]), (50,)).tolist() == [[2]]
