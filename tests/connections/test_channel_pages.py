"""The channel pages: leaders and ops add, edit and test channels; the delivery log; hostile
input is refused with the reason and writes nothing."""

import pytest
from django.urls import reverse

from connections.deliveries import send_due_deliveries
from connections.models import Channel, Notification, OutboundDelivery
from tests.connections.conftest import make_channel

pytestmark = pytest.mark.django_db

CREATE = reverse("connections:channel-create")


def channel_form(**fields) -> dict:
    return {
        "name": "Platform Slack",
        "kind": "slack",
        "url": "https://hooks.slack.com/services/T000/B000/XXXX",
        "email": "",
        "events": ["handoff.breached", "decision.overdue"],
        "active": "on",
    } | fields


def test_it_lists_channels_for_leaders(leader_client, receiver, django_assert_max_num_queries):
    for n in range(5):
        make_channel(Channel.Kind.SLACK, receiver.url, name=f"Channel {n}")
    with django_assert_max_num_queries(12):
        response = leader_client.get(reverse("connections:channel-list"))
    assert response.status_code == 200
    assert response.content.decode().count("Send test message") == 5


@pytest.mark.parametrize("client", ["viewer_client", "owner_client"])
def test_only_leaders_and_ops_see_channels(request, client, receiver):
    make_channel(Channel.Kind.SLACK, receiver.url)
    response = request.getfixturevalue(client).get(reverse("connections:channel-list"))
    assert response.status_code == 403
    assert receiver.url not in response.content.decode()


def test_ops_add_a_slack_channel_scoped_to_a_seam(ops_client, ops, seam):
    response = ops_client.post(CREATE, channel_form(seam=seam.pk))
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.kind, channel.seam, channel.created_by) == ("slack", seam, ops)
    assert channel.events == ["handoff.breached", "decision.overdue"]
    assert channel.secret == ""


def test_a_webhook_channel_gets_a_secret_shown_once(leader_client):
    response = leader_client.post(
        CREATE, channel_form(kind="webhook", url="https://93.184.215.14/hook")
    )
    channel = Channel.objects.get()
    assert channel.secret.startswith("whsec_")
    page = leader_client.get(response["Location"]).content.decode()
    assert channel.secret in page
    again = leader_client.get(reverse("connections:channel-list")).content.decode()
    assert channel.secret not in again


def test_an_email_channel_needs_an_address(leader_client):
    response = leader_client.post(CREATE, channel_form(kind="email", url=""))
    assert response.status_code == 400
    assert "An email channel needs an address." in response.content.decode()
    response = leader_client.post(
        CREATE, channel_form(kind="email", url="", email="team@example.com")
    )
    assert response.status_code == 302
    assert Channel.objects.get().target == "team@example.com"


HOSTILE = [
    ({"url": "http://hooks.slack.com/services/x"}, "https"),
    ({"url": "https://example.com/slack"}, "hooks.slack.com"),
    ({"kind": "webhook", "url": "https://10.0.0.5/hook"}, "private address (10.0.0.5)"),
    ({"kind": "webhook", "url": "https://127.0.0.1/hook"}, "private address (127.0.0.1)"),
    ({"kind": "teams", "url": "https://169.254.169.254/latest/"}, "private address"),
    ({"kind": "webhook", "url": "https://[::1]/hook"}, "private address"),
    ({"kind": "webhook", "url": "https://localhost:8000/hook"}, "private address"),
    ({"kind": "webhook", "url": "https://0.0.0.0/hook"}, "private address"),
    ({"kind": "webhook", "url": "javascript:alert(1)"}, "Enter a valid URL"),
    ({"kind": "webhook", "url": "https://x/" + "a" * 600}, "at most 500"),
    ({"kind": "webhook", "url": ""}, "needs its webhook URL"),
    ({"name": "x" * 500}, "at most 100"),
    ({"name": "Bad\x00name"}, "NUL characters"),
    ({"name": ""}, "This field is required"),
    ({"kind": "carrier-pigeon"}, "Select a valid choice"),
    ({"events": ["handoff.exploded"]}, "Select a valid choice"),
    ({"events": []}, "This field is required"),
    ({"seam": "999999"}, "Select a valid choice"),
    ({"kind": "email", "url": "", "email": "not an address"}, "valid email"),
]


