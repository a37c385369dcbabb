"""Who may call /scim/v2/ (the directory's bearer token, never a person's session), what is
recorded of it, and what a hostile body gets: a clear SCIM 4xx, nothing written."""

import json

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from audit.models import RefusedWrite
from identity.models import DirectoryAccount, DirectoryGroup
from seams.models import User
from tests.conftest import client_for
from tests.identity.scim_helpers import TOKEN, USER, Directory, assert_scim_error

pytestmark = pytest.mark.django_db

ROUTES = [
    "/Users",
    "/Users/8f2d3c1e-0000-4000-8000-000000000000",
    "/Users/.search",
    "/Groups",
    "/Groups/8f2d3c1e-0000-4000-8000-000000000000",
    "/Groups/.search",
    "/ServiceProviderConfig",
    "/Schemas",
    "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    "/ResourceTypes",
    "/ResourceTypes/User",
    "/Me",
    "/Bulk",
    "/.search",
    "/",
    "/Nonsense",
]


# --- The bearer token -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("route", ROUTES)
def test_every_route_refuses_a_call_without_the_token_and_records_it(settings, route, method):
    settings.SCIM_TOKEN = TOKEN
    anonymous = Directory(token="")
    response = anonymous.send(method, route, {"schemas": [USER], "userName": "eve"})
    body = assert_scim_error(response, 401)
    assert "bearer token" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    refused = RefusedWrite.objects.get()
    assert (refused.method, refused.path, refused.status) == (method, f"/scim/v2{route}", 401)
    assert refused.reason == body["detail"]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wrong-token",
        f"Token {TOKEN}",
        f"Basic {TOKEN}",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        "Bearer ünïcödé",
        "Bearer ",
        TOKEN,
    ],
)
def test_a_wrong_token_is_refused(settings, header):
    settings.SCIM_TOKEN = TOKEN
    response = Client().get("/scim/v2/Users", HTTP_AUTHORIZATION=header)
    assert_scim_error(response, 401)
    assert RefusedWrite.objects.get().method == "GET"


def test_without_a_configured_token_scim_is_off(settings):
    settings.SCIM_TOKEN = ""
    for header in ("Bearer ", "Bearer anything", ""):
        response = Client().get("/scim/v2/ServiceProviderConfig", HTTP_AUTHORIZATION=header)
        assert "turned off" in assert_scim_error(response, 401)["detail"]


def test_a_leaders_session_is_no_token(settings, leader):
    settings.SCIM_TOKEN = TOKEN
    leader_client = client_for(leader)
    assert_scim_error(leader_client.get("/scim/v2/Users"), 401)
    response = leader_client.post(
        "/scim/v2/Users",
        json.dumps({"schemas": [USER], "userName": "eve"}),
        content_type="application/scim+json",
    )
    assert_scim_error(response, 401)
    assert not User.objects.filter(username="eve").exists()
    refused = RefusedWrite.objects.order_by("at")
    assert [(r.method, r.user) for r in refused] == [("GET", leader), ("POST", leader)]


def test_the_token_over_a_leaders_session_acts_as_the_directory_not_the_leader(settings, leader):
    settings.SCIM_TOKEN = TOKEN
    directory = Directory(client_for(leader))
    created = directory.create_user("ada@example.com")
    ada = User.objects.get(directory_account__scim_id=created["id"])
    entries = LogEntry.objects.get_for_object(ada)
    assert entries.exists()
    assert {(e.actor_id, e.actor_email) for e in entries} == {(None, "SCIM directory")}


# --- The audit log ----------------------------------------------------------------------------


def test_provisioning_changes_are_in_the_audit_log_as_the_scim_directory(directory, leader):
    created = directory.create_user("ada@example.com")
    group = directory.create_group("Support", [created["id"]])
    directory.patch(
        f"/Users/{created['id']}", [{"op": "replace", "path": "active", "value": False}]
    )
    ada = User.objects.get(directory_account__scim_id=created["id"])
    account = DirectoryAccount.objects.get(user=ada)
    support = DirectoryGroup.objects.get(scim_id=group["id"])
    for obj in (ada, account, support):
        entries = LogEntry.objects.get_for_object(obj)
        assert entries.exists(), obj
        for entry in entries:
            assert entry.actor_id is None
            assert entry.actor_email == "SCIM directory"
            assert entry.additional_data == {"source": "scim"}
    deactivation = LogEntry.objects.get_for_object(ada).filter(changes__icontains="is_active")
    assert deactivation.exists()
    page = client_for(leader).get(reverse("audit:list")).content.decode()
    assert "SCIM directory" in page


# --- Deactivation ends sessions and tokens at once --------------------------------------------


def test_a_deactivated_persons_session_and_token_are_refused_on_their_next_request(directory):
    created = directory.create_user("ada@example.com")
    ada = User.objects.get(directory_account__scim_id=created["id"])
    browser = Client()
    browser.force_login(ada)
    token = Token.objects.create(user=ada)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert browser.get(reverse("identity:account")).status_code == 200
    assert api.get("/api/v1/teams/").status_code == 200

    response = directory.patch(
        f"/Users/{created['id']}", [{"op": "replace", "path": "active", "value": False}]
    )
    assert response.status_code == 200
    assert response.json()["active"] is False

    page = browser.get(reverse("identity:account"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))
    assert api.get("/api/v1/teams/").status_code == 401
    assert not Token.objects.filter(user=ada).exists()


# --- Hostile bodies ---------------------------------------------------------------------------


