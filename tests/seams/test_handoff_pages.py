from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seams.handoffs import complete_handoff, start_handoff, submit_handoff
from seams.models import Handoff
from tests.factories import SeamFactory

LIST = reverse("seams:handoffs")


def test_ops_submits_a_handoff_with_its_deadline(ops_client, seam):
    response = ops_client.post(
        reverse("seams:handoff-submit"), {"seam": seam.pk, "title": "Acme SSO scoping"}, follow=True
    )
    handoff = Handoff.objects.get()
    assert handoff.sla_deadline is not None
    assert "response due" in response.content.decode()


def test_moves_and_returns_from_the_list(owner_client, seam, owner):
    handoff = submit_handoff(seam=seam, title="Acme", by=owner)
    owner_client.post(
        reverse("seams:handoff-move", args=[handoff.pk, "return"]),
        {"reason": "No payload", "missing_item": "Sample payload attached"},
    )
    owner_client.post(reverse("seams:handoff-move", args=[handoff.pk, "start"]))
    owner_client.post(reverse("seams:handoff-move", args=[handoff.pk, "complete"]))
    handoff.refresh_from_db()
    assert handoff.state == "completed"
    assert handoff.returned_count == 1
    assert handoff.returns.get().missing_item == "Sample payload attached"


@pytest.mark.parametrize("client_name", ["viewer_client", "unrelated_owner_client"])
def test_viewers_and_unrelated_owners_log_nothing(request, client_name, seam, owner):
    client = request.getfixturevalue(client_name)
    handoff = submit_handoff(seam=seam, title="Acme", by=owner)
    assert (
        client.post(reverse("seams:handoff-submit"), {"seam": seam.pk, "title": "x"}).status_code
        == 403
    )
    assert client.post(reverse("seams:handoff-move", args=[handoff.pk, "start"])).status_code == 403
    assert Handoff.objects.count() == 1
    assert Handoff.objects.get().started_at is None


def test_filters_by_state_breach_and_search(viewer_client, seam, owner):
    long_ago = timezone.now() - timedelta(days=10)
    submit_handoff(seam=seam, title="Late one", by=owner, at=long_ago)
    started = submit_handoff(seam=seam, title="Started one", by=owner, at=long_ago)
    start_handoff(handoff=started, at=long_ago + timedelta(hours=1))
    submit_handoff(seam=seam, title="Fresh one", by=owner)

    def titles(**params):
        return [h.title for h in viewer_client.get(LIST, params).context["page"]]

    assert titles(breached="on") == ["Late one"]
    assert set(titles(state="submitted")) == {"Late one", "Fresh one"}
    assert titles(state="started") == ["Started one"]
    assert titles(q="fresh") == ["Fresh one"]


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_list_keeps_its_queries_bounded(
    viewer_client, seam, rows, django_assert_max_num_queries
):
    now = timezone.now()
    Handoff.objects.bulk_create(
        Handoff(
            seam=seam,
            source="bulk",
            external_id=str(i),
            title=f"H{i}",
            submitted_at=now - timedelta(hours=i),
            sla_deadline=now + timedelta(hours=5 - i),
        )
        for i in range(rows)
    )
    with django_assert_max_num_queries(10):
        response = viewer_client.get(LIST)
    assert response.context["page"].paginator.count == rows


def test_the_seam_page_counts_its_open_handoffs(viewer_client, seam, owner):
    long_ago = timezone.now() - timedelta(days=10)
    submit_handoff(seam=seam, title="Late", by=owner, at=long_ago)
    started = submit_handoff(seam=seam, title="Started", by=owner)
    start_handoff(handoff=started)
    done = submit_handoff(seam=seam, title="Done", by=owner, at=long_ago)
    done = start_handoff(handoff=done, at=long_ago + timedelta(days=5))
    complete_handoff(handoff=done)
    submit_handoff(seam=SeamFactory(), title="Elsewhere", by=owner)

    response = viewer_client.get(reverse("seams:detail", args=[seam.slug]))
    assert response.context["handoff_counts"] == {"waiting": 1, "in_progress": 1, "past_sla": 1}
    assert f"?seam={seam.slug}&amp;state=submitted" in response.content.decode()
