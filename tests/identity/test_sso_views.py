"""The single sign-on pages: starting, a callback that doesn't check out (state, replay, the
provider's error, another issuer), signing out at the provider, the audit log's entries, and
the discovery document."""

from urllib.parse import parse_qs, urlsplit

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache

from audit.models import RefusedWrite
from identity.oidc import ProviderUnavailable, discovery, forget_discovery
from seams.models import User
from tests.factories import UserFactory
from tests.identity.provider import TEST_CLIENT, provider_answer, sign_in_with_provider

pytestmark = pytest.mark.django_db


def _start(client, next_url: str = "/") -> dict:
    response = client.get("/oidc/authenticate/", {"next": next_url})
    assert response.status_code == 302
    return response


def test_it_starts_with_state_nonce_and_a_pkce_challenge(client, sso):
    response = _start(client, "/teams/")

    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{sso.issuer}/auth"
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == "seamline"
    assert query["redirect_uri"] == f"{TEST_CLIENT}/oidc/callback/"
    assert query["scope"] == "openid email profile groups"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32
    assert len(query["nonce"]) >= 32
    assert client.session["oidc_states"][query["state"]]["nonce"] == query["nonce"]
    assert client.session["oidc_login_next"] == "/teams/"


def test_it_drops_a_next_address_on_another_site(client, sso):
    _start(client, "https://evil.example/")
    assert client.session["oidc_login_next"] is None


