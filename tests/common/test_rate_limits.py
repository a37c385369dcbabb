import pytest

from common.rate_limits import Rate, count, over


def test_it_reads_rates_as_drf_writes_them():
    assert Rate.parse("60/min") == Rate(60, 60)
    assert Rate.parse(" 5 / hour ") == Rate(5, 3600)
    with pytest.raises(ValueError, match="A rate is written like"):
        Rate.parse("5 per hour")


def test_it_counts_attempts_until_the_limit():
    rate = Rate(2, 60)
    assert not over("test:someone", rate)
    assert [count("test:someone", rate), count("test:someone", rate)] == [1, 2]
    assert over("test:someone", rate)
    assert not over("test:someone-else", rate)
