"""The inbound sources pages: list, create, rules, statuses, secret rotation, test delivery."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from audit import registry
from connections.models import Delivery, MappingRule, Source, SourceSecret
from seams.models import Handoff
from tests.connections.senders import body_of, fixture, jira_headers, make_source
from tests.factories import SeamFactory


@pytest.fixture
def other_seam(seam):
    return SeamFactory(name="Legal review", from_team=seam.to_team, to_team=seam.from_team)


@pytest.fixture
def jira(seam):
    return make_source("jira", slug="jira-cloud", seam=seam)


def detail(source):
    return reverse("connections:source-detail", args=[source.slug])


def test_the_account_menu_leads_everyone_to_the_sources(viewer_client, leader_client):
    link = f'<a href="{reverse("connections:source-list")}">Inbound sources</a>'
    channels = reverse("connections:channel-list")
    viewer_home = viewer_client.get("/", follow=True).content.decode()
    assert link in viewer_home
    assert channels not in viewer_home  # outbound channels are for leaders and ops
    leader_home = leader_client.get("/", follow=True).content.decode()
    assert link in leader_home
    assert channels in leader_home


def test_it_lists_sources_to_everyone_without_secrets(
    jira, viewer_client, django_assert_max_num_queries
):
    make_source("github", slug="gh")
    with django_assert_max_num_queries(12):
        page = viewer_client.get(reverse("connections:source-list")).content.decode()
    assert "Jira" in page
    assert "/api/v1/hooks/handoffs/gh/" in page
    assert "s3cret" not in page
    assert "New source" not in page  # viewers don't manage


def test_it_creates_a_source_and_shows_its_secret_once(ops_client, db):
    response = ops_client.post(
        reverse("connections:source-create"),
        {"kind": "generic", "name": "Ticketing", "slug": "ticketing"},
    )
    source = Source.objects.get(slug="ticketing")
    assert response["Location"] == detail(source)
    secret = source.secrets.get()
    assert secret.value.startswith("whsec_")
    first = ops_client.get(detail(source)).content.decode()
    assert secret.value in first
    assert "/api/v1/hooks/handoffs/ticketing/" in first
    assert secret.value not in ops_client.get(detail(source)).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "jira", "name": "", "slug": "x"}, "name", "required"),
        ({"kind": "jira", "name": "J", "slug": "Not a slug!"}, "slug", "valid"),
        ({"kind": "nope", "name": "J", "slug": "j"}, "kind", "valid choice"),
        ({"kind": "jira", "name": "J", "slug": "jira-cloud"}, "slug", "already exists"),
        ({"kind": "jira", "name": "J" * 500, "slug": "j"}, "name", "at most 120"),
    ],
)
def test_it_refuses_a_bad_source_with_a_clear_error(leader_client, jira, data, field, message):
    response = leader_client.post(reverse("connections:source-create"), data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert Source.objects.count() == 1


def test_viewers_and_owners_cannot_manage(jira, viewer_client, owner_client):
    for client in (viewer_client, owner_client):
        assert client.get(reverse("connections:source-create")).status_code == 403
        response = client.post(reverse("connections:source-rotate", args=[jira.slug]), {})
        assert response.status_code == 403
    assert jira.secrets.count() == 1
    page = viewer_client.get(detail(jira)).content.decode()
    assert "Rotate secret" not in page
    assert "Mapping rules" in page


def test_rules_are_added_reordered_edited_and_removed(leader_client, jira, seam, other_seam):
    url = reverse("connections:source-rule-add", args=[jira.slug])
    leader_client.post(url, {"field": "project", "value": " INT ", "seam": other_seam.pk})
    bad = leader_client.post(url, {"field": "label", "value": "", "seam": seam.pk})
    assert bad.status_code == 400
    assert "Say what it must be" in bad.content.decode()
    _catch_all, project = jira.rules.all()
    assert (project.field, project.value, project.seam) == ("project", "INT", other_seam)
    edit = reverse("connections:source-rule-edit", args=[jira.slug, project.pk])
    leader_client.post(edit, {"action": "up"})
    assert list(jira.rules.values_list("field", flat=True)) == ["project", "any"]
    leader_client.post(edit, {"field": "label", "value": "customer", "seam": seam.pk})
    project.refresh_from_db()
    assert (project.field, project.value) == ("label", "customer")
    leader_client.post(edit, {"action": "remove"})
    assert list(jira.rules.values_list("field", flat=True)) == ["any"]


def test_first_matching_rule_wins_and_unmatched_are_counted(jira, seam, other_seam, deliver):
    jira.rules.all().delete()
    MappingRule.objects.create(source=jira, position=1, field="label", value="sso", seam=other_seam)
    MappingRule.objects.create(source=jira, position=2, field="project", value="int", seam=seam)
    payload = fixture("jira_issue_updated")  # project INT, labels customer and sso
    deliver("jira-cloud", body_of(payload), jira_headers(body_of(payload)))
    assert Handoff.objects.get().seam == other_seam
    other = fixture("jira_issue_updated")
    other["issue"] |= {"key": "OPS-1", "id": "1"}
    other["issue"]["fields"] |= {"project": {"key": "OPS"}, "labels": [], "components": []}
    deliver("jira-cloud", body_of(other), jira_headers(body_of(other)))
    assert not Handoff.objects.filter(external_id="OPS-1").exists()
    assert jira.counts()["unmatched"] == 1
    assert Delivery.objects.get(reason="unmatched").status == "ignored"


@pytest.mark.parametrize("day", [1, 3, 28])
def test_a_rotated_secret_overlaps_then_expires(leader_client, jira, deliver, day):
    with time_machine.travel(datetime(2026, 11, day, 9, tzinfo=UTC), tick=False):
        url = reverse("connections:source-rotate", args=[jira.slug])
        response = leader_client.post(url, {"overlap_hours": "24"})
        assert response.status_code == 302
        new = jira.secrets.get(expires_at__isnull=True).value
        assert new in leader_client.get(detail(jira)).content.decode()
        payload = fixture("jira_issue_updated") | {"timestamp": 1763380800000}
        body = body_of(payload)
        old = jira_headers(body)  # signed with the old secret
        assert deliver("jira-cloud", body, old).status_code == 202
    later = datetime(2026, 11, day, 9, tzinfo=UTC) + timedelta(hours=25)
    with time_machine.travel(later, tick=False):
        other = body_of(payload | {"timestamp": 1763380900000})
        assert deliver("jira-cloud", other, jira_headers(other)).status_code == 401
        assert deliver("jira-cloud", other, jira_headers(other, secret=new)).status_code == 202


def test_rotation_refuses_a_bad_overlap_or_a_short_secret(leader_client, jira):
    url = reverse("connections:source-rotate", args=[jira.slug])
    for data in ({"overlap_hours": "-1"}, {"overlap_hours": "x"}, {"overlap_hours": "9999"}):
        assert leader_client.post(url, data).status_code == 400
    response = leader_client.post(url, {"overlap_hours": "1", "value": "short"})
    assert "at least 16" in response.content.decode()
    assert jira.secrets.count() == 1
    leader_client.post(url, {"overlap_hours": "0", "value": "a-secret-from-linear-123"})
    assert jira.live_secrets() == ["a-secret-from-linear-123"]


def test_statuses_must_be_both_named_or_both_empty(leader_client, jira):
    url = reverse("connections:source-statuses", args=[jira.slug])
    response = leader_client.post(url, {"started_statuses": "Doing", "done_statuses": ""})
    assert response.status_code == 400
    assert "Name both" in response.content.decode()
    leader_client.post(url, {"started_statuses": "Doing", "done_statuses": "Done", "active": "on"})
    jira.refresh_from_db()
    assert (jira.started_statuses, jira.done_statuses, jira.active) == ("Doing", "Done", True)


@pytest.mark.parametrize("kind", ["jira", "github", "linear", "generic"])
def test_a_test_delivery_goes_through_the_real_path_and_keeps_nothing(leader_client, seam, kind):
    source = make_source(kind, slug=f"{kind}-test", seam=seam)
    response = leader_client.post(
        reverse("connections:source-test", args=[source.slug]), follow=True
    )
    page = response.content.decode()
    assert "Signed test delivery accepted" in page, page
    assert not Handoff.objects.exists()
    kept = Delivery.objects.get()
    assert (kept.status, kept.reason, kept.seam) == ("applied", "test", seam)


def test_a_test_delivery_without_a_rule_says_so(leader_client, db):
    source = make_source("jira", slug="bare")
    response = leader_client.post(reverse("connections:source-test", args=["bare"]), follow=True)
    assert "no mapping rule matched" in response.content.decode()
    assert source.deliveries.get().status == "ignored"


def test_deliveries_are_paged_and_the_htmx_request_gets_the_partial(
    leader_client, jira, django_assert_max_num_queries
):
    Delivery.objects.bulk_create(
        Delivery(source=jira, event="jira:issue_updated", status="failed", error=f"E{n}")
        for n in range(30)
    )
    with django_assert_max_num_queries(16):
        page = leader_client.get(detail(jira)).content.decode()
    assert "Page 1 of 2" in page
    partial = leader_client.get(detail(jira) + "?page=2", HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert text.lstrip().startswith('<section class="card" id="deliveries"')
    assert "Page 2 of 2" in text


def test_wrong_methods_are_refused(leader_client, jira):
    assert leader_client.post(reverse("connections:source-list")).status_code == 405
    assert (
        leader_client.get(reverse("connections:source-test", args=[jira.slug])).status_code == 405
    )


def test_the_audit_log_never_records_a_secret(leader_client, jira):
    leader_client.post(
        reverse("connections:source-rotate", args=[jira.slug]), {"overlap_hours": "1"}
    )
    values = set(SourceSecret.objects.values_list("value", flat=True))
    logged = " ".join(str(e.changes) for e in LogEntry.objects.all())
    assert registry.HIDDEN in logged
    assert not any(value in logged for value in values)
