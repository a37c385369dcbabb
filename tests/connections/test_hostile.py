"""Hostile input at each vendor's door: huge, NUL, wrong types, nesting, absurd dates. Each is
refused with a clear 4xx and nothing written; a failure while applying is recorded."""

import pytest

from connections.models import Delivery
from tests.connections.senders import (
    body_of,
    fixture,
    github_headers,
    linear_headers,
    make_source,
    now_ms,
    written,
)


@pytest.fixture
def sources(seam):
    return make_source("github", seam=seam), make_source("linear", seam=seam)


def github_issue(**changes):
    payload = fixture("github_issues_opened")
    payload["issue"] |= changes
    return payload


def linear_issue(**changes):
    payload = fixture("linear_issue_update") | {"webhookTimestamp": now_ms()}
    payload["data"] |= changes
    return payload


GITHUB = {
    "issue a list": (fixture("github_issues_opened") | {"issue": [1]}, "must be an object"),
    "number text": (github_issue(number="1"), "number must be a whole number"),
    "number huge": (github_issue(number=10**30), "number must be a whole number"),
    "title an object": (github_issue(title={"x": 1}), "title must be text"),
    "title NUL": (github_issue(title="a\u0000b"), "NUL"),
    "labels an object": (github_issue(labels={"name": "x"}), "labels must be a list"),
    "created absurd": (github_issue(created_at="9999-01-01T00:00:00Z"), "in the future"),
    "created 1970": (github_issue(created_at="1970-01-01T00:00:00Z"), "before 2000"),
    "created unparsable": (github_issue(created_at="yesterday"), "ISO 8601"),
    "no repository": (fixture("github_issues_opened") | {"repository": None}, "full_name"),
}


@pytest.mark.parametrize(("payload", "message"), GITHUB.values(), ids=GITHUB)
def test_github_refuses_what_it_cannot_read(sources, deliver, payload, message):
    body = body_of(payload)
    response = deliver("github", body, github_headers(body))
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert written() == (0, 0, 0)


LINEAR = {
    "data a list": (fixture("linear_issue_update") | {"data": [], "webhookTimestamp": None}, ""),
    "identifier a number": (linear_issue(identifier=5), "identifier must be text"),
    "state text": (linear_issue(state="started"), "state must be an object"),
    "team a list": (linear_issue(team=["ENG"]), "team must be an object"),
    "createdAt absurd": (linear_issue(createdAt="0001-01-01T00:00:00Z"), "before 2000"),
    "title too long": (linear_issue(title="x" * 5000), "longer than 300"),
}


@pytest.mark.parametrize(("payload", "message"), LINEAR.values(), ids=LINEAR)
def test_linear_refuses_what_it_cannot_read(sources, deliver, payload, message):
    if payload.get("webhookTimestamp"):  # signed now, not when the tests were collected
        payload = payload | {"webhookTimestamp": now_ms()}
    body = body_of(payload)
    response = deliver("linear", body, linear_headers(body))
    assert response.status_code in (400, 401), response.content
    assert message in response.json()["detail"]
    assert written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b'{"a": NaN}', "NaN"),
        (b"\x89{}", "not UTF-8"),
        (b"42", "Send a JSON object"),
    ],
)
def test_bodies_that_are_not_json_we_take(sources, deliver, body, message):
    response = deliver("github", body, github_headers(body))
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert written() == (0, 0, 0)


def test_a_huge_body_is_refused_before_it_is_verified(sources, deliver, settings):
    settings.WEBHOOK_MAX_BYTES = 1000
    body = body_of(github_issue(body="x" * 2000))
    assert deliver("github", body, github_headers(body)).status_code == 413
    assert deliver("github", body, {}).status_code == 413
    assert written() == (0, 0, 0)


def test_an_unknown_or_paused_source_is_404(sources, deliver):
    body = body_of(fixture("github_issues_opened"))
    assert deliver("nowhere", body, github_headers(body)).status_code == 404
    github, _ = sources
    github.active = False
    github.save()
    assert deliver("github", body, github_headers(body)).status_code == 404
    assert written() == (0, 0, 0)


def test_an_unexpected_failure_is_recorded_on_the_delivery(sources, deliver, monkeypatch):
    from connections import inbound

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(inbound, "apply_stage", broken)
    body = body_of(fixture("github_issues_opened"))
    assert deliver("github", body, github_headers(body)).status_code == 202
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert "the disk is full" in delivery.error
    assert delivery.body  # kept, so nothing is lost
    assert not delivery.source.deliveries.exclude(pk=delivery.pk).exists()
