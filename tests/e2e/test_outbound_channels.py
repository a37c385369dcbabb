"""A leader adds a Teams channel, sends it a test message and reads the delivery log, with
mouse and keyboard; the message reaches a real HTTP server on 127.0.0.1."""

import json

import pytest
from playwright.sync_api import Page, expect

from connections.deliveries import send_due_deliveries
from connections.models import Channel, OutboundDelivery
from tests.connections.conftest import _serve
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def teams_endpoint():
    yield from _serve(200)


# Long: one journey, from the account menu to the filtered log, on screen and in the database.
@pytest.mark.django_db(transaction=True)
def test_a_leader_adds_a_channel_tests_it_and_reads_the_log(
    live_server, page: Page, settings, teams_endpoint
):
    settings.OUTBOUND_ALLOW_PRIVATE_URLS = True  # the endpoint listens on 127.0.0.1
    UserFactory(username="lena", first_name="Lena", last_name="Leader", roles=["leader"])
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")

    page.get_by_label("Account menu").click()
    page.get_by_role("link", name="Outbound channels").click()
    expect(page.get_by_role("heading", name="No channels yet")).to_be_visible()
    page.get_by_role("link", name="Add a channel").click()

    page.get_by_label("Name").click()
    page.keyboard.type("Leadership Teams")
    page.get_by_label("Kind").select_option(label="Microsoft Teams (Workflows webhook)")
    page.get_by_label("Webhook URL").fill(teams_endpoint.url)
    breached = page.get_by_label("Handoff breached its SLA (escalated)")
    breached.focus()
    page.keyboard.press("Space")  # ticked with the keyboard
    page.get_by_label("Decision overdue").click()  # and with the mouse
    page.get_by_role("button", name="Add channel").click()

    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        "Added the channel Leadership Teams"
    )
    row = page.locator("tr", has_text="Leadership Teams")
    expect(row).to_contain_text("Microsoft Teams (Workflows webhook)")
    expect(row).to_contain_text("Handoff breached its SLA (escalated), Decision overdue")
    channel = Channel.objects.get(name="Leadership Teams")
    assert channel.kind == "teams"
    assert channel.events == ["handoff.breached", "decision.overdue"]

    row.get_by_role("button", name="Send test message").click()
    expect(page.get_by_role("heading", name="Delivery log")).to_be_visible()
    table = page.locator("#delivery-table")
    expect(table).to_contain_text("Test message for Leadership Teams")
    expect(table).to_contain_text("Not tried yet")
    send_due_deliveries()  # what the worker's sweep does every minute
    expect(table).to_contain_text("Sent", timeout=10_000)  # the table refreshes itself
    expect(table).to_contain_text("200")

    status = page.get_by_label("Status")
    status.focus()
    status.select_option("dead")  # filtered without a reload
    expect(table).to_contain_text("No deliveries match")
    status.select_option("sent")
    expect(table).to_contain_text("Test message for Leadership Teams")
    assert "status=sent" in page.url

    delivery = OutboundDelivery.objects.get(channel=channel)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("sent", 1, 200)
    [request] = teams_endpoint.received
    card = json.loads(request.body)["attachments"][0]["content"]
    assert card["body"][0]["text"] == "Test message for Leadership Teams"
