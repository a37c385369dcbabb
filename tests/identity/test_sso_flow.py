"""Single sign-on through the test client against the real provider: the whole flow, then the
people and claims Seamline must refuse or read carefully."""

import pytest
from django.contrib.auth.models import Group

from identity.models import DirectoryAccount, DirectoryGroup, GroupMapping
from seams.models import Membership, User
from tests.factories import TeamFactory, UserFactory
from tests.identity.provider import sign_in_with_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def mappings(db):
    security = TeamFactory(name="Security")
    GroupMapping.objects.create(group="seamline-leaders", role=GroupMapping.Role.LEADER)
    GroupMapping.objects.create(group="Security", team=security)
    return security


def test_it_creates_lena_with_her_groups_as_role_and_team(client, sso, mappings):
    response = sign_in_with_provider(client, "lena", next_url="/teams/")

    assert response.status_code == 302
    assert response["Location"] == "/teams/"
    lena = User.objects.get(email="lena@example.com")
    assert lena.username == "lena"
    assert not lena.has_usable_password()
    assert client.session["_auth_user_id"] == str(lena.pk)
    assert list(lena.groups.values_list("name", flat=True)) == ["leader"]
    assert Membership.objects.filter(user=lena, team=mappings).exists()
    account = DirectoryAccount.objects.get(user=lena)
    assert (account.oidc_issuer, account.oidc_subject) == (sso.issuer, "lena")
    assert account.sso_groups == ["seamline-leaders", "Security"]
    assert account.last_sso_at is not None
    assert client.session["oidc_id_token"].count(".") == 2
    assert client.get("/teams/").status_code == 200


def _refused(response, status: int, text: str, client) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert text in page
    assert "Nobody was signed in." in page
    assert "Back to sign-in" in page
    assert "_auth_user_id" not in client.session
    assert "oidc_id_token" not in client.session


def test_it_matches_an_existing_person_by_email_whatever_its_case(client, sso, mappings):
    lena = UserFactory(username="lena.l", email="lena@example.com", roles=["ops"])

    response = sign_in_with_provider(client, "shouty")  # LENA@Example.COM, verified

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(lena.pk)
    assert User.objects.count() == 1
    account = DirectoryAccount.objects.get(user=lena)
    assert account.oidc_subject == "shouty"
    # ops is no mapped role, so it stays; the mapped leader role comes with the group.
    assert set(lena.groups.values_list("name", flat=True)) == {"ops", "leader"}


def test_it_refuses_a_second_subject_for_the_same_person(client, sso, mappings):
    sign_in_with_provider(client, "lena")
    client.logout()

    response = sign_in_with_provider(client, "shouty")  # lena's address, another subject

    _refused(response, 403, "not the directory account Seamline knows for you", client)
    assert DirectoryAccount.objects.get(user__email="lena@example.com").oidc_subject == "lena"
    assert User.objects.count() == 1


def test_it_refuses_an_unknown_person_when_creation_is_off(client, sso, settings):
    settings.OIDC_CREATE_USER = False

    response = sign_in_with_provider(client, "victor")

    _refused(response, 403, "Ask a leader to add you", client)
    assert not User.objects.exists()


def test_it_signs_in_a_known_person_when_creation_is_off(client, sso, settings):
    settings.OIDC_CREATE_USER = False
    victor = UserFactory(username="vic", email="Victor@example.com")

    response = sign_in_with_provider(client, "victor")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(victor.pk)


def test_it_refuses_an_unverified_email(client, sso, mappings):
    response = sign_in_with_provider(client, "mallory")

    _refused(response, 403, "Your email address is not verified", client)
    assert not User.objects.exists()
    assert not DirectoryAccount.objects.exists()


def test_it_refuses_an_unverified_email_even_of_a_known_person(client, sso):
    UserFactory(username="mallory", email="mallory@example.com")

    response = sign_in_with_provider(client, "mallory")

    _refused(response, 403, "Your email address is not verified", client)
    assert not DirectoryAccount.objects.exists()


def test_it_refuses_a_missing_email(client, sso):
    response = sign_in_with_provider(client, "nomail")

    _refused(response, 403, "did not send your email address", client)
    assert not User.objects.exists()


