"""Sign-in lockout (django-axes), through the real sign-in page: five wrong passwords for one
username from one address pause that pair for 15 minutes; nobody else is affected."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lockout_on(settings):
    settings.AXES_ENABLED = True  # the suite's default is off (see conftest)


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def fail(client: Client, username: str, times: int):
    for _ in range(times):
        response = sign_in(client, username, "wrong")
    return response


def test_it_allows_four_wrong_passwords_and_then_the_right_one(client, viewer):
    assert fail(client, "viewer", 4).status_code == 200
    response = sign_in(client, "viewer", PASSWORD)
    assert response.status_code == 302
    assert client.get("/", follow=True).status_code == 200


def _clock(moment) -> str:
    return timezone.localtime(moment + timedelta(minutes=15)).strftime("%H:%M")


def test_it_locks_out_after_five_wrong_passwords(client, viewer):
    before = timezone.now()
    response = fail(client, "viewer", 5)
    after = timezone.now()
    assert response.status_code == 429
    assertTemplateUsed(response, "registration/locked_out.html")
    page = response.content.decode()
    assert "Too many wrong passwords" in page
    assert "paused for 15 minutes" in page
    # "Try again after HH:MM", in the organisation's time zone.
    assert any(f"{_clock(moment)}</time>" in page for moment in (before, after))
    assert response["Retry-After"] == "900"


def test_it_refuses_the_right_password_while_locked_out(client, viewer):
    fail(client, "viewer", 5)
    response = sign_in(client, "viewer", PASSWORD)
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    assert client.get("/").status_code == 302  # not signed in


def test_it_does_not_lock_out_another_person_or_the_same_person_elsewhere(client, viewer, ops):
    fail(client, "viewer", 5)
    assert sign_in(client, "ops", PASSWORD).status_code == 302

    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert sign_in(elsewhere, "viewer", PASSWORD).status_code == 302


def test_behind_a_proxy_it_locks_out_the_address_the_proxy_saw(viewer, settings):
    settings.PROXY_COUNT = 1
    # The proxy appends what it saw; what comes before it is the client's own to forge.
    attacker = Client(REMOTE_ADDR="10.0.0.2")
    for forged in range(5):
        attacker.post(
            reverse("login"),
            {"username": "viewer", "password": "wrong"},
            headers={"X-Forwarded-For": f"192.0.2.{forged}, 198.51.100.7"},
        )
    locked = sign_in(
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7"), "viewer", PASSWORD
    )
    assert locked.status_code == 429
    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert sign_in(colleague, "viewer", PASSWORD).status_code == 302


def test_it_lets_the_person_in_after_the_cool_off(client, viewer):
    fail(client, "viewer", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "viewer", PASSWORD).status_code == 302


def test_an_attempt_while_locked_out_starts_the_wait_again(client, viewer):
    fail(client, "viewer", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    assert sign_in(client, "viewer", PASSWORD).status_code == 429
    # The 15 minutes now count from this attempt, not from the fifth wrong password.
    [attempt] = AccessAttempt.objects.all()
    assert attempt.attempt_time > timezone.now() - timedelta(minutes=1)


def test_a_successful_sign_in_starts_the_count_again(client, viewer):
    fail(client, "viewer", 4)
    assert sign_in(client, "viewer", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert fail(client, "viewer", 4).status_code == 200
    assert sign_in(client, "viewer", PASSWORD).status_code == 302


def test_it_counts_failures_for_unknown_usernames_too(client):
    assert fail(client, "nobody", 5).status_code == 429


def test_the_limit_and_the_wait_come_from_settings(client, viewer, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=90)
    response = fail(client, "viewer", 2)
    assert response.status_code == 429
    assert "paused for 90 minutes" in response.content.decode()
    assert response["Retry-After"] == "5400"


def test_api_tokens_keep_working(client, viewer):
    """Token authentication does not go through the sign-in page, so Axes never sees it."""
    token = Token.objects.create(user=viewer)
    response = client.get("/api/v1/teams/", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
