"""Who may edit a handoff spec (DESIGN.md): leaders, and owners of the seam's from- or
to-team. Checked through the page, the htmx partial and the API; refused writes change no row."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from seams.models import HandoffSpec, Seam, SpecVersion

ALLOWED = ["leader", "owner", "other_owner"]  # owner: Sales (from-team); other_owner: Product
REFUSED = ["unrelated_owner", "ops", "viewer"]
EVERYONE = [*ALLOWED, *REFUSED, "anonymous"]


@pytest.fixture
def as_user(request, db):
    def make(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return make


@pytest.fixture
def api_as(request, db):
    def make(role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.force_authenticate(request.getfixturevalue(role))
        return client

    return make


def snapshot(seam: Seam) -> tuple:
    spec = HandoffSpec.objects.get(seam=seam)
    return (
        spec.version,
        spec.forum,
        spec.response_sla_hours,
        SpecVersion.objects.count(),
        Seam.objects.get(pk=seam.pk).status,
    )


def full_form(seam, **changes) -> dict:
    spec = seam.spec
    data = {
        "owner": spec.owner_id,
        "definition_of_ready": "\n".join(spec.definition_of_ready),
        "definition_of_done": spec.definition_of_done,
        "response_sla_hours": "16",
        "forum": spec.forum,
        "base_version": spec.version,
        "note": "Forum moved",
    }
    return data | changes


def assert_refused(response, role):
    if role == "anonymous":
        assert response.status_code in (302, 401, 403)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", EVERYONE)
def test_the_page_form(as_user, role, seam, unrelated_owner, leader, ops, viewer, other_owner):
    client = as_user(role)
    url = reverse("seams:spec-edit", args=[seam.slug])
    before = snapshot(seam)
    get = client.get(url)
    post = client.post(url, full_form(seam, forum="Daily stand-up"))
    if role in ALLOWED:
        assert get.status_code == 200
        assert post.status_code == 302, post.content.decode()[:500]
        assert HandoffSpec.objects.get(seam=seam).forum == "Daily stand-up"
        assert SpecVersion.objects.count() == before[3] + 1
    else:
        assert_refused(get, role)
        assert_refused(post, role)
        assert snapshot(seam) == before


@pytest.mark.parametrize("role", EVERYONE)
def test_the_htmx_partial(as_user, role, seam, unrelated_owner, leader, ops, viewer, other_owner):
    client = as_user(role)
    url = reverse("seams:spec-section-edit", args=[seam.slug, "exception"])
    before = snapshot(seam)
    get = client.get(url, HTTP_HX_REQUEST="true")
    post = client.post(
        url,
        {"forum": "Daily stand-up", "base_version": 1, "note": "Forum moved"},
        HTTP_HX_REQUEST="true",
    )
    if role in ALLOWED:
        assert get.status_code == 200
        assert post.status_code == 200
        assert "specSaved" in post["HX-Trigger"]
        assert HandoffSpec.objects.get(seam=seam).forum == "Daily stand-up"
    else:
        assert_refused(get, role)
        assert_refused(post, role)
        assert snapshot(seam) == before


@pytest.mark.parametrize("role", EVERYONE)
def test_the_api(api_as, role, seam, unrelated_owner, leader, ops, viewer, other_owner):
    client = api_as(role)
    url = f"/api/v1/specs/{seam.slug}/"
    before = snapshot(seam)
    response = client.patch(
        url, {"forum": "Daily stand-up", "note": "Forum moved"}, format="json", HTTP_IF_MATCH='"1"'
    )
    restore = client.post(url + "versions/1/restore/", HTTP_IF_MATCH='"1"')
    if role in ALLOWED:
        assert response.status_code == 200, response.json()
        assert response.json()["forum"] == "Daily stand-up"
        assert restore.status_code == 412  # the PATCH moved it to version 2
    else:
        assert response.status_code in ((401, 403) if role == "anonymous" else (403,))
        assert restore.status_code == response.status_code
        assert snapshot(seam) == before


@pytest.mark.parametrize("role", EVERYONE)
def test_restoring_and_starting_a_pilot_on_the_page(
    as_user, role, seam, unrelated_owner, leader, ops, viewer, other_owner
):
    client = as_user(role)
    before = snapshot(seam)
    restore = client.post(reverse("seams:spec-restore", args=[seam.slug, 1]), {"base_version": 1})
    pilot = client.post(reverse("seams:start-pilot", args=[seam.slug]))
    if role in ALLOWED:
        assert restore.status_code == pilot.status_code == 302
        assert Seam.objects.get(pk=seam.pk).status == Seam.Status.PILOT
        assert HandoffSpec.objects.get(seam=seam).version == 2
    else:
        assert_refused(restore, role)
        assert_refused(pilot, role)
        assert snapshot(seam) == before


@pytest.mark.parametrize("role", [*ALLOWED, *REFUSED])
def test_everyone_signed_in_reads_the_spec_and_only_editors_see_edit_buttons(
    as_user, role, seam, unrelated_owner, leader, ops, viewer, other_owner
):
    page = as_user(role).get(reverse("seams:spec", args=[seam.slug])).content.decode()
    assert "Use case in one paragraph" in page
    edit_url = reverse("seams:spec-section-edit", args=[seam.slug, "owner"])
    assert (edit_url in page) == (role in ALLOWED)