@pytest.mark.parametrize("account", ["nulemail", "listemail"])
def test_it_refuses_an_email_that_is_no_address(client, sso, account):
    lena = UserFactory(username="lena", email="lena@example.com")

    response = sign_in_with_provider(client, account)

    _refused(response, 403, "sent something Seamline can&#x27;t read", client)
    assert list(User.objects.all()) == [lena]
    assert not DirectoryAccount.objects.exists()


def test_it_refuses_an_email_shared_by_two_people(client, sso):
    UserFactory(username="victor1", email="victor@example.com")
    UserFactory(username="victor2", email="VICTOR@example.com")

    response = sign_in_with_provider(client, "victor")

    _refused(response, 403, "belongs to more than one person", client)
    assert not DirectoryAccount.objects.exists()


def test_it_refuses_a_deactivated_person(client, sso, mappings):
    UserFactory(username="lena", email="lena@example.com", is_active=False)

    response = sign_in_with_provider(client, "lena")

    _refused(response, 403, "Your Seamline account is deactivated", client)
    assert not Group.objects.filter(user__username="lena").exists()


def test_it_ends_the_session_of_a_person_deactivated_since(client, sso):
    sign_in_with_provider(client, "victor")
    assert client.get("/teams/").status_code == 200

    User.objects.filter(email="victor@example.com").update(is_active=False)

    response = client.get("/teams/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_reads_verified_as_text_and_one_group_as_text(client, sso, mappings):
    response = sign_in_with_provider(client, "textverified")

    assert response.status_code == 302
    person = User.objects.get(email="textverified@example.com")
    assert list(person.groups.values_list("name", flat=True)) == ["leader"]


def test_it_reads_groups_sent_as_an_object_as_no_groups(client, sso, mappings):
    person = UserFactory(username="dictgroups", email="dictgroups@example.com", roles=["leader"])

    response = sign_in_with_provider(client, "dictgroups")

    assert response.status_code == 302
    # No group the mappings know: the mapped leader role goes (the viewer's rights).
    assert not person.groups.exists()
    assert DirectoryAccount.objects.get(user=person).sso_groups == []


def test_it_keeps_only_the_text_groups_of_a_mixed_list(client, sso, mappings):
    response = sign_in_with_provider(client, "nestedgroups")

    assert response.status_code == 302
    person = User.objects.get(email="nestedgroups@example.com")
    assert not person.groups.exists()
    assert Membership.objects.filter(user=person, team=mappings).exists()
    assert DirectoryAccount.objects.get(user=person).sso_groups == ["Security"]


def test_it_reads_a_huge_list_of_groups(client, sso, mappings):
    response = sign_in_with_provider(client, "hugegroups")

    assert response.status_code == 302
    person = User.objects.get(email="hugegroups@example.com")
    # The leaders' group is the last of 50,001; the account keeps the first 200 to show.
    assert list(person.groups.values_list("name", flat=True)) == ["leader"]
    assert len(DirectoryAccount.objects.get(user=person).sso_groups) == 200


def test_it_leaves_roles_alone_when_groups_are_not_read(client, sso, settings, mappings):
    settings.OIDC_GROUPS_CLAIM = ""
    person = UserFactory(username="victor", email="victor@example.com", roles=["leader"])

    response = sign_in_with_provider(client, "victor")

    assert response.status_code == 302
    assert list(person.groups.values_list("name", flat=True)) == ["leader"]


def test_it_gives_a_person_in_no_mapped_group_the_viewers_rights(client, sso, mappings):
    victor = UserFactory(username="victor", email="victor@example.com", roles=["leader"])
    Membership.objects.create(user=victor, team=mappings, role=Membership.Role.MEMBER)

    sign_in_with_provider(client, "victor")

    assert not victor.groups.exists()
    assert not Membership.objects.filter(user=victor).exists()
    assert client.get("/contracts/new/").status_code == 403


def test_a_sign_in_keeps_what_the_scim_directorys_groups_grant(client, sso, mappings):
    """One person, one set of groups: the claim's (none, for victor) with the directory's."""
    victor = UserFactory(username="victor", email="victor@example.com")
    DirectoryGroup.objects.create(display_name="seamline-leaders").members.add(victor)

    sign_in_with_provider(client, "victor")

    assert list(victor.groups.values_list("name", flat=True)) == ["leader"]
    assert DirectoryAccount.objects.get(user=victor).sso_groups == []
