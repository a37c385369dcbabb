"""Every page needs a signed-in user; the API answers 401/403 instead of redirecting."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import TeamFactory

# Pages an anonymous visitor may open: signing in and recovering a password, and health.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    # Signed with HMAC instead of a session or token (connections.hooks); refused without one.
    "handoff-webhook",
    # Single sign-on's start and the identity provider's way back: signing in happens there.
    "identity:oidc-authenticate",
    "identity:oidc-callback",
}
SAMPLE_KWARGS = {
    "slug": "sales",
    "uidb64": "MQ",
    "token": "set-password",
    "section": "sla",
    "number": 1,
    "seam_slug": "sales",
    "seam": "sales",
    "pk": 1,
    "move": "start",
    "source": "jira",
    "uuid": "8f2d3c1e-0000-4000-8000-000000000000",
    "rest": "Nonsense",
}
# SCIM (/scim/v2/) takes the directory's bearer token only: no sign-in page to send anyone to,
# a 401 with a SCIM error instead (tests/identity/test_scim_gate.py).
BEARER_ONLY = "scim:"


def named_routes(resolver=None, namespace=""):
    """(name, pattern) for every named URL pattern, outside the admin and the API."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or str(entry.pattern).startswith("api/v1/"):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def url_for(name, pattern) -> str:
    names = pattern.pattern.converters or pattern.pattern.regex.groupindex
    kwargs = {k: SAMPLE_KWARGS[k] for k in names}
    return reverse(name, kwargs=kwargs)


ROUTES = sorted({name: url_for(name, pattern) for name, pattern in named_routes()}.items())


def test_it_knows_every_route_it_checks():
    names = {name for name, _ in ROUTES}
    assert {"home", "seams:team-detail", "identity:account", "api-docs"} <= names
    assert {"scim:users", "scim:groups", "scim:service-provider-config"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), [r for r in ROUTES if r[0] not in PUBLIC])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_anonymous_visitors_to_sign_in(client, name, url, method):
    TeamFactory(name="Sales")
    response = getattr(client, method)(url)
    if name.startswith(BEARER_ONLY):
        assert response.status_code == 401, f"{name} answered {response.status_code}"
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        return
    if name == "api-schema":
        assert response.status_code in (401, 403)
        return
    assert response.status_code == 302, f"{name} answered {response.status_code}"
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_of_the_admin_to_its_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/teams/", "/api/v1/teams/sales/"])
def test_it_refuses_anonymous_api_requests(client, url):
    TeamFactory(name="Sales")
    response = client.get(url)
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_it_redirects_an_unknown_page_to_sign_in_rather_than_admitting_it_exists(client):
    assert client.get("/no-such-page/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/oidc/authenticate/", "/oidc/callback/?code=c&state=s"])
def test_it_lets_anonymous_visitors_through_single_sign_on(client, settings, url):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    settings.OIDC_RP_CLIENT_ID = "seamline"
    response = client.get(url)
    # Not sent to sign in: the start says the provider can't be reached, the callback that
    # this sign-in can't be checked (it never started).
    assert response.status_code == (503 if "authenticate" in url else 400)
