"""Each person chooses which of their own events they get by email."""

import pytest
from django.urls import reverse

from connections.models import EmailSubscription, OutboundDelivery
from connections.notify import notify

pytestmark = pytest.mark.django_db
URL = reverse("connections:subscriptions")


def test_everyone_gets_every_event_by_default(viewer_client):
    page = viewer_client.get(URL).content.decode()
    assert page.count("checked") == 9


def test_a_person_turns_an_event_off_and_gets_no_email_for_it(viewer_client, viewer):
    response = viewer_client.post(URL, {"events": ["decision.overdue"]})
    assert response.status_code == 302
    assert EmailSubscription.objects.get(user=viewer).events == ["decision.overdue"]
    notify(kind="action.overdue", title="x", key="a", people=[viewer])
    notify(kind="decision.overdue", title="y", key="b", people=[viewer])
    assert list(OutboundDelivery.objects.values_list("notification__kind", flat=True)) == [
        "decision.overdue"
    ]


def test_turning_everything_off_is_allowed(owner_client, owner):
    assert owner_client.post(URL, {}).status_code == 302
    assert EmailSubscription.objects.get(user=owner).events == []


@pytest.mark.parametrize("events", [["nope"], ["decision.overdue\x00"], ["x" * 10000]])
def test_unknown_events_are_refused(owner_client, owner, events):
    response = owner_client.post(URL, {"events": events})
    assert response.status_code == 400
    assert not EmailSubscription.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))
