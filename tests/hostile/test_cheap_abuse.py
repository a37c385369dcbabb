"""No cheap abuse: floods of refused writes cost neither a view nor a row each, password resets
are rate limited, a new API token never travels in a cookie, a form sent twice records once,
and no redirect goes back to a page that isn't ours."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from audit.models import RefusedWrite
from seams.models import Handoff, HandoffReturn
from tests.conftest import client_for
from tests.hostile.webhook_client import generic_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def flood_rate(settings):
    settings.REFUSED_WRITES_ANON_RATE = "5/min"


# --- Refused writes: throttled before recording, repeats on one row -------------------------


def _anonymous(address: str = "203.0.113.7") -> Client:
    return Client(REMOTE_ADDR=address)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/handoffs/", "/api/v1/decisions/", "/api/v1/hooks/handoffs/ticketing/"],
)
def test_an_anonymous_flood_is_throttled_before_any_view_and_recorded_once(flood_rate, url):
    generic_source()  # "ticketing": unsigned deliveries to it are refused (401)
    client = _anonymous()
    answers = [client.post(url, {}, content_type="application/json") for _ in range(5)]
    assert {a.status_code for a in answers} == {401}
    for _ in range(20):
        throttled = client.post(url, {}, content_type="application/json")
        assert throttled.status_code == 429
        assert throttled["Retry-After"] == "60"
        assert "Too many refused writes" in throttled.json()["detail"]
    # Five refusals, one row; the twenty answered 429 before any view left none.
    refused = RefusedWrite.objects.filter(remote_addr="203.0.113.7")
    assert list(refused.values_list("status", "repeats")) == [(401, 5)]


def test_the_throttle_is_per_address_and_spares_signed_in_people(flood_rate, viewer):
    for _ in range(6):
        _anonymous().post("/api/v1/handoffs/", {}, content_type="application/json")
    assert _anonymous().post("/api/v1/handoffs/", {}).status_code == 429
    other = _anonymous("198.51.100.1").post("/api/v1/handoffs/", {})
    assert other.status_code == 401
    signed_in = client_for(viewer)
    signed_in.defaults["REMOTE_ADDR"] = "203.0.113.7"
    response = signed_in.post(reverse("seams:team-create"), {"name": "Shadow IT"})
    assert response.status_code == 403  # judged by the view, not throttled


def test_a_page_flood_is_answered_429_as_a_page(flood_rate):
    client = Client(REMOTE_ADDR="203.0.113.9", enforce_csrf_checks=True)
    for _ in range(5):
        assert client.post(reverse("seams:team-create"), {"name": "x"}).status_code == 403
    response = client.post(reverse("seams:team-create"), {"name": "x"})
    assert response.status_code == 429
    assert "Slow down" in response.content.decode()
    assert RefusedWrite.objects.get().repeats == 5


def test_repeats_within_an_hour_add_to_one_row_and_later_ones_start_another(viewer):
    start = datetime(2026, 12, 3, 9, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        client = client_for(viewer)
        for _ in range(3):
            client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
        client.post(reverse("seams:team-create") + "?other=1", {"name": "Shadow IT"})
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
    rows = list(RefusedWrite.objects.order_by("at", "pk").values_list("repeats", "at", "last_at"))
    assert [r[0] for r in rows] == [5, 1]
    assert rows[0][1] == start
    assert rows[0][2] == start + timedelta(minutes=59)
    assert rows[1][1] == start + timedelta(minutes=61)


def test_the_refused_page_shows_the_repeats(leader_client, viewer):
    client = client_for(viewer)
    for _ in range(4):
        client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
    page = leader_client.get(reverse("audit:refused")).content.decode()
    assert "4 times" in page


# --- Password resets ---------------------------------------------------------------------------


def test_password_resets_are_limited_per_address(settings, viewer):
    settings.PASSWORD_RESET_RATE = "3/hour"
    client = Client(REMOTE_ADDR="203.0.113.20")
    for n in range(3):
        response = client.post(reverse("password_reset"), {"email": f"nobody{n}@example.com"})
        assert response.status_code == 302
    response = client.post(reverse("password_reset"), {"email": viewer.email})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Too many reset requests" in response.content.decode()
    assert not mail.outbox
    assert (
        Client(REMOTE_ADDR="198.51.100.20")
        .post(reverse("password_reset"), {"email": viewer.email})
        .status_code
        == 302
    )
    assert len(mail.outbox) == 1


def test_password_resets_are_limited_per_email_without_saying_so(settings, viewer):
    settings.PASSWORD_RESET_RATE = "2/hour"
    for n in range(4):
        response = Client(REMOTE_ADDR=f"198.51.100.{n + 1}").post(
            reverse("password_reset"), {"email": viewer.email.upper()}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 2


# --- A new API token travels in the page body only ----------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_a_new_api_token_is_in_the_body_never_in_a_cookie(viewer, htmx):
    client = client_for(viewer)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(reverse("identity:account-token"), headers=headers)
    key = Token.objects.get(user=viewer).key
    assert response.status_code == 200
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert all(key not in morsel.value for morsel in client.cookies.values())
    assert key not in client.get(reverse("identity:account")).content.decode()


# --- A form sent twice --------------------------------------------------------------------------


def test_the_handoff_form_sent_twice_records_one_handoff(ops_client, seam):
    page = ops_client.get(reverse("seams:handoffs"))
    key = page.context["submit_form"].initial["submission"]
    assert f'value="{key}"' in page.content.decode()
    form = {"seam": seam.pk, "title": "Acme SSO", "approval_type": "", "submission": key}
    first = ops_client.post(reverse("seams:handoff-submit"), form, follow=True)
    second = ops_client.post(reverse("seams:handoff-submit"), form, follow=True)
    assert "Submitted “Acme SSO”" in first.content.decode()
    assert "“Acme SSO” was already submitted." in second.content.decode()
    assert Handoff.objects.count() == 1
    assert Handoff.objects.get().external_id == f"app-{key.hex}"
    # A fresh form (a new key) records a second one, as the person meant.
    fresh = ops_client.get(reverse("seams:handoffs")).context["submit_form"].initial
    ops_client.post(reverse("seams:handoff-submit"), form | {"submission": fresh["submission"]})
    assert Handoff.objects.count() == 2


def test_a_forged_submission_key_is_refused_like_any_bad_field(ops_client, seam):
    form = {"seam": seam.pk, "title": "Acme", "submission": "not-a-uuid"}
    response = ops_client.post(reverse("seams:handoff-submit"), form, follow=True)
    assert "Not submitted" in response.content.decode()
    assert not Handoff.objects.exists()


# --- Redirects only to our own pages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("referer", "lands"),
    [
        ("https://evil.example.com/phish", "/handoffs/"),
        ("//evil.example.com/phish", "/handoffs/"),
        ("javascript:alert(1)", "/handoffs/"),
        ("http://testserver/seams/?page=2", "http://testserver/seams/?page=2"),
    ],
)
def test_the_return_form_goes_back_only_to_our_own_pages(ops_client, seam, referer, lands):
    from seams.handoffs import submit_handoff

    handoff = submit_handoff(seam=seam, title="Acme", by=None)
    response = ops_client.post(
        reverse("seams:handoff-move", args=[handoff.pk, "return"]),
        {"reason": ""},
        HTTP_REFERER=referer,
    )
    assert response.status_code == 302
    assert response["Location"] == lands
    assert not HandoffReturn.objects.exists()


def test_the_refused_review_page_links_back_only_to_our_own_pages(viewer):
    client = client_for(viewer)
    response = client.post(
        reverse("metrics:review-start"), {"month": ""}, HTTP_REFERER="https://evil.example.com/"
    )
    assert response.status_code == 403
    assert "evil.example.com" not in response.content.decode()
