"""API throttling: past its rate, a client gets 429 with Retry-After, in the API's error shape.

Each test starts with no requests counted: conftest.py gives every test its own cache keys."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from config.api import router

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(monkeypatch):
    # DRF copies the rates onto the throttle class when it is imported, so a settings
    # override would come too late.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "3/min"})


def test_every_api_view_is_throttled_per_user_and_per_address():
    configured = api_settings.DEFAULT_THROTTLE_CLASSES
    assert configured == [AnonRateThrottle, UserRateThrottle]
    for _, viewset, _ in router.registry:
        assert viewset.throttle_classes == configured, viewset


def test_the_default_rates_leave_room_for_people_and_scripts():
    assert api_settings.DEFAULT_THROTTLE_RATES == {"anon": "60/min", "user": "600/min"}


@pytest.mark.usefixtures("low_rates")
def test_it_answers_429_with_retry_after_past_the_rate(viewer_client):
    for _ in range(3):
        assert viewer_client.get("/api/v1/teams/").status_code == 200
    response = viewer_client.get("/api/v1/teams/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    body = response.json()
    assert (body["status"], body["code"]) == (429, "throttled")


@pytest.mark.usefixtures("low_rates")
def test_it_counts_a_person_not_a_session(client, viewer_client, viewer):
    """A token and a browser session of the same person share one allowance."""
    token = Token.objects.create(user=viewer)
    for _ in range(3):
        assert viewer_client.get("/api/v1/teams/").status_code == 200
    response = client.get("/api/v1/teams/", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 429


@pytest.mark.usefixtures("low_rates")
def test_one_person_past_the_rate_does_not_slow_another(viewer_client, ops_client):
    for _ in range(4):
        viewer_client.get("/api/v1/teams/")
    assert ops_client.get("/api/v1/teams/").status_code == 200


def test_it_counts_in_the_shared_cache(viewer_client, viewer):
    """Every web process sees the same count: it is kept in the default cache (Redis in
    production), not in the process."""
    viewer_client.get("/api/v1/teams/")
    viewer_client.get("/api/v1/teams/")
    key = SimpleRateThrottle.cache_format % {"scope": "user", "ident": viewer.pk}
    assert len(cache.get(key)) == 2
