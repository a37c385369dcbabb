"""Every request has an id: on the response, in the logs, and on every error page, which never
shows a traceback. This module is also the URLconf of its tests: views that fail on purpose."""

import logging
import re

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from config.middleware import RequestIdFilter
from seams.models import Team

SECRET = "the database password is hunter2"


@login_not_required
def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET)


@login_not_required
def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET)


@api_view(["POST"])
@permission_classes([AllowAny])
def _api_boom(request):
    Team.objects.create(name="Half-made", slug="half-made")
    raise RuntimeError(SECRET)


urlpatterns = [
    path("boom/", _boom),
    path("suspicious/", _suspicious),
    path("api/v1/boom/", _api_boom),
    path("api/v1/suspicious/", _suspicious),
]
handler400 = "config.views.bad_request"
handler500 = "config.views.server_error"

on_failing_views = pytest.mark.urls("tests.test_request_id")


@pytest.fixture
def client() -> Client:
    # As in production: an exception becomes the 500 page instead of failing the test.
    return Client(raise_request_exception=False)


def _reference(page: str) -> str:
    return re.search(r"Reference: <code>([^<]+)</code>", page).group(1)


@pytest.mark.django_db
def test_it_gives_every_response_an_id(viewer_client):
    first = viewer_client.get("/")
    second = viewer_client.get("/")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_it_keeps_the_id_the_proxy_sent(client):
    response = client.get("/accounts/login/", headers={"X-Request-ID": "edge-7f3a.9_b"})
    assert response["X-Request-ID"] == "edge-7f3a.9_b"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming", ["a" * 65, "two words", "<script>", "id\r\nSet-Cookie: x=1", "ünïcode", ""]
)
def test_it_replaces_an_id_that_does_not_look_like_one(client, incoming):
    response = client.get("/accounts/login/", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@on_failing_views
@pytest.mark.django_db
def test_a_server_error_shows_the_reference_and_no_traceback(client, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    request_id = response["X-Request-ID"]
    assert _reference(page) == request_id
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page
    assert SECRET not in page
    assert "RuntimeError" not in page

    # The log has the traceback, under the same id, and the console format prints it.
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == request_id
    assert record.exc_info[0] is RuntimeError
    console = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert f"[{request_id}] django.request Internal Server Error: /boom/" in console.format(record)


@on_failing_views
@pytest.mark.django_db
def test_an_api_server_error_answers_json_with_the_reference(client, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post("/api/v1/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert response.json() == {
        "status": 500,
        "code": "server_error",
        "detail": "Something went wrong on our side.",
        "request_id": request_id,
    }
    assert SECRET not in response.content.decode()
    # Logged once, with the traceback and the id; and the half-made write is undone.
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert (record.request_id, record.exc_info[0]) == (request_id, RuntimeError)
    assert not Team.objects.filter(slug="half-made").exists()


@on_failing_views
@pytest.mark.django_db
def test_a_bad_request_shows_the_reference(client):
    response = client.get("/suspicious/")
    assert response.status_code == 400
    page = response.content.decode()
    assert _reference(page) == response["X-Request-ID"]
    assert SECRET not in page


@on_failing_views
@pytest.mark.django_db
def test_a_bad_api_request_answers_json_with_the_reference(client):
    response = client.get("/api/v1/suspicious/")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "bad_request",
        "detail": "Bad request.",
        "request_id": response["X-Request-ID"],
    }


def test_a_500_page_rendered_outside_a_request_has_no_reference(rf):
    from config.views import server_error

    page = server_error(rf.get("/teams/")).content.decode()
    assert "Something went wrong on our side" in page
    assert "Reference" not in page


@pytest.mark.django_db
def test_the_404_403_and_csrf_pages_show_the_reference(viewer_client, viewer):
    not_found = viewer_client.get("/no-such-page/")
    assert _reference(not_found.content.decode()) == not_found["X-Request-ID"]
    refused = viewer_client.get(reverse("seams:team-create"))
    assert refused.status_code == 403
    assert _reference(refused.content.decode()) == refused["X-Request-ID"]

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(viewer)
    expired = csrf_client.post(reverse("identity:account-token"))
    assert expired.status_code == 403
    assert _reference(expired.content.decode()) == expired["X-Request-ID"]


def test_log_lines_outside_a_request_say_so():
    record = logging.LogRecord("celery", logging.INFO, __file__, 1, "tick", None, None)
    assert RequestIdFilter().filter(record) is True
    assert record.request_id == "-"


def test_the_project_urls_use_the_error_and_docs_views():
    """config/urls.py must route to these views for the 400 page and the API docs to work."""
    from django.urls import resolve

    import config.urls

    assert config.urls.handler400 == "config.views.bad_request"
    assert resolve("/api/docs/").func.__name__ == "api_docs"
