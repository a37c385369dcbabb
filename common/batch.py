"""Batch runs that one bad item can't stop.

A scheduled run (escalations, digests, the outbox relay, recomputations) goes through many
items; an error in one of them (odd data, a refused email) must not abort the others, or the
same item fails first on every run and nothing after it is ever done. Each item runs in its own
savepoint: a failure is rolled back, logged with the item's id and skipped, and the run ends
with a count of what failed.

Errors that are about the run rather than the item are raised as before, so the task's
retries or time limit apply: the database gone (OperationalError, InterfaceError) and Celery's
soft time limit.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError, transaction

RUN_WIDE = (OperationalError, InterfaceError, SoftTimeLimitExceeded)


class Batch:
    """`with batch.item(id): …` around each item's work; `batch.report()` at the end."""

    def __init__(self, name: str, log: logging.Logger, *, savepoint: bool = True):
        # Without a savepoint for work that writes nothing (pure computation), where two extra
        # queries per item would cost more than the work.
        self.name = name
        self.log = log
        self.savepoint = savepoint
        self.tried = 0
        self.failed: list = []

    @contextmanager
    def item(self, item_id) -> Iterator[None]:
        self.tried += 1
        try:
            if self.savepoint:
                with transaction.atomic():
                    yield
            else:
                yield
        except RUN_WIDE:
            raise
        except Exception:
            self.log.exception("%s: %s failed and was skipped.", self.name, item_id)
            self.failed.append(item_id)

    def report(self) -> int:
        """Log how many items failed, if any; returns that count."""
        if self.failed:
            self.log.error(
                "%s: %d of %d failed (%s); the others went on.",
                self.name,
                len(self.failed),
                self.tried,
                ", ".join(str(item_id) for item_id in self.failed[:20]),
            )
        return len(self.failed)
