"""Hostile input at the handoff webhook: too large, not JSON, or signed but malformed.

Each is refused with a clear 4xx and writes nothing, never a 500 or a hang.
"""

import http.client
import io
import json
import math
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from connections.models import Delivery as WebhookDelivery
from seams.models import Handoff
from tests.hostile.webhook_client import (
    generic_row,
    generic_source,
    jira_event,
    jira_source,
    post_hook,
    signed_headers,
    written,
)

# Deliveries are applied by a task through the outbox: run it here, even with a broker.
pytestmark = pytest.mark.usefixtures("celery_eager")


LIMIT = 2000


@pytest.fixture
def generic(db, settings):
    settings.WEBHOOK_MAX_BYTES = LIMIT
    return generic_source()


@pytest.fixture
def jira(seam, settings):
    settings.WEBHOOK_MAX_BYTES = LIMIT
    return jira_source(seam)


def padded_rows(seam, size: int) -> bytes:
    """A valid list of handoffs, `size` bytes long or a little more."""
    rows = [generic_row(seam, external_id=f"T-{n}") for n in range(size // 80 + 1)]
    return json.dumps(rows).encode()


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, size=-1):
        raise AssertionError("the body was read")

    readline = read


# --- Size -------------------------------------------------------------------------------


@pytest.mark.parametrize("sign", [True, False], ids=["signed", "unsigned"])
def test_it_refuses_a_body_over_the_limit_with_413_signed_or_not(generic, seam, sign):
    body = padded_rows(seam, LIMIT + 1)
    response = post_hook("ticketing", body, sign=sign)
    assert response.status_code == 413
    assert response.json()["detail"] == "The body is larger than 2,000 bytes."
    assert response.json()["code"] == "too_large"
    assert written() == (0, 0, 0)


def test_it_refuses_by_content_length_before_reading_a_byte(generic):
    response = post_hook(
        "ticketing",
        b"",
        sign=False,
        CONTENT_LENGTH=str(10**12),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert written() == (0, 0, 0)


def test_it_reads_a_chunked_body_only_one_byte_past_the_limit(generic, seam):
    stream = io.BytesIO(padded_rows(seam, 50 * LIMIT))
    response = post_hook(
        "ticketing",
        b"",
        sign=False,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": stream, "wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert stream.tell() == LIMIT + 1
    assert written() == (0, 0, 0)


def post_chunked(stream, **extra):
    """A chunked POST with no Content-Length, its body read from `stream`."""
    return post_hook(
        "ticketing",
        b"",
        sign=False,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": stream},
        **extra,
    )


def test_it_takes_a_small_chunked_body_that_the_server_ended(generic, seam):
    body = json.dumps(generic_row(seam)).encode()
    response = post_chunked(
        io.BytesIO(body), **signed_headers(body), **{"wsgi.input_terminated": True}
    )
    assert response.status_code == 202
    assert response.json()["status"] == "received"
    assert Handoff.objects.get().title == "Acme SSO"


def test_it_asks_for_a_length_where_the_server_would_wait_for_a_chunked_body(generic):
    response = post_chunked(Unreadable())
    assert response.status_code == 411
    assert "Content-Length" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_a_real_client_announcing_a_huge_body_is_answered_413_at_once(live_server, settings):
    settings.WEBHOOK_MAX_BYTES = LIMIT
    generic_source()
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.putrequest("POST", reverse("handoff-webhook", args=["ticketing"]))
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(500 * 1024 * 1024))
    connection.endheaders()
    connection.send(b"[" * 1000)  # a start; the rest never comes
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["detail"] == "The body is larger than 2,000 bytes."
    connection.close()
    assert not Handoff.objects.exists()


# --- Media type and JSON ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", ""]
)
def test_it_refuses_a_body_that_is_not_sent_as_json_with_415(generic, seam, content_type):
    response = post_hook("ticketing", generic_row(seam), content_type=content_type)
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    assert written() == (0, 0, 0)


def test_it_takes_json_with_a_charset(generic, seam):
    response = post_hook(
        "ticketing", generic_row(seam), content_type="application/json; charset=UTF-8"
    )
    assert response.status_code == 202
    assert Handoff.objects.get().title == "Acme SSO"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),  # past Python's recursion limit
        (b'{"a":' * 40 + b"1" + b"}" * 40, "nested too deeply"),
        (b'{"title": NaN}', "NaN is not a number JSON allows."),
        (b'[{"title": Infinity}]', "Infinity is not a number JSON allows."),
        (b'{"title": "a\\u0000b"}', "NUL character"),
        (b"{not json", "not JSON"),
        (b"\x89{}", "not UTF-8"),
        (b"1" * 5000, "too long"),
        (b"42", "Send a JSON object or a list of them."),
        (b'"a handoff"', "Send a JSON object or a list of them."),
        (b"null", "Send a JSON object or a list of them."),
        (b"", "Send a JSON object or a list of them."),
        (b"[1, 2]", "Send one handoff object or a list of them."),
        (b"[]", "Send one handoff object or a list of them."),
    ],
)
def test_it_refuses_json_it_cant_take_with_400_and_why(generic, jira, settings, body, message):
    settings.WEBHOOK_MAX_BYTES = 1024 * 1024  # the default: these bodies are within it
    for source in ("ticketing", "jira"):
        response = post_hook(source, body)
        assert response.status_code == 400, (source, response.content)
        detail = response.json()["detail"]
        if source == "jira" and message.startswith("Send one handoff"):
            message = "The Jira event"  # a list is not a Jira event either
        assert message in detail or "Not a Jira issue webhook" in detail, (source, detail)
    assert written() == (0, 0, 0)