def deep(levels: int) -> dict:
    value: object = "x"
    for _ in range(levels):
        value = {"a": value}
    return {"schemas": [USER], "userName": "eve", "name": value}


HOSTILE = [
    ("wrong content type", "text/plain", json.dumps({"userName": "eve"}), 415, "invalidSyntax"),
    ("form post", "application/x-www-form-urlencoded", "userName=eve", 415, "invalidSyntax"),
    ("invalid JSON", "application/scim+json", '{"userName": "eve",', 400, "invalidSyntax"),
    ("not UTF-8", "application/scim+json", b'{"userName": "\xff\xfe"}', 400, "invalidSyntax"),
    ("a list", "application/scim+json", "[]", 400, "invalidSyntax"),
    ("empty", "application/scim+json", "", 400, "invalidSyntax"),
    ("a string", "application/scim+json", '"eve"', 400, "invalidSyntax"),
    ("very deep", "application/scim+json", "[" * 100_000 + "]" * 100_000, 400, "invalidSyntax"),
    ("nested", "application/scim+json", json.dumps(deep(20)), 400, "invalidValue"),
    ("NUL", "application/scim+json", json.dumps({"userName": "eve\x00"}), 400, "invalidValue"),
    ("NUL key", "application/scim+json", json.dumps({"userName": "eve", "x\x00": 1}), 400, None),
    ("number", "application/scim+json", json.dumps({"userName": 5}), 400, "invalidValue"),
    ("no userName", "application/scim+json", json.dumps({"schemas": [USER]}), 400, "invalidValue"),
    ("spaces", "application/scim+json", json.dumps({"userName": "e v e"}), 400, "invalidValue"),
    ("huge", "application/scim+json", json.dumps({"userName": "e" * 10_000}), 400, "invalidValue"),
    (
        "active",
        "application/scim+json",
        json.dumps({"userName": "eve", "active": "maybe"}),
        400,
        "invalidValue",
    ),
    (
        "emails",
        "application/scim+json",
        json.dumps({"userName": "eve", "emails": "e@x.org"}),
        400,
        "invalidValue",
    ),
    (
        "bad email",
        "application/scim+json",
        json.dumps({"userName": "eve", "emails": [{"value": "not-an-email"}]}),
        400,
        "invalidValue",
    ),
    (
        "name",
        "application/scim+json",
        json.dumps({"userName": "eve", "name": "Eve"}),
        400,
        "invalidValue",
    ),
    (
        "long name",
        "application/scim+json",
        json.dumps({"userName": "eve", "name": {"givenName": "E" * 151}}),
        400,
        "invalidValue",
    ),
    (
        "title",
        "application/scim+json",
        json.dumps({"userName": "eve", "title": ["x"]}),
        400,
        "invalidValue",
    ),
    (
        "too big",
        "application/scim+json",
        json.dumps({"userName": "eve", "x": "y" * 1_100_000}),
        413,
        "tooMany",
    ),
]


@pytest.mark.parametrize(
    ("content_type", "body", "status", "scim_type"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_a_hostile_create_is_a_clear_4xx_and_writes_nothing(
    directory, content_type, body, status, scim_type
):
    before = LogEntry.objects.count()
    response = directory.post("/Users", raw=body, content_type=content_type)
    assert_scim_error(response, status, scim_type)
    assert not User.objects.exists()
    assert not DirectoryAccount.objects.exists()
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [
        {"displayName": ""},
        {"displayName": 3},
        {"displayName": "G" * 256},
        {"displayName": "Sales", "members": [{"value": None}]},
        {"displayName": "Sales", "members": [["nested"]]},
        {"displayName": "Sales", "externalId": {"a": 1}},
    ],
)
def test_a_hostile_group_is_a_400_and_writes_nothing(directory, body):
    assert_scim_error(directory.post("/Groups", body), 400)
    assert not DirectoryGroup.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"startIndex": "1e9"},
        {"count": "ten"},
        {"filter": ""},
        {"filter": 'userName eq "' + "a" * 5000 + '"'},
        {"filter": 'userName eq "a"' + ' and userName eq "a"' * 200},
    ],
)
def test_hostile_queries_are_a_400(directory, params):
    directory.create_user("ada@example.com")
    response = directory.get("/Users", **params)
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert_scim_error(response, 400)


def test_a_replayed_group_create_is_a_conflict(directory):
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Sales"}
    assert directory.post("/Groups", body).status_code == 201
    assert_scim_error(directory.post("/Groups", body), 409, "uniqueness")
    assert DirectoryGroup.objects.count() == 1


def test_an_unknown_endpoint_with_the_token_is_a_scim_404(directory):
    assert_scim_error(directory.get("/Nonsense/deeper"), 404)
    response = directory.get("/Bulk")
    assert_scim_error(response, 501)


def test_an_address_that_keeps_failing_the_token_is_slowed_down_with_a_scim_error(settings):
    settings.SCIM_TOKEN = TOKEN
    settings.REFUSED_WRITES_ANON_RATE = "2/min"
    guesser = Directory(token="guess")
    statuses = [
        guesser.post("/Users", {"schemas": [USER], "userName": "eve"}).status_code for _ in range(4)
    ]
    assert statuses[:2] == [401, 401]
    assert statuses[-1] == 429
    response = guesser.post("/Users", {"schemas": [USER], "userName": "eve"})
    assert_scim_error(response, 429)
    assert response["Retry-After"] == "60"
    assert not User.objects.exists()
