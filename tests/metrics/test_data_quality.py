"""The data-quality check: its card on the Teams page, running it now, and polling for it."""

import pytest
from django.urls import reverse

from metrics.models import DataQualityReport

URL = reverse("seams:teams")


def test_it_shows_data_quality_only_to_those_who_run_checks(
    leader_client, ops_client, viewer_client, owner_client
):
    DataQualityReport.objects.create(
        findings=[{"code": "team-without-owner", "message": "Sales has no owner.", "url": ""}]
    )
    for client in (leader_client, ops_client):
        assert "Sales has no owner." in client.get(URL).content.decode()
    for client in (viewer_client, owner_client):
        page = client.get(URL).content.decode()
        assert "Sales has no owner." not in page
        assert reverse("metrics:run-quality-check") not in page


class TestRunQualityCheck:
    url = reverse("metrics:run-quality-check")

    def test_it_enqueues_the_check_after_commit(
        self, ops_client, team, django_capture_on_commit_callbacks, celery_eager
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = ops_client.post(self.url)
        assert response.status_code == 302
        assert len(callbacks) == 1
        report = DataQualityReport.objects.get()
        assert [f["code"] for f in report.findings] == ["team-without-owner", "team-without-leader"]

    def test_it_answers_htmx_with_a_card_that_waits_for_the_new_report(
        self, leader_client, django_capture_on_commit_callbacks
    ):
        previous = DataQualityReport.objects.create()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = leader_client.post(self.url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert len(callbacks) == 1
        page = response.content.decode()
        assert page.lstrip().startswith('<section class="card" id="data-quality"')
        assert f'hx-get="/data-quality/?after={previous.pk}&amp;polls=0"' in page
        assert "Checking…" in page

    @pytest.mark.parametrize("client_name", ["viewer_client", "owner_client"])
    def test_it_refuses_viewers_and_owners_and_enqueues_nothing(
        self, request, client_name, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = request.getfixturevalue(client_name).post(self.url)
        assert response.status_code == 403
        assert callbacks == []
        assert not DataQualityReport.objects.exists()

    def test_it_refuses_get(self, leader_client):
        assert leader_client.get(self.url).status_code == 405


class TestQualityCard:
    url = reverse("metrics:data-quality")

    def test_it_keeps_waiting_while_no_newer_report_exists(self, ops_client):
        report = DataQualityReport.objects.create()
        page = ops_client.get(self.url, {"after": report.pk, "polls": 3}).content.decode()
        assert f"after={report.pk}&amp;polls=4" in page
        assert "Checking…" in page

    def test_it_shows_the_new_report_and_stops_polling(self, ops_client):
        before = DataQualityReport.objects.create()
        DataQualityReport.objects.create(
            findings=[{"code": "team-without-owner", "message": "Legal has no owner.", "url": ""}]
        )
        page = ops_client.get(self.url, {"after": before.pk, "polls": 3}).content.decode()
        assert "Legal has no owner." in page
        assert "hx-get" not in page

    def test_it_gives_up_after_two_minutes(self, ops_client):
        report = DataQualityReport.objects.create()
        page = ops_client.get(self.url, {"after": report.pk, "polls": 60}).content.decode()
        assert "has not finished after two minutes" in page
        assert "hx-get" not in page

    def test_it_ignores_nonsense_parameters(self, ops_client):
        response = ops_client.get(self.url, {"after": "x", "polls": "y"})
        assert response.status_code == 200
        assert "hx-get" not in response.content.decode()

    def test_it_refuses_a_viewer(self, viewer_client):
        assert viewer_client.get(self.url).status_code == 403
