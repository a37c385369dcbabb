import pytest
from django.db import OperationalError, connection

URL = "/healthz"


@pytest.mark.django_db
def test_it_reports_a_reachable_database_and_in_process_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] == connection.vendor
    assert body["broker"] == {
        "ok": True,
        "mode": "in-process",
        "latency_ms": body["broker"]["latency_ms"],
    }


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(URL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"] == "ConnectionError"
    assert body["database"]["ok"] is True


@pytest.mark.django_db
def test_it_answers_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["database"] == {
        "ok": False,
        "vendor": connection.vendor,
        "error": "OperationalError",
        "latency_ms": response.json()["database"]["latency_ms"],
    }


@pytest.mark.skipif("not __import__('os').environ.get('REDIS_URL')", reason="needs REDIS_URL")
@pytest.mark.django_db
def test_it_pings_the_real_redis_broker(client, settings):
    import os

    settings.REDIS_URL = os.environ["REDIS_URL"]
    body = client.get(URL).json()
    assert body["broker"]["ok"] is True
    assert body["broker"]["mode"] == "redis"


@pytest.mark.django_db
def test_it_is_never_cached(client):
    assert "no-cache" in client.get(URL)["Cache-Control"]