# --- Seamline's JSON: text fields that are not text ---------------------------------------


@pytest.mark.parametrize("field", ["title", "external_id", "approval_type", "seam"])
@pytest.mark.parametrize("value", [["a", "b"], {"x": 1}, True])
def test_it_refuses_lists_and_objects_in_text_fields(generic, seam, field, value):
    response = post_hook("ticketing", generic_row(seam, **{field: value}))
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["errors"][field] == "Must be text."
    assert "Must be text." in body["detail"]
    assert written() == (0, 0, 0)


def test_a_bad_row_beside_good_ones_is_reported_and_the_good_ones_kept(generic, seam):
    rows = [generic_row(seam), generic_row(seam, external_id="T-2", title={"text": "x"})]
    response = post_hook("ticketing", rows)
    assert response.status_code == 202
    assert Handoff.objects.get().title == "Acme SSO"
    # Applied in the background: the row it could not take is on the delivery, for the page.
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "applied"
    assert delivery.error == "row 1: title: Must be text."


def test_the_bulk_api_refuses_lists_in_text_fields_too(leader_client, seam):
    response = leader_client.post(
        "/api/v1/handoffs/", [generic_row(seam, title=["a"])], content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["errors"]["title"] == "Must be text."
    assert not Handoff.objects.exists()


# --- Jira: signed, but malformed ----------------------------------------------------------


def with_issue(**changes) -> dict:
    payload = jira_event()
    payload["issue"] = payload["issue"] | changes
    return payload


def with_fields(**changes) -> dict:
    payload = jira_event()
    payload["issue"]["fields"] = payload["issue"]["fields"] | changes
    return payload


def with_changelog(changelog) -> dict:
    return jira_event("jira:issue_updated") | {"changelog": changelog}


FAR_FUTURE_MS = 4102444800000  # 2100
MALFORMED_JIRA = {
    "issue a list": (jira_event() | {"issue": ["INT-42"]}, "issue must be an object"),
    "issue text": (jira_event() | {"issue": "INT-42"}, "issue must be an object"),
    "fields a list": (with_issue(fields=[1]), "issue fields must be an object"),
    "key a list": (with_issue(key=["INT-42"]), "issue key must be text"),
    "key an object": (with_issue(key={"k": 1}), "issue key must be text"),
    "no key": (with_issue(key=""), "has no issue key"),
    "key too long": (with_issue(key="K" * 500), "longer than 120"),
    "id an object": (with_issue(id={"n": 1}), "issue id must be text"),
    "summary an object": (with_fields(summary={"text": "x"}), "summary must be text"),
    "summary a list": (with_fields(summary=["x"]), "summary must be text"),
    "issuetype text": (with_fields(issuetype="Bug"), "issue type must be an object"),
    "issuetype name a number": (with_fields(issuetype={"name": 7}), "issue type name"),
    "changelog a list": (with_changelog([1]), "changelog must be an object"),
    "items an object": (with_changelog({"items": {"field": "status"}}), "must be a list"),
    "an item text": (with_changelog({"items": ["status"]}), "item must be an object"),
    "toString a list": (
        with_changelog({"items": [{"field": "status", "fromString": "a", "toString": ["b"]}]}),
        "toString must be text",
    ),
    "timestamp text": (jira_event(ts_ms="1763380800000"), "timestamp must be milliseconds"),
    "timestamp a bool": (jira_event(ts_ms=True), "timestamp must be milliseconds"),
    "timestamp a list": (jira_event(ts_ms=[1]), "timestamp must be milliseconds"),
    "timestamp negative": (jira_event(ts_ms=-1), "before 2000 or in the future"),
    "timestamp huge": (jira_event(ts_ms=10**30), "before 2000 or in the future"),
    "timestamp far future": (jira_event(ts_ms=FAR_FUTURE_MS), "before 2000 or in the future"),
    "timestamp 1999": (jira_event(ts_ms=915148800000), "before 2000 or in the future"),
    "timestamp in seconds": (jira_event(ts_ms=1763380800), "before 2000 or in the future"),
    "created unparsable": (with_fields(created="yesterday"), "not an ISO 8601"),
    "created impossible": (with_fields(created="2026-02-30T10:00:00"), "not a real date"),
    "created 1970": (with_fields(created="1970-01-01T00:00:00Z"), "before 2000"),
    "created year 9999": (with_fields(created="9999-12-31T23:59:59+0000"), "in the future"),
    "created a number": (with_fields(created=1763380800000), "ISO 8601"),
    "no times at all": (
        with_fields(created=None) | {"timestamp": None},
        "no usable timestamp",
    ),
}


@pytest.mark.parametrize(("payload", "message"), MALFORMED_JIRA.values(), ids=MALFORMED_JIRA)
def test_it_refuses_a_signed_but_malformed_jira_event_and_writes_nothing(jira, payload, message):
    response = post_hook("jira", payload)
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert written() == (0, 0, 0)


def test_it_refuses_nan_from_jira_as_the_parser_does(jira):
    body = json.dumps(jira_event(ts_ms=math.nan)).encode()  # Python writes NaN
    response = post_hook("jira", body)
    assert response.status_code == 400
    assert "NaN" in response.json()["detail"]
    assert written() == (0, 0, 0)


def test_a_status_change_that_fails_leaves_no_half_written_handoff(jira, monkeypatch):
    from connections import inbound
    from seams import handoffs

    def refuse(**kwargs):
        raise handoffs.HandoffRefused("It can't start then.")

    monkeypatch.setattr(inbound, "start_handoff", refuse)
    response = post_hook(
        "jira", jira_event("jira:issue_created", status_change=("To Do", "In Progress"))
    )
    assert response.status_code == 202  # verified and stored; it fails when applied
    assert not Handoff.objects.exists()  # not even the handoff its creation would have made
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.error) == ("failed", "It can't start then.")


def test_a_well_formed_event_still_becomes_a_handoff(jira):
    response = post_hook("jira", jira_event(status_change=("To Do", "In Progress")))
    assert response.status_code == 202, response.content
    handoff = Handoff.objects.get()
    assert (handoff.title, handoff.state) == ("Acme SSO connector", "started")


def test_a_jira_source_without_rules_counts_its_issues_as_unmatched(jira):
    jira.rules.all().delete()
    response = post_hook("jira", jira_event(status_change=("To Do", "In Progress")))
    assert response.status_code == 202
    assert not Handoff.objects.exists()
    assert jira.counts()["unmatched"] == 1
