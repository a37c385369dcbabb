from django.urls import reverse
from rest_framework.authtoken.models import Token


def test_it_shows_the_profile_with_teams_and_no_token(owner_client, owner):
    response = owner_client.get(reverse("identity:account"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sales</a> (owner)" in page
    assert "You have no API token." in page


def test_it_creates_a_token_and_shows_it_once(owner_client, owner):
    response = owner_client.post(reverse("identity:account-token"), HTTP_HX_REQUEST="true")
    token = Token.objects.get(user=owner)
    assert token.key in response.content.decode()
    page = owner_client.get(reverse("identity:account")).content.decode()
    assert token.key not in page
    assert token.key[:6] in page


def test_it_replaces_the_token_so_the_old_key_stops_working(viewer_client, viewer):
    old = Token.objects.create(user=viewer)
    response = viewer_client.post(reverse("identity:account-token"))
    assert response.status_code == 200
    assert not Token.objects.filter(key=old.key).exists()
    assert Token.objects.filter(user=viewer).count() == 1


def test_it_shows_a_new_token_in_the_page_body_only_never_in_a_cookie(viewer_client, viewer):
    response = viewer_client.post(reverse("identity:account-token"))
    key = Token.objects.get(user=viewer).key
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert all(key not in morsel.value for morsel in response.cookies.values())
    assert all(key not in morsel.value for morsel in viewer_client.cookies.values())
    # The next page shows only the key's start.
    assert key not in viewer_client.get(reverse("identity:account")).content.decode()


def test_it_revokes_the_token(viewer_client, viewer):
    Token.objects.create(user=viewer)
    response = viewer_client.post(reverse("identity:account-token-revoke"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "You have no API token." in response.content.decode()
    assert not Token.objects.filter(user=viewer).exists()


def test_it_touches_only_the_signed_in_users_token(viewer_client, leader):
    theirs = Token.objects.create(user=leader)
    viewer_client.post(reverse("identity:account-token-revoke"))
    assert Token.objects.filter(key=theirs.key).exists()


def test_it_refuses_get_on_token_actions(viewer_client):
    assert viewer_client.get(reverse("identity:account-token")).status_code == 405
    assert viewer_client.get(reverse("identity:account-token-revoke")).status_code == 405


def test_someone_without_a_password_is_not_offered_to_change_it(viewer, client):
    viewer.set_unusable_password()
    viewer.save()
    client.force_login(viewer)
    page = client.get(reverse("identity:account")).content.decode()
    assert "Change password" not in page
    assert "With single sign-on" in page


def test_someone_with_a_password_may_change_it(viewer_client):
    page = viewer_client.get(reverse("identity:account")).content.decode()
    assert "Change password" in page
    assert "With single sign-on" not in page
