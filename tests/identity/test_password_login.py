"""The sign-in page with single sign-on beside passwords, and PASSWORD_LOGIN=0: only
superusers sign in with a password, and password reset is off."""

import pytest
from django.test import Client

from identity.backends import PasswordBackend
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ISSUER = "https://login.example.com"


@pytest.fixture
def sso_configured(settings):
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "seamline"


@pytest.fixture
def passwords_off(settings, sso_configured):
    settings.PASSWORD_LOGIN = False


def _sign_in(client: Client, username: str, password: str = PASSWORD, url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password})


def test_it_shows_only_the_password_form_without_single_sign_on(client):
    page = client.get("/accounts/login/?next=/teams/").content.decode()
    assert 'name="password"' in page
    assert "Sign in with single sign-on" not in page
    assert "Forgot your password?" in page


def test_it_offers_single_sign_on_beside_the_password(client, sso_configured):
    page = client.get("/accounts/login/?next=/teams/").content.decode()
    assert '<a class="button button-block" href="/oidc/authenticate/?next=%2Fteams%2F">' in page
    assert "Sign in with single sign-on" in page
    assert 'name="password"' in page


def test_it_shows_no_password_form_when_passwords_are_off(client, passwords_off):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with single sign-on" in page
    assert 'name="password"' not in page
    assert "Forgot your password?" not in page
    assert 'href="/admin/login/?next=/"' in page


def test_it_keeps_the_password_form_when_passwords_are_off_without_single_sign_on(client, settings):
    settings.PASSWORD_LOGIN = False
    assert 'name="password"' in client.get("/accounts/login/").content.decode()


def test_it_refuses_a_persons_password_when_passwords_are_off(client, passwords_off):
    UserFactory(username="pat")

    response = _sign_in(client, "pat")

    assert response.status_code == 200
    assert "Passwords are turned off here: sign in with single sign-on." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_staff_members_password_in_the_admin_when_passwords_are_off(
    client, passwords_off
):
    UserFactory(username="staff", is_staff=True)

    _sign_in(client, "staff", url="/admin/login/")

    assert "_auth_user_id" not in client.session


def test_it_says_the_same_for_a_wrong_password_when_passwords_are_off(client, passwords_off):
    UserFactory(username="root", is_superuser=True)

    response = _sign_in(client, "root", "wrong")

    assert "Passwords are turned off here" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_it_lets_a_superuser_in_with_a_password_when_passwords_are_off(client, passwords_off, url):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)

    response = _sign_in(client, "root", url=url)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(root.pk)


def test_it_lets_people_in_with_a_password_by_default(client, sso_configured):
    pat = UserFactory(username="pat")
    _sign_in(client, "pat")
    assert client.session["_auth_user_id"] == str(pat.pk)


def test_it_turns_password_reset_off(client, passwords_off):
    UserFactory(username="pat", email="pat@example.com")

    for response in (
        client.get("/accounts/password_reset/"),
        client.post("/accounts/password_reset/", {"email": "pat@example.com"}),
    ):
        assert response.status_code == 404
        assert "Password reset is off" in response.content.decode()


def test_it_refuses_a_deactivated_person_whatever_the_setting(rf):
    person = UserFactory(username="gone", is_active=False)
    assert not PasswordBackend().user_can_authenticate(person)


def test_it_never_starts_single_sign_on_from_a_password_sign_in(client, sso_configured):
    # A password sign-in whose address carries a code and state: no token exchange (the
    # provider's address does not even exist), just the password check.
    pat = UserFactory(username="pat")
    client.post("/accounts/login/?code=x&state=y", {"username": "pat", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(pat.pk)


def test_it_warns_of_settings_that_leave_single_sign_on_off(settings):
    from identity.checks import sign_in_settings

    assert sign_in_settings(None) == []
    settings.OIDC_ISSUER = ISSUER
    assert [w.id for w in sign_in_settings(None)] == ["identity.W001"]
    settings.PASSWORD_LOGIN = False
    assert [w.id for w in sign_in_settings(None)] == ["identity.W001", "identity.W002"]
    settings.OIDC_RP_CLIENT_ID = "seamline"
    assert sign_in_settings(None) == []
