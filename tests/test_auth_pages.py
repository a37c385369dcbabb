import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_signs_in_and_returns_to_the_page_asked_for(client, viewer):
    response = client.post(
        reverse("login") + "?next=/account/",
        {"username": "viewer", "password": PASSWORD, "next": "/account/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.get("/", follow=True).status_code == 200


def test_it_sends_a_signed_in_user_away_from_the_sign_in_page(viewer_client):
    response = viewer_client.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_explains_a_wrong_password(client, viewer):
    response = client.post(reverse("login"), {"username": "viewer", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert client.get("/").status_code == 302


def test_it_refuses_a_deactivated_account(client):
    UserFactory(username="gone", is_active=False)
    client.post(reverse("login"), {"username": "gone", "password": PASSWORD})
    assert client.get("/").status_code == 302


def test_it_signs_out_on_post_only(viewer_client):
    assert viewer_client.get(reverse("logout")).status_code == 405
    response = viewer_client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert viewer_client.get("/").status_code == 302


def test_it_resets_a_forgotten_password_by_email(client, viewer):
    response = client.post(reverse("password_reset"), {"email": viewer.email})
    assert response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.subject == "Reset your Seamline password"
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session key
    response = client.post(
        form_url,
        {"new_password1": "a fresh passphrase 91", "new_password2": "a fresh passphrase 91"},
    )
    assert response["Location"] == reverse("password_reset_complete")
    assert client.login(username="viewer", password="a fresh passphrase 91")


def test_it_does_not_reveal_whether_an_address_has_an_account(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_it_explains_a_used_reset_link(client):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert "This link no longer works" in response.content.decode()


def test_it_changes_the_password_of_a_signed_in_user(viewer_client):
    response = viewer_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another phrase 77",
            "new_password2": "another phrase 77",
        },
    )
    assert response["Location"] == reverse("password_change_done")