@pytest.mark.parametrize(("fields", "reason"), HOSTILE)
def test_hostile_input_is_refused_with_its_reason(leader_client, settings, fields, reason):
    settings.OUTBOUND_ALLOW_PRIVATE_URLS = False  # production
    response = leader_client.post(CREATE, channel_form(**fields))
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Channel.objects.exists()


def test_one_scope_at_most(leader_client, seam, team):
    response = leader_client.post(CREATE, channel_form(seam=seam.pk, team=team.pk))
    assert response.status_code == 400
    assert "Choose one scope at most" in response.content.decode()
    assert not Channel.objects.exists()


def test_leaders_edit_a_channel_and_turn_it_off(leader_client, receiver, team):
    channel = make_channel(Channel.Kind.SLACK, receiver.url)
    url = reverse("connections:channel-edit", args=[channel.pk])
    assert receiver.url in leader_client.get(url).content.decode()
    response = leader_client.post(
        url, channel_form(url=receiver.url, team=team.pk, active="", name="  Renamed   one ")
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.team, channel.active) == ("Renamed one", team, False)


def test_changing_a_channel_to_a_webhook_gives_it_a_secret(leader_client, receiver):
    channel = make_channel(Channel.Kind.SLACK, receiver.url)
    leader_client.post(
        reverse("connections:channel-edit", args=[channel.pk]),
        channel_form(kind="webhook", url=receiver.url),
    )
    channel.refresh_from_db()
    assert channel.secret.startswith("whsec_")


def test_editing_an_unknown_channel_is_404(leader_client):
    assert leader_client.get(reverse("connections:channel-edit", args=[999])).status_code == 404


def test_a_test_message_is_delivered_and_logged(leader_client, leader, receiver):
    channel = make_channel(Channel.Kind.TEAMS, receiver.url)
    response = leader_client.post(reverse("connections:channel-test", args=[channel.pk]))
    assert response["Location"] == f"{reverse('connections:delivery-list')}?channel={channel.pk}"
    delivery = OutboundDelivery.objects.get(channel=channel)
    assert delivery.notification.kind == "test"
    send_due_deliveries()
    assert len(receiver.received) == 1
    page = leader_client.get(response["Location"]).content.decode()
    assert f"Test message for {channel.name}" in page
    assert "Sent" in page
    assert "<strong>200</strong>" in page


def test_a_test_message_is_only_sent_by_post(leader_client, receiver):
    channel = make_channel(Channel.Kind.SLACK, receiver.url)
    url = reverse("connections:channel-test", args=[channel.pk])
    assert leader_client.get(url).status_code == 405
    assert not Notification.objects.exists()


def test_the_log_filters_and_shows_each_attempt(
    leader_client, receiver, failing_receiver, django_assert_max_num_queries
):
    good = make_channel(Channel.Kind.SLACK, receiver.url, name="Good")
    bad = make_channel(Channel.Kind.SLACK, failing_receiver.url, name="Bad")
    for _ in range(30):
        for channel in (good, bad):
            leader_client.post(reverse("connections:channel-test", args=[channel.pk]))
    send_due_deliveries()
    url = reverse("connections:delivery-list")
    with django_assert_max_num_queries(12):
        page = leader_client.get(url, {"status": "failed"}).content.decode()
    assert "The endpoint answered 500." in page
    assert "<strong>200</strong>" not in page
    assert "Page 1 of 2 · 30 in all" in page
    page = leader_client.get(url, {"channel": good.pk}).content.decode()
    assert "The endpoint answered 500." not in page
    assert "<strong>200</strong>" in page
    partial = leader_client.get(url, {"channel": good.pk}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section class="card" id="delivery-table"')


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"channel": "x"}, 200),
        ({"status": "<script>"}, 200),
        ({"page": "-1"}, 200),
        ({"channel": "1\x00"}, 400),
    ],
)
def test_the_log_ignores_nonsense_filters(leader_client, query, status):
    response = leader_client.get(reverse("connections:delivery-list"), query)
    assert response.status_code == status