@pytest.mark.parametrize("url", ["/oidc/authenticate/", "/oidc/callback/?code=a&state=b"])
def test_it_says_single_sign_on_is_not_set_up(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Single sign-on is not set up" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_answers_only_get(client, sso, method):
    assert getattr(client, method)("/oidc/callback/").status_code == 405
    assert getattr(client, method)("/oidc/authenticate/").status_code == 405


def _callback_query(client, username: str) -> str:
    callback = provider_answer(_start(client)["Location"], username)
    return callback.removeprefix(f"{TEST_CLIENT}/oidc/callback/")


def test_it_refuses_a_callback_with_another_state(client, sso):
    query = _callback_query(client, "victor")
    state = parse_qs(query[1:])["state"][0]

    response = client.get("/oidc/callback/" + query.replace(state, "x" * len(state)))

    assert response.status_code == 400
    assert "This sign-in could not be checked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_it_refuses_a_replayed_callback(client, sso):
    query = _callback_query(client, "victor")
    assert client.get("/oidc/callback/" + query).status_code == 302
    client.logout()

    response = client.get("/oidc/callback/" + query)

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_callback_in_another_browser(client, sso):
    from django.test import Client

    query = _callback_query(client, "victor")
    other = Client()

    response = other.get("/oidc/callback/" + query)

    assert response.status_code == 400
    assert "_auth_user_id" not in other.session


def test_it_refuses_an_answer_naming_another_issuer(client, sso):
    query = _callback_query(client, "victor")
    query = query.replace("iss=", "iss=https%3A%2F%2Fevil.example&was=")

    response = client.get("/oidc/callback/" + query)

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_it_shows_the_providers_error(client, sso):
    state = parse_qs(urlsplit(_start(client)["Location"]).query)["state"][0]

    response = client.get(
        "/oidc/callback/",
        {"error": "access_denied", "error_description": "<b>No</b> access", "state": state},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Your identity provider did not sign you in" in page
    assert "&lt;b&gt;No&lt;/b&gt; access" in page
    assert state not in client.session["oidc_states"]


def test_it_refuses_a_code_the_provider_does_not_know(client, sso):
    query = _callback_query(client, "victor")
    code = parse_qs(query[1:])["code"][0]

    response = client.get("/oidc/callback/" + query.replace(code, "not-a-code"))

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["", "?state=", "?code=", "?code=a&state=b", "?code=%00&state=%00", "?state=" + "x" * 5000],
)
def test_it_refuses_odd_callbacks(client, sso, query):
    _start(client)
    response = client.get("/oidc/callback/" + query)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_it_signs_out_at_the_provider_too(client, sso):
    sign_in_with_provider(client, "victor")
    id_token = client.session["oidc_id_token"]

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{sso.issuer}/session/end"
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert query == {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": f"{TEST_CLIENT}/accounts/login/",
        "client_id": "seamline",
    }
    assert "_auth_user_id" not in client.session
    assert client.get("/teams/").status_code == 302


def test_it_signs_a_password_session_out_at_home(client, sso):
    person = UserFactory(username="pat")
    client.force_login(person)

    response = client.post("/accounts/logout/")

    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_it_records_each_single_sign_on_in_the_audit_log(client, sso, leader_client):
    from identity.models import GroupMapping

    GroupMapping.objects.create(group="seamline-leaders", role=GroupMapping.Role.LEADER)
    sign_in_with_provider(client, "lena")

    lena = User.objects.get(email="lena@example.com")
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.content_type.model_class() is User
    assert entry.object_pk == str(lena.pk)
    assert entry.actor == lena
    assert entry.additional_data == {
        "kind": "sso_sign_in",
        "issuer": sso.issuer,
        "subject": "lena",
        "groups": ["seamline-leaders", "Security"],
    }
    page = leader_client.get("/audit/").content.decode()
    assert "Signed in with single sign-on" in page
    assert "seamline-leaders, Security" in page
    signed_in = leader_client.get("/audit/", {"action": "signed_in"}).content.decode()
    assert "Signed in with single sign-on" in signed_in
    assert "Created" not in signed_in.split('id="audit-table"')[1]
    export = b"".join(leader_client.get("/audit/export.csv").streaming_content).decode()
    assert "Signed in with single sign-on: issuer " in export


def test_it_records_a_refused_single_sign_on(client, sso):
    sign_in_with_provider(client, "mallory")

    refusal = RefusedWrite.objects.get()
    assert refusal.status == 403
    assert refusal.username == "mallory@example.com"
    assert refusal.reason == (
        "Single sign-on refused (mallory@example.com): Your email address is not verified."
    )
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.parametrize(
    "query",
    ["?code=a&state=b", "?error=access_denied&state=b", "?error=x&error_description=%00"],
)
def test_it_records_nothing_for_a_callback_that_never_started_here(client, sso, query):
    _start(client)

    assert client.get("/oidc/callback/" + query).status_code == 400

    assert not RefusedWrite.objects.exists()


def test_it_records_a_provider_error_for_a_sign_in_that_started_here(client, sso):
    state = parse_qs(urlsplit(_start(client)["Location"]).query)["state"][0]

    client.get("/oidc/callback/", {"error": "access_denied", "state": state})

    assert RefusedWrite.objects.get().reason == (
        "Single sign-on refused: Your identity provider did not sign you in."
    )


def test_it_refuses_a_discovery_document_of_another_issuer(client, sso, settings):
    # The provider answers at localhost too, but names itself 127.0.0.1: not the issuer asked.
    settings.OIDC_ISSUER = sso.issuer.replace("127.0.0.1", "localhost")
    forget_discovery()

    with pytest.raises(ProviderUnavailable, match="names another issuer"):
        discovery()
    response = client.get("/oidc/authenticate/")

    assert response.status_code == 503
    assert "Your identity provider can&#x27;t be reached" in response.content.decode()


def test_it_refuses_when_the_provider_is_down(client, sso, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"
    forget_discovery()

    response = client.get("/oidc/authenticate/")

    assert response.status_code == 503


def test_it_reads_the_discovery_document_once(sso, settings):
    first = discovery()
    assert first["issuer"] == sso.issuer
    assert first["end_session_endpoint"] == f"{sso.issuer}/session/end"
    assert cache.get(f"oidc-discovery:{sso.issuer}") == first
    # Cached: a second read asks nobody (the provider would not answer at this address).
    cache.set(f"oidc-discovery:{sso.issuer}", {**first, "token_endpoint": "cached"})
    assert discovery()["token_endpoint"] == "cached"


@pytest.mark.parametrize(
    ("next_url", "kept"),
    [
        ("/teams/?q=a", "/teams/?q=a"),
        ("/teams/\x00", None),
        ("\x00", None),
        ("//evil.example/", None),
        ("javascript:alert(1)", None),
        ("/" + "x" * 10000, None),
    ],
)
def test_it_keeps_only_a_safe_next_address(client, sso, next_url, kept):
    response = client.get("/oidc/authenticate/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"].startswith(f"{sso.issuer}/auth?")
    assert client.session["oidc_login_next"] == kept
