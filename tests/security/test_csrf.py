"""CSRF: every unsafe request a browser could be tricked into sending needs the token.

Signed in as a leader (so that permission is never the reason for a refusal), with Django's
CSRF checks on: every page that takes a POST refuses one without the token, htmx or not, and
writes nothing; the API refuses a session-authenticated write without the token (DRF's
SessionAuthentication enforces it) but needs none with `Authorization: Token …`, which a
browser never sends by itself. With the token from the page (the cookie, the form field, or
the `hx-headers` on <body> that htmx sends), the same POST works.
"""

import json
import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.security.conftest import (
    METHODS,
    MODEL_BACKEND,
    UNSAFE,
    all_routes,
    fingerprint,
    send,
    url_for,
)
from tests.security.permission_matrix import MATRIX
from tests.security.test_permission_matrix import BODIES, HEADERS

pytestmark = pytest.mark.django_db

ROUTES = [route for route in all_routes() if route.name in MATRIX]
# SCIM takes the directory's bearer token, which a browser never sends by itself (as the API's
# `Authorization: Token`), and refuses any session without it (the permission matrix): no CSRF.
BEARER_ONLY = "scim:"
# Pages that take a POST (from anyone: sign-in and password reset too).
POST_PAGES = [
    route
    for route in ROUTES
    if not route.api
    and not route.name.startswith(BEARER_ONLY)
    and any(o != "method" for o in MATRIX[route.name]["POST"].values())
]
# API writes a leader is not refused for the method: what a forged request could reach.
API_WRITES = [
    (route, method)
    for route in ROUTES
    if route.api and route.name != "handoff-webhook"
    for method in METHODS
    if method in UNSAFE and MATRIX[route.name][method]["leader"] != "method"
]


def guarded_client(world, role: str = "leader") -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=True)
    client.force_login(world.users[role], backend=MODEL_BACKEND)
    return client


def is_csrf_refusal(response) -> bool:
    if response.status_code != 403:
        return False
    if response.get("Content-Type", "").startswith("application/json"):
        return "CSRF" in response.json().get("detail", "")
    return "403_csrf.html" in [t.name for t in response.templates]


def body_for(world, route, method):
    make = BODIES.get((route.name, method))
    return make(world) if make else {}


def test_it_checks_the_pages_and_the_api():
    names = {route.name for route in POST_PAGES}
    assert {"decisions:log", "seams:spec-section-edit", "login", "logout"} <= names
    assert len(POST_PAGES) > 60
    assert len(API_WRITES) > 40


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_page_refuses_a_post_without_the_token(world, htmx):
    client = guarded_client(world)
    headers = {"HX-Request": "true"} if htmx else {}
    baseline = fingerprint()
    problems = []
    for route in POST_PAGES:
        sent = send(
            client,
            "POST",
            url_for(route, world),
            body=body_for(world, route, "POST"),
            headers=headers,
            baseline=baseline,
        )
        if not is_csrf_refusal(sent.response) or sent.written:
            problems.append(
                f"POST {route.name}: {sent.response.status_code}, wrote {sent.written or 'nothing'}"
            )
    assert not problems, "Answered a POST without a CSRF token:\n" + "\n".join(problems)


def test_the_api_refuses_a_session_write_without_the_token(world):
    client = guarded_client(world)
    baseline = fingerprint()
    problems = []
    for route, method in API_WRITES:
        sent = send_api_write(client, world, route, method, baseline)
        if not is_csrf_refusal(sent.response) or sent.written:
            problems.append(
                f"{method} {route.name}: {sent.response.status_code}, "
                f"wrote {sent.written or 'nothing'}"
            )
    assert not problems, "Session writes without a CSRF token:\n" + "\n".join(problems)


def test_the_api_needs_no_csrf_token_with_token_authentication(world):
    """A client that sends `Authorization: Token …` (never a browser on its own) gets exactly
    the leader's answers of the permission matrix, with CSRF checks on."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=True)
    token = {"Authorization": f"Token {Token.objects.get(user=world.users['leader']).key}"}
    baseline = fingerprint()
    problems = []
    for route, method in API_WRITES:
        sent = send_api_write(client, world, route, method, baseline, token)
        expected = MATRIX[route.name][method]["leader"]
        if sent.outcome != expected:
            problems.append(f"{method} {route.name}: expected {expected}, got {sent.outcome}")
    assert not problems, "\n".join(problems)


def _page_token(client: Client, url: str) -> tuple[str, str]:
    """The token a page gives its forms and htmx: (form field, hx-headers on <body>)."""
    page = client.get(url).content.decode()
    field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    headers = re.search(r"<body hx-headers='([^']+)'", page).group(1)
    return field, json.loads(headers)["X-CSRFToken"]


def test_a_post_with_the_pages_token_works(world):
    client = guarded_client(world)
    field, _ = _page_token(client, "/escalations/")
    body = body_for(world, next(r for r in POST_PAGES if r.name == "decisions:escalations"), "POST")
    sent = send(client, "POST", "/escalations/", body=body | {"csrfmiddlewaretoken": field})
    assert sent.outcome == "ok", sent.response.status_code
    assert sent.written == ["decisions.Escalation (2 → 3 rows)"]


def test_an_htmx_post_with_the_token_from_hx_headers_works(world):
    """htmx sends the token <body hx-headers> carries; the partial comes back."""
    client = guarded_client(world)
    _, header = _page_token(client, "/decisions/")
    route = next(r for r in POST_PAGES if r.name == "decisions:log")
    sent = send(
        client,
        "POST",
        url_for(route, world),
        body=body_for(world, route, "POST"),
        headers={"HX-Request": "true", "X-CSRFToken": header},
    )
    assert sent.response.status_code == 200
    assert "decisionLogged" in sent.response["HX-Trigger"]
    assert "decisions.Decision (2 → 3 rows)" in sent.written


def test_a_session_api_write_with_the_cookies_token_works(world):
    """A script on the page reads the csrftoken cookie and sends it back as X-CSRFToken."""
    client = guarded_client(world)
    client.get("/decisions/")
    header = client.cookies["csrftoken"].value
    sent = send(
        client,
        "POST",
        "/api/v1/escalations/",
        body={"seam": world.seam.slug, "summary": "Missed", "cause": "other"},
        as_json=True,
        headers={"X-CSRFToken": header},
    )
    assert sent.response.status_code == 201
    assert sent.written == ["decisions.Escalation (2 → 3 rows)"]


def send_api_write(client, world, route, method: str, baseline, extra_headers=None):
    """One API write of the matrix as JSON, with its route's headers and any `extra_headers`."""
    headers = HEADERS.get((route.name, method), lambda w: {})(world) | (extra_headers or {})
    return send(
        client,
        method,
        url_for(route, world),
        body=body_for(world, route, method),
        as_json=True,
        headers=headers,
        baseline=baseline,
    )
