"""The shell every page shares, error pages, and the API's documentation."""

import pytest
from django.test import Client
from django.urls import reverse


def test_it_shows_the_navigation_the_user_and_the_role(owner_client):
    page = owner_client.get("/", follow=True).content.decode()
    labels = (
        "Today",
        "Review",
        "Metrics",
        "Seams",
        "Contracts",
        "Decisions",
        "Dependencies",
        "Handoffs",
    )
    for label in (*labels, "Teams", "My seams"):
        assert f">{label}</a>" in page
    assert 'aria-current="page">My seams' in page  # team owners land on their seams
    assert "Owen Owner" in page
    assert "Team owner" in page
    assert "/static/django_htmx/htmx-2" in page  # served locally, no CDN
    assert "X-CSRFToken" in page


@pytest.mark.parametrize(
    "name",
    ["seams:list", "contracts:list", "decisions:list", "decisions:dependencies", "seams:handoffs"],
)
def test_it_marks_each_section_current_in_the_navigation(viewer_client, name):
    page = viewer_client.get(reverse(name)).content.decode()
    assert page.count('aria-current="page"') == 1


def test_it_shows_a_friendly_404_to_a_signed_in_user(viewer_client):
    response = viewer_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "This page doesn't exist" in response.content.decode()


def test_it_explains_a_refused_action(viewer_client):
    response = viewer_client.get(reverse("seams:team-create"))
    assert response.status_code == 403
    assert "Only leaders change teams" in response.content.decode()


@pytest.mark.django_db
def test_it_shows_a_friendly_page_for_a_missing_csrf_token(viewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    response = client.post(reverse("identity:account-token"))
    assert response.status_code == 403
    assert "Please try that again" in response.content.decode()


@pytest.mark.django_db
def test_it_answers_api_errors_as_json(viewer_client, settings):
    response = viewer_client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Not found."}


def test_it_answers_a_500_under_api_as_json_and_elsewhere_as_a_page(rf):
    from config.views import server_error

    api = server_error(rf.get("/api/v1/teams/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
    page = server_error(rf.get("/teams/"))
    assert page.status_code == 500
    assert b"Something went wrong on our side" in page.content


def test_it_renders_the_500_page_even_when_static_files_are_broken(rf, settings, tmp_path):
    from config.views import server_error

    settings.STATIC_ROOT = tmp_path  # no manifest: every {% static %} would raise
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    response = server_error(rf.get("/teams/"))
    assert response.status_code == 500
    assert b'href="/static/css/seamline.css"' in response.content


def test_it_serves_the_openapi_schema_to_signed_in_users(viewer_client):
    response = viewer_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/teams/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_it_serves_api_docs_from_local_assets(viewer_client):
    page = viewer_client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()


def test_it_generates_an_openapi_schema_without_warnings(tmp_path):
    from django.core.management import call_command

    schema = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))
    assert "/api/v1/teams/{slug}/" in schema.read_text()


def test_the_log_menu_is_on_every_page_for_those_who_log(ops_client, viewer_client):
    assert 'href="/decisions/#id_question">A decision' in ops_client.get("/seams/").content.decode()
    assert "A decision</a>" not in viewer_client.get("/seams/").content.decode()
