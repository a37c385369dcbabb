"""Counting attempts in the cache, for limits that DRF's throttles don't reach: refused writes
(refused before DRF's throttles run, and on pages too) and password-reset requests.

The cache is Redis when there is one (shared by every process), else this process's memory.
A cache outage fails open: a limit is a brake on abuse, not a reason to refuse people.
"""

import logging
import re
from dataclasses import dataclass

import redis
from django.core.cache import cache

log = logging.getLogger(__name__)

# Every key starts with this (tests give each test a prefix of its own).
PREFIX = "rate"
_UNITS = {"s": 1, "sec": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """'60/min', '5/hour', '1000/day' (as DRF writes rates)."""
        found = re.fullmatch(r"\s*(\d+)\s*/\s*([a-z]+)\s*", text)
        if not found or found[2] not in _UNITS:
            raise ValueError(f"A rate is written like 60/min or 5/hour, not {text!r}.")
        return cls(int(found[1]), _UNITS[found[2]])


def count(key: str, rate: Rate) -> int:
    """Count one attempt under `key` in the current period; the count so far (0 if unknown)."""
    name = f"{PREFIX}:{key}"
    try:
        if cache.add(name, 1, timeout=rate.period):
            return 1
        try:
            return cache.incr(name)
        except ValueError:  # expired between the two calls: a new period starts
            cache.set(name, 1, timeout=rate.period)
            return 1
    except (redis.RedisError, OSError):
        log.warning("Rate limit %s not counted: the cache is unavailable", key, exc_info=True)
        return 0


def over(key: str, rate: Rate) -> bool:
    """Whether `key` has used up its attempts for the period (without counting one)."""
    try:
        return (cache.get(f"{PREFIX}:{key}") or 0) >= rate.limit
    except (redis.RedisError, OSError):
        log.warning("Rate limit %s not read: the cache is unavailable", key, exc_info=True)
        return False
