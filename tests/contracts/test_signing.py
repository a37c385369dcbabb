import threading

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import ContractEvent, ContractRevision, Signature
from contracts.services import SigningRefused, publish_revision, sign_revision
from tests.factories import UserFactory


@pytest.fixture
def revision(ready_contract, leader):
    return publish_revision(contract=ready_contract, changelog="First revision", by=leader)


def test_it_binds_the_owner_and_the_leaders_of_the_seams_teams(revision, leaders):
    assert set(revision.binding_leaders.all()) == set(leaders)


def test_the_last_signature_signs_the_revision_once(revision, leaders):
    for leader in leaders[:2]:
        sign_revision(revision=revision, leader=leader)
        assert ContractRevision.objects.get(pk=revision.pk).status == "awaiting"
    sign_revision(revision=revision, leader=leaders[2])
    revision.refresh_from_db()
    assert revision.status == "signed"
    assert revision.fully_signed_at is not None
    assert ContractEvent.objects.filter(kind="signed").count() == 1


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        ("outsider", "doesn't bind you"),
        ("twice", "already signed"),
        ("old", "replaced by revision 2"),
    ],
)
def test_it_refuses_signatures_that_dont_count(revision, leaders, ready_contract, who, reason):
    target, signer = revision, leaders[0]
    if who == "outsider":
        signer = UserFactory(roles=["leader"])
    elif who == "twice":
        sign_revision(revision=revision, leader=signer)
    else:
        publish_revision(contract=ready_contract, changelog="Second", by=leaders[0])
    before = Signature.objects.count()
    with pytest.raises(SigningRefused, match=reason):
        sign_revision(revision=target, leader=signer)
    assert Signature.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_two_leaders_signing_at_the_same_moment_make_two_signatures_and_one_status_change(request):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (CI runs it)")
    # Built here rather than with the usual fixtures: this test commits for real.
    from contracts.models import Contract, ContractSeam, MetricTarget
    from tests.factories import MembershipFactory, SeamFactory, TeamFactory

    owner_leader = UserFactory(username="chief", roles=["leader"])
    other_leader = UserFactory(username="other_chief", roles=["leader"])
    sales = TeamFactory(name="Sales", leader=owner_leader)
    product = TeamFactory(name="Product", leader=other_leader)
    MembershipFactory(team=sales)
    seam = SeamFactory(name="Intake", from_team=sales, to_team=product)
    contract = Contract.objects.create(slug="c", title="C", scope="s", leader=owner_leader)
    ContractSeam.objects.create(contract=contract, seam=seam)
    MetricTarget.objects.create(contract=contract, seam=seam, metric="rework_rate", target=10)
    revision = publish_revision(contract=contract, changelog="r1", by=owner_leader)
    assert set(revision.binding_leaders.all()) == {owner_leader, other_leader}

    start = threading.Barrier(2)
    errors = []

    def sign(leader):
        try:
            start.wait(timeout=10)
            sign_revision(revision=revision, leader=leader)
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(u,)) for u in (owner_leader, other_leader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Signature.objects.filter(revision=revision).count() == 2
    assert ContractRevision.objects.get(pk=revision.pk).status == "signed"
    assert ContractEvent.objects.filter(contract=contract, kind="signed").count() == 1


class TestPages:
    def test_the_page_shows_who_still_has_to_sign(self, leader_client, revision, leaders):
        sign_revision(revision=revision, leader=leaders[1])
        page = leader_client.get(
            reverse("contracts:detail", args=[revision.contract.slug])
        ).content.decode()
        assert "1 of 3 signed" in page
        assert page.count("Still to sign") == 2
        assert "Sign revision 1" in page

    def test_a_leader_signs_from_the_page(self, leader_client, leader, revision):
        response = leader_client.post(reverse("contracts:sign", args=[revision.contract.slug, 1]))
        assert response.status_code == 302
        assert Signature.objects.filter(revision=revision, leader=leader).exists()

    def test_a_leader_it_does_not_bind_is_told_why(self, revision):
        from tests.conftest import client_for

        client = client_for(UserFactory(username="far_away", roles=["leader"]))
        response = client.post(
            reverse("contracts:sign", args=[revision.contract.slug, 1]), follow=True
        )
        assert "doesn&#x27;t bind you" in response.content.decode()
        assert not Signature.objects.exists()

    @pytest.mark.parametrize("client_name", ["owner_client", "ops_client", "viewer_client"])
    def test_only_leaders_sign(self, request, client_name, revision):
        response = request.getfixturevalue(client_name).post(
            reverse("contracts:sign", args=[revision.contract.slug, 1])
        )
        assert response.status_code == 403
        assert not Signature.objects.exists()


def test_the_api_signs_and_says_who_is_left(revision, leaders):
    client = APIClient()
    client.force_authenticate(leaders[0])
    response = client.post(f"/api/v1/contracts/{revision.contract.slug}/revisions/1/sign/")
    assert response.status_code == 200
    assert response.json()["still_to_sign"] == sorted(u.username for u in leaders[1:])
    again = client.post(f"/api/v1/contracts/{revision.contract.slug}/revisions/1/sign/")
    assert again.status_code == 409
    assert "already signed" in again.json()["detail"]
