"""The named-event bus: names are declared, subscribers run in order, once each, synchronously."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common import events
from seams.models import Handoff
from tests.factories import SeamFactory


@pytest.fixture
def heard(db):
    calls = []

    def first(**payload):
        calls.append(("first", payload))

    def second(**payload):
        calls.append(("second", payload))

    events.subscribe("target.changed", first)
    events.subscribe("target.changed", second)
    events.subscribe("target.changed", first)  # twice is once
    yield calls
    events.unsubscribe("target.changed", first)
    events.unsubscribe("target.changed", second)


def test_it_calls_each_subscriber_once_in_order_with_the_payload(heard):
    events.emit("target.changed", seam_id=7)
    assert heard == [("first", {"seam_id": 7}), ("second", {"seam_id": 7})]


def test_it_refuses_a_name_nobody_declared():
    with pytest.raises(events.UnknownEvent):
        events.emit("handoff.savd", seam_id=1)
    with pytest.raises(events.UnknownEvent):
        events.subscribe("nope", print)


def test_names_are_dotted_noun_past_tense():
    for name in events.NAMES:
        noun, verb = name.split(".")
        assert noun.isidentifier(), name
        # "handoff.at_risk" is STYLE.md's own example: the state a handoff entered.
        assert verb.endswith("ed") or verb in {"written", "at_risk"}, name


def test_a_subscribers_error_reaches_the_emitter(db):
    def broken(**payload):
        raise RuntimeError("no")

    events.subscribe("calendar.changed", broken)
    try:
        with pytest.raises(RuntimeError):
            events.emit("calendar.changed", calendar_id=1)
    finally:
        events.unsubscribe("calendar.changed", broken)


def test_the_metrics_app_subscribes_to_what_makes_snapshots_stale():
    from metrics import staleness

    for name, handler in staleness.SUBSCRIPTIONS.items():
        assert handler in events.subscribers(name)


@pytest.fixture
def handoff_events(db):
    calls = []

    def saved(**payload):
        calls.append(("saved", payload))

    def deleted(**payload):
        calls.append(("deleted", payload))

    events.subscribe("handoff.saved", saved)
    events.subscribe("handoff.deleted", deleted)
    yield calls
    events.unsubscribe("handoff.saved", saved)
    events.unsubscribe("handoff.deleted", deleted)


def test_a_written_row_says_where_it_is_and_where_it_was(handoff_events):

    first, second = SeamFactory(), SeamFactory()
    when = timezone.now().replace(microsecond=0)
    handoff = Handoff.objects.create(seam=first, external_id="A-1", title="A", submitted_at=when)
    place = 'SELECT "seams_handoff"."seam_id" AS "seam_id", "seams_handoff"."submitted_at" AS'
    handoff.seam = second
    with CaptureQueriesContext(connection) as moving:
        handoff.save()
    # A save that touches neither the seam nor the time doesn't look up where the row was.
    with CaptureQueriesContext(connection) as retitling:
        handoff.save(update_fields=["title"])
    assert any(q["sql"].startswith(place) for q in moving.captured_queries)
    assert not any(q["sql"].startswith(place) for q in retitling.captured_queries)
    handoff.delete()
    new, moved, untouched, gone = (payload for _, payload in handoff_events)
    assert new == {"seam_id": first.pk, "at": when, "was_seam_id": None, "was_at": None}
    assert moved == {"seam_id": second.pk, "at": when, "was_seam_id": first.pk, "was_at": when}
    assert untouched["was_seam_id"] is None
    assert gone == {"seam_id": second.pk, "at": when}
    assert [kind for kind, _ in handoff_events] == ["saved", "saved", "saved", "deleted"]
