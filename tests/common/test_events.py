"""The named-event bus: names are declared, subscribers run in order, once each, synchronously."""

import pytest

from common import events


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
        assert verb.endswith("ed") or verb == "written", name


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
