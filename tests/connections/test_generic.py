"""Seamline's JSON signed by Standard Webhooks, and the deprecated X-Seamline-* headers."""

import time

import pytest

from connections.models import Delivery
from seams.models import Handoff
from tests.connections.senders import (
    body_of,
    fixture,
    legacy_headers,
    make_source,
    standard_headers,
    written,
)


@pytest.fixture
def generic(db):
    return make_source("generic")


def row(seam, **changes):
    return fixture("generic_handoff") | {"seam": seam.slug} | changes


def test_a_standard_webhook_is_applied(generic, seam, deliver):
    body = body_of([row(seam), row(seam, external_id="T-2", title="Second")])
    response = deliver("generic", body, standard_headers(body))
    assert response.status_code == 202
    assert set(Handoff.objects.values_list("external_id", flat=True)) == {"T-1", "T-2"}
    assert Delivery.objects.get().status == "applied"


def test_wrong_secret_expired_timestamp_and_replay(generic, seam, deliver):
    body = body_of(row(seam))
    before = written()
    wrong = standard_headers(body, secret="whsec_" + "QUJD" * 8)
    assert deliver("generic", body, wrong).status_code == 401
    old = deliver("generic", body, standard_headers(body, at=time.time() - 301))
    assert old.status_code == 401
    assert "5 minutes" in old.json()["detail"]
    assert written() == before
    headers = standard_headers(body, msg_id="msg_1")
    assert deliver("generic", body, headers).status_code == 202
    before = written()
    assert deliver("generic", body, headers).json()["status"] == "duplicate"
    assert written() == before


def test_rows_that_cannot_be_taken_are_refused_with_why(generic, deliver):
    body = body_of({"seam": "nowhere", "external_id": "T-1", "title": "x"})
    response = deliver("generic", body, standard_headers(body))
    assert response.status_code == 400
    assert "seam" in response.json()["detail"]
    assert not Delivery.objects.exists()


def test_the_deprecated_headers_keep_working(seam, deliver):
    make_source("generic", slug="ticketing", secret="s3cret-shared-with-the-tool")
    body = body_of(row(seam))
    response = deliver("ticketing", body, legacy_headers(body, delivery="d-1"))
    assert response.status_code == 202
    assert Handoff.objects.filter(source="ticketing", external_id="T-1").exists()
    again = deliver("ticketing", body, legacy_headers(body, delivery="d-1"))
    assert again.json()["status"] == "duplicate"
    late = deliver("ticketing", body, legacy_headers(body, at=time.time() - 400))
    assert late.status_code == 401
    assert "replay" in late.json()["detail"]
