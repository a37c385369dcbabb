"""Reading the provider's claims, and finding the person, without a provider: the rules of
identity.oidc.read_identity and identity.services.sign_in_with_sso."""

import pytest

from identity.models import DirectoryAccount
from identity.oidc import Identity, SignInRefused, read_groups, read_identity
from identity.services import sign_in_with_sso
from seams.models import User
from tests.factories import UserFactory

ISSUER = "https://login.example.com"


def _identity(**claims) -> Identity:
    return read_identity(
        {"sub": "s-1", "email": "pat@example.com", "email_verified": True} | claims
    )


@pytest.mark.parametrize(
    ("value", "groups"),
    [
        (["a", "B", "b", " a "], ["a", "B"]),
        ("one", ["one"]),
        ({"a": True}, []),
        (None, []),
        (42, []),
        ([["nested"], {"x": 1}, None, 3, "ok", "", "x" * 256, "nul\x00"], ["ok"]),
        (("tuple", "too"), ["tuple", "too"]),
    ],
)
def test_it_reads_the_groups_claim_whatever_its_shape(value, groups):
    assert read_groups(value) == groups


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"email_verified": True}, True),
        ({"email_verified": "true"}, True),
        ({"email_verified": "TRUE "}, True),
        ({"email_verified": False}, False),
        ({"email_verified": "false"}, False),
        ({"email_verified": 1}, False),
        ({"email_verified": None}, False),
        ({"email_verified": ["true"]}, False),
    ],
)
def test_it_counts_only_true_as_verified(claims, expected):
    assert _identity(**claims).email_verified is expected


def test_it_reads_the_verified_claim_the_settings_name(settings):
    settings.OIDC_EMAIL_VERIFIED_CLAIM = "xms_edov"
    assert _identity(email_verified=False, xms_edov=True).email_verified is True


@pytest.mark.parametrize(
    ("claims", "first", "last"),
    [
        ({"given_name": "Pat", "family_name": "Lee"}, "Pat", "Lee"),
        ({"name": "Pat van Lee"}, "Pat van", "Lee"),
        ({"name": "Pat"}, "Pat", ""),
        ({"name": ["Pat"]}, "", ""),
        ({"given_name": "x" * 400}, "", ""),
    ],
)
def test_it_reads_names(claims, first, last):
    identity = _identity(**claims)
    assert (identity.first_name, identity.last_name) == (first, last)


@pytest.mark.parametrize("email", [["pat@example.com"], "pat\x00@example.com", "a" * 300, 7])
def test_it_marks_an_email_it_cannot_read(email):
    identity = _identity(email=email)
    assert identity.email == ""
    assert identity.email_unreadable


def test_it_reads_no_groups_when_the_claim_is_off(settings):
    settings.OIDC_GROUPS_CLAIM = ""
    assert _identity(groups=["a"]).groups is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"sub": ""}, "bad_claims"),
        ({"sub": {"id": 1}}, "bad_claims"),
        ({"email": "not an address"}, "bad_claims"),
        ({"email": None}, "missing_email"),
        ({"email_verified": False}, "unverified_email"),
    ],
)
def test_it_refuses_claims_before_writing_anything(claims, reason):
    with pytest.raises(SignInRefused) as refused:
        sign_in_with_sso(issuer=ISSUER, identity=_identity(**claims), create_people=True)
    assert refused.value.reason == reason
    assert not User.objects.exists()
    assert not DirectoryAccount.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_subject_linked_to_someone_else():
    first = UserFactory(username="first", email="first@example.com")
    DirectoryAccount.objects.create(user=first, oidc_issuer=ISSUER, oidc_subject="s-1")
    UserFactory(username="pat", email="pat@example.com")

    with pytest.raises(SignInRefused) as refused:
        sign_in_with_sso(issuer=ISSUER, identity=_identity(), create_people=True)

    assert refused.value.reason == "subject_taken"
    assert not DirectoryAccount.objects.filter(user__username="pat").exists()


@pytest.mark.django_db
def test_it_creates_nobody_for_a_linked_subject_whose_email_changed():
    first = UserFactory(username="first", email="first@example.com")
    DirectoryAccount.objects.create(user=first, oidc_issuer=ISSUER, oidc_subject="s-1")

    with pytest.raises(SignInRefused) as refused:
        sign_in_with_sso(issuer=ISSUER, identity=_identity(), create_people=True)

    assert refused.value.reason == "subject_taken"
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_the_same_subject_from_another_issuer():
    pat = UserFactory(username="pat", email="pat@example.com")
    DirectoryAccount.objects.create(user=pat, oidc_issuer=ISSUER, oidc_subject="s-1")

    with pytest.raises(SignInRefused) as refused:
        sign_in_with_sso(issuer="https://other.example", identity=_identity(), create_people=True)

    assert refused.value.reason == "subject_mismatch"


@pytest.mark.django_db
def test_it_links_a_person_whose_account_has_no_subject_yet():
    pat = UserFactory(username="pat", email="Pat@Example.com")
    DirectoryAccount.objects.create(user=pat, scim_provisioned=True)

    assert sign_in_with_sso(issuer=ISSUER, identity=_identity(), create_people=False) == pat

    account = DirectoryAccount.objects.get(user=pat)
    assert (account.oidc_issuer, account.oidc_subject) == (ISSUER, "s-1")
    assert account.scim_provisioned


@pytest.mark.django_db
def test_it_makes_a_unique_username_from_the_email():
    UserFactory(username="pat", email="someone-else@example.com")
    UserFactory(username="PAT2", email="another@example.com")

    person = sign_in_with_sso(
        issuer=ISSUER, identity=_identity(email="pat@example.org"), create_people=True
    )

    assert person.username == "pat3"
    assert not person.has_usable_password()
