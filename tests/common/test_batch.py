import logging

import pytest
from django.db import OperationalError

from common.batch import Batch


def test_one_failing_item_is_logged_and_skipped_and_the_others_go_on(caplog):
    batch = Batch("Test run", logging.getLogger("test"), savepoint=False)
    done = []
    for item in [1, 2, 3]:
        with batch.item(item):
            if item == 2:
                raise RuntimeError("poisoned")
            done.append(item)
    assert done == [1, 3]
    assert batch.report() == 1
    assert "Test run: 1 of 3 failed (2)" in caplog.text


def test_an_error_about_the_run_stops_it():
    batch = Batch("Test run", logging.getLogger("test"), savepoint=False)
    with pytest.raises(OperationalError), batch.item(1):
        raise OperationalError("the database is gone")
