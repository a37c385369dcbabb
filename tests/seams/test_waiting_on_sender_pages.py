"""The handoff list: returning to the sender with the missing ready item (or "Other"),
showing a handoff that waits on its sender, and resubmitting it. Plain forms, no JS needed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from seams.handoffs import return_handoff, submit_handoff
from seams.models import Handoff, HandoffReturn

LIST = reverse("seams:handoffs")
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 5, 28, 14, 0, tzinfo=LONDON)  # Thursday the 28th


@pytest.fixture(autouse=True)
def _thursday():
    with time_machine.travel(NOW, tick=False):
        yield


def move(handoff, verb):
    return reverse("seams:handoff-move", args=[handoff.pk, verb])


def test_the_return_form_offers_the_checklist_and_other(owner_client, seam, owner):
    submit_handoff(seam=seam, title="Acme", by=owner)
    page = owner_client.get(LIST).content.decode()
    assert "<option>Sample payload attached</option>" in page
    assert '<option value="other">Other…</option>' in page
    assert 'name="other_item"' in page


def test_returning_with_other_then_resubmitting(owner_client, seam, owner):
    handoff = submit_handoff(seam=seam, title="Acme", by=owner, at=NOW - timedelta(hours=2))
    response = owner_client.post(
        move(handoff, "return"),
        {"reason": "Who signs?", "missing_item": "other", "other_item": "Signed NDA"},
        follow=True,
    )
    handoff.refresh_from_db()
    assert handoff.waiting_since == NOW
    assert handoff.sla_deadline is None
    assert HandoffReturn.objects.get().missing_item == "Other: Signed NDA"
    page = response.content.decode()
    assert "Waiting on Sales since Thu 28 May, 14:00, missing: Other: Signed NDA" in page
    assert "With sender" in page
    assert f'action="{move(handoff, "resubmit")}"' in page
    assert f'action="{move(handoff, "return")}"' not in page  # not returned twice

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        response = owner_client.post(move(handoff, "resubmit"), follow=True)
    handoff.refresh_from_db()
    assert handoff.waiting_since is None
    assert handoff.paused_hours == 1  # 14:00–15:00 on a Thursday
    assert handoff.sla_deadline is not None
    assert "resubmitted" in response.content.decode()


def test_other_without_text_is_refused_and_nothing_written(owner_client, seam, owner):
    handoff = submit_handoff(seam=seam, title="Acme", by=owner)
    response = owner_client.post(
        move(handoff, "return"), {"reason": "x", "missing_item": "other"}, follow=True
    )
    assert "Say what is missing" in response.content.decode()
    assert not HandoffReturn.objects.exists()
    assert Handoff.objects.get().waiting_since is None


def test_resubmitting_what_is_not_waiting_says_so(owner_client, seam, owner):
    handoff = submit_handoff(seam=seam, title="Acme", by=owner)
    response = owner_client.post(move(handoff, "resubmit"), follow=True)
    assert "not waiting on its sender" in response.content.decode()


@pytest.mark.parametrize("client_name", ["viewer_client", "unrelated_owner_client"])
def test_only_loggers_resubmit(request, client_name, seam, owner):
    handoff = submit_handoff(seam=seam, title="Acme", by=owner, at=NOW - timedelta(hours=1))
    return_handoff(handoff=handoff, reason="x", at=NOW - timedelta(minutes=30))
    client = request.getfixturevalue(client_name)
    assert client.post(move(handoff, "resubmit")).status_code == 403
    assert Handoff.objects.get().waiting_since is not None
    assert 'value="other"' not in client.get(LIST).content.decode()  # no forms for them


def test_the_list_stays_bounded_with_waiting_handoffs(
    viewer_client, seam, owner, django_assert_max_num_queries
):
    for n in range(30):
        handoff = submit_handoff(seam=seam, title=f"H{n}", by=owner, at=NOW - timedelta(hours=3))
        return_handoff(handoff=handoff, reason="x", missing_item="Use case in one paragraph")
    with django_assert_max_num_queries(11):
        page = viewer_client.get(LIST).content.decode()
    assert page.count("missing: Use case in one paragraph") == 25  # one page
