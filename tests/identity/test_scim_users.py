"""SCIM Users: create or claim, read and filter, replace, patch (Entra ID's and Okta's
shapes), delete that keeps the person."""

import pytest
from auditlog.models import LogEntry

from identity.models import DirectoryAccount
from seams.models import SpecVersion, User
from tests.factories import UserFactory, write_spec
from tests.identity.scim_helpers import USER, assert_scim_error

pytestmark = pytest.mark.django_db


def person(resource: dict) -> User:
    return User.objects.get(directory_account__scim_id=resource["id"])


# --- Create, claim, conflict ------------------------------------------------------------------


def test_it_creates_a_person_without_a_password(directory):
    created = directory.create_user("ada@example.com", externalId="ent-1", title="Analyst")
    ada = person(created)
    assert (ada.username, ada.first_name, ada.last_name) == ("ada@example.com", "Ada", "Lovelace")
    assert ada.email == "ada@example.com"
    assert ada.job_title == "Analyst"
    assert ada.is_active
    assert not ada.has_usable_password()
    account = ada.directory_account
    assert account.scim_provisioned
    assert account.scim_external_id == "ent-1"
    assert created["schemas"] == [USER]
    assert created["meta"]["location"].endswith(f"/scim/v2/Users/{created['id']}")
    assert created["emails"] == [{"value": "ada@example.com", "type": "work"}]
    assert created["displayName"] == "Ada Lovelace"
    assert created["active"] is True


def test_it_claims_the_seamline_person_with_the_same_email(directory):
    existing = UserFactory(username="alovelace", email="Ada@Example.com")
    created = directory.create_user("ada@example.com")
    assert person(created).pk == existing.pk
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.username == "ada@example.com"
    assert not existing.has_usable_password()


def test_it_claims_the_seamline_person_with_the_same_username(directory):
    existing = UserFactory(username="grace", email="")
    created = directory.create_user("GRACE", emails=[])
    assert person(created).pk == existing.pk
    assert User.objects.count() == 1


def test_a_replayed_create_is_a_conflict_and_writes_nothing(directory):
    directory.create_user("ada@example.com")
    before = LogEntry.objects.count()
    body = {"schemas": [USER], "userName": "ADA@example.com", "name": {"givenName": "Eve"}}
    assert_scim_error(directory.post("/Users", body), 409, "uniqueness")
    assert User.objects.count() == 1
    assert User.objects.get().first_name == "Ada"
    assert LogEntry.objects.count() == before


def test_it_refuses_to_hand_a_superuser_to_the_directory(directory):
    UserFactory(username="root", email="root@example.com", is_superuser=True)
    body = {"schemas": [USER], "userName": "root"}
    assert_scim_error(directory.post("/Users", body), 409, "uniqueness")
    assert not DirectoryAccount.objects.filter(scim_provisioned=True).exists()


def test_a_username_and_email_of_two_people_is_a_conflict(directory):
    UserFactory(username="ada", email="ada@one.example")
    UserFactory(username="bob", email="bob@two.example")
    body = {"schemas": [USER], "userName": "ada", "emails": [{"value": "bob@two.example"}]}
    assert_scim_error(directory.post("/Users", body), 409, "uniqueness")
    assert User.objects.count() == 2


# --- Read, filter, page -----------------------------------------------------------------------


@pytest.fixture
def three(directory):
    return [
        directory.create_user("ada@example.com", externalId="e-ada"),
        directory.create_user(
            "bob@example.com", externalId="e-bob", name={"givenName": "Bob", "familyName": "Ray"}
        ),
        directory.create_user("cy@example.com", name={}),
    ]


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(r["userName"] for r in response.json()["Resources"])


def test_it_reads_one_user_and_404s_for_unknown_ids(directory, three):
    response = directory.get(f"/Users/{three[1]['id']}")
    assert response.status_code == 200
    assert response.json()["userName"] == "bob@example.com"
    assert_scim_error(directory.get("/Users/8f2d3c1e-0000-4000-8000-000000000000"), 404)
    assert_scim_error(directory.get("/Users/not-a-uuid"), 404)


def test_it_lists_only_the_people_the_directory_provisioned(directory, three, leader):
    body = directory.get("/Users").json()
    assert body["totalResults"] == 3
    assert "leader" not in {r["userName"] for r in body["Resources"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('userName eq "BOB@example.com"', ["bob@example.com"]),
        ('externalId eq "e-ada"', ["ada@example.com"]),
        ('emails.value eq "cy@example.com"', ["cy@example.com"]),
        ('emails[type eq "work"].value eq "cy@example.com"', ["cy@example.com"]),
        ('displayName eq "Bob Ray"', ["bob@example.com"]),
        ('displayName eq "cy@example.com"', ["cy@example.com"]),
        ('name.givenName eq "Ada" and not (externalId eq "e-bob")', ["ada@example.com"]),
        ('userName sw "a" or userName ew "y@example.com"', ["ada@example.com", "cy@example.com"]),
        ("externalId pr", ["ada@example.com", "bob@example.com"]),
        ('userName eq "nobody"', []),
    ],
)
def test_it_filters_users(directory, three, query, expected):
    assert names(directory.get("/Users", filter=query)) == expected


def test_it_filters_by_id(directory, three):
    assert names(directory.get("/Users", filter=f'id eq "{three[2]["id"]}"')) == ["cy@example.com"]
    assert names(directory.get("/Users", filter='id eq "not-an-id"')) == []


@pytest.mark.parametrize(
    "query",
    ['password eq "x"', "userName eq", "((((", 'userName zz "a"', "x" * 1001, 'userName eq "\x00"'],
)
def test_a_filter_it_cannot_read_is_a_400(directory, three, query):
    assert_scim_error(directory.get("/Users", filter=query), 400, "invalidFilter")


def test_it_pages_with_start_index_and_count(directory, three):
    all_ids = [r["id"] for r in directory.get("/Users").json()["Resources"]]
    page = directory.get("/Users", startIndex=2, count=1).json()
    assert page["totalResults"] == 3
    assert page["startIndex"] == 2
    assert page["itemsPerPage"] == 1
    assert [r["id"] for r in page["Resources"]] == all_ids[1:2]
    assert directory.get("/Users", count=-4).json()["Resources"] == []
    assert directory.get("/Users", startIndex=0).json()["itemsPerPage"] == 3
    filtered = directory.get("/Users", filter="externalId pr", startIndex=2, count=5).json()
    assert filtered["totalResults"] == 2
    assert filtered["itemsPerPage"] == 1
    assert_scim_error(directory.get("/Users", startIndex="two"), 400)


def test_it_honours_attributes_and_excluded_attributes(directory, three):
    one = directory.get(f"/Users/{three[0]['id']}", attributes="userName").json()
    assert set(one) == {"schemas", "id", "userName"}
    other = directory.get(f"/Users/{three[0]['id']}", excludedAttributes="emails,name").json()
    assert "emails" not in other
    assert "name" not in other
    assert other["userName"]


# --- Replace ----------------------------------------------------------------------------------


def test_put_replaces_the_person(directory, three):
    body = {
        "schemas": [USER],
        "userName": "ada.l@example.com",
        "name": {"givenName": "Augusta", "familyName": "King"},
        "emails": [{"value": "augusta@example.com", "type": "work"}],
        "title": "Countess",
        "active": True,
    }
    response = directory.put(f"/Users/{three[0]['id']}", body)
    assert response.status_code == 200, response.content
    ada = person(three[0])
    assert (ada.username, ada.first_name, ada.email, ada.job_title) == (
        "ada.l@example.com",
        "Augusta",
        "augusta@example.com",
        "Countess",
    )
    assert ada.directory_account.scim_external_id == ""


def test_put_to_another_persons_username_is_a_conflict(directory, three):
    body = {"schemas": [USER], "userName": "BOB@example.com"}
    assert_scim_error(directory.put(f"/Users/{three[0]['id']}", body), 409, "uniqueness")
    assert person(three[0]).username == "ada@example.com"


def test_put_active_false_deactivates_and_true_activates(directory, three):
    body = {"schemas": [USER], "userName": "ada@example.com", "active": False}
    assert directory.put(f"/Users/{three[0]['id']}", body).json()["active"] is False
    ada = person(three[0])
    assert not ada.is_active
    assert ada.directory_account.deactivated_at is not None
    body["active"] = True
    assert directory.put(f"/Users/{three[0]['id']}", body).json()["active"] is True
    ada.refresh_from_db()
    assert ada.is_active
    assert DirectoryAccount.objects.get(user=ada).deactivated_at is None


# --- Patch: the shapes Entra ID and Okta send -------------------------------------------------


def test_entra_replaces_active_with_a_string(directory, three):
    # Entra ID: {"op": "Replace", "path": "active", "value": "False"}
    ops = [{"op": "Replace", "path": "active", "value": "False"}]
    response = directory.patch(f"/Users/{three[0]['id']}", ops)
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    assert not person(three[0]).is_active


def test_okta_replaces_active_with_a_value_object(directory, three):
    # Okta: {"op": "replace", "value": {"active": false}}
    ops = [{"op": "replace", "value": {"active": False}}]
    assert directory.patch(f"/Users/{three[1]['id']}", ops).status_code == 200
    assert not person(three[1]).is_active
    ops = [{"op": "replace", "value": {"active": True}}]
    assert directory.patch(f"/Users/{three[1]['id']}", ops).json()["active"] is True
    assert person(three[1]).is_active


def test_entra_adds_and_replaces_attributes_by_path(directory, three):
    ops = [
        {"op": "Add", "path": 'emails[type eq "work"].value', "value": "ada@new.example"},
        {"op": "Replace", "path": "name.givenName", "value": "Augusta"},
        {"op": "Replace", "path": "name.familyName", "value": "King"},
        {"op": "Replace", "path": "externalId", "value": "e-ada-2"},
        {"op": "Add", "path": "title", "value": "Countess"},
        {
            "op": "Add",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "value": "Maths",
        },
        {"op": "Replace", "path": "displayName", "value": "Augusta King"},
    ]
    response = directory.patch(f"/Users/{three[0]['id']}", ops)
    assert response.status_code == 200, response.content
    ada = person(three[0])
    assert (ada.email, ada.first_name, ada.last_name, ada.job_title) == (
        "ada@new.example",
        "Augusta",
        "King",
        "Countess",
    )
    assert ada.directory_account.scim_external_id == "e-ada-2"
    assert response.json()["displayName"] == "Augusta King"


def test_a_patch_without_path_takes_each_key_as_a_path(directory, three):
    ops = [
        {
            "op": "replace",
            "value": {
                "name.givenName": "Robert",
                "name": {"familyName": "Raymond"},
                "emails": [{"value": "robert@example.com", "primary": True, "type": "work"}],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "X"},
            },
        }
    ]
    ops[0]["op"] = "add"
    response = directory.patch(f"/Users/{three[1]['id']}", ops)
    assert response.status_code == 200, response.content
    bob = person(three[1])
    assert (bob.first_name, bob.last_name, bob.email) == ("Robert", "Raymond", "robert@example.com")


def test_patch_removes_attributes(directory, three):
    ops = [
        {"op": "remove", "path": "name.givenName"},
        {"op": "remove", "path": 'emails[value eq "bob@example.com"]'},
        {"op": "remove", "path": "externalId"},
    ]
    response = directory.patch(f"/Users/{three[1]['id']}", ops)
    assert response.status_code == 200, response.content
    bob = person(three[1])
    assert (bob.first_name, bob.email) == ("", "")
    assert bob.directory_account.scim_external_id == ""
    assert "emails" not in response.json()


@pytest.mark.parametrize(
    ("operations", "scim_type"),
    [
        ([], None),  # django-scim2 answers this one itself
        ("replace", "invalidSyntax"),
        ([{"op": "move", "path": "active", "value": True}], "invalidSyntax"),
        ([{"op": "remove"}], "noTarget"),
        ([{"op": "replace", "path": "active", "value": "maybe"}], "invalidValue"),
        ([{"op": "replace", "path": "userName", "value": 42}], "invalidValue"),
        ([{"op": "replace", "path": "userName", "value": ""}], "invalidValue"),
        (
            [{"op": "replace", "path": 'emails[type eq "work"].value', "value": "no"}],
            "invalidValue",
        ),
        ([{"op": "replace", "path": "name[", "value": "x"}], "invalidPath"),
        ([{"op": "replace", "value": "not an object"}], "invalidValue"),
        ([{"op": "add", "path": "password", "value": "hunter2"}], "mutability"),
    ],
)
def test_a_bad_patch_is_a_400_and_changes_nothing(directory, three, operations, scim_type):
    before = LogEntry.objects.count()
    response = directory.send(
        "PATCH",
        f"/Users/{three[0]['id']}",
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations},
    )
    assert_scim_error(response, 400, scim_type)
    ada = person(three[0])
    assert (ada.username, ada.email, ada.is_active) == ("ada@example.com", "ada@example.com", True)
    assert LogEntry.objects.count() == before


# --- Delete -----------------------------------------------------------------------------------


def test_delete_keeps_the_person_and_their_history_and_answers_404_after(directory, three, seam):
    bob = person(three[1])
    write_spec(seam, by=bob, note="Bob's spec")
    assert SpecVersion.objects.filter(author=bob).count() == 1
    history = LogEntry.objects.filter(actor=bob).count()
    response = directory.delete(f"/Users/{three[1]['id']}")
    assert response.status_code == 204
    bob.refresh_from_db()
    assert not bob.is_active
    assert bob.directory_account.scim_deleted_at is not None
    assert LogEntry.objects.filter(actor=bob).count() == history
    assert SpecVersion.objects.filter(author=bob).count() == 1
    assert_scim_error(directory.get(f"/Users/{three[1]['id']}"), 404)
    assert_scim_error(directory.delete(f"/Users/{three[1]['id']}"), 404)
    assert names(directory.get("/Users")) == ["ada@example.com", "cy@example.com"]


def test_the_directory_may_provision_a_deleted_person_again(directory, three):
    bob = person(three[1])
    directory.delete(f"/Users/{three[1]['id']}")
    again = directory.create_user("bob@example.com")
    assert person(again).pk == bob.pk
    bob.refresh_from_db()
    assert bob.is_active
    assert bob.directory_account.scim_deleted_at is None


def test_it_ignores_what_it_does_not_keep_and_reads_any_quoting_of_the_email_filter(
    directory, three
):
    ops = [
        {"op": "replace", "path": "emails[type eq 'work'].value", "value": "ada@quoted.example"},
        {"op": "replace", "path": "name.formatted", "value": "Lady Ada"},
        {"op": "add", "path": 'addresses[type eq "work"].streetAddress', "value": "1 Road"},
        {"op": "replace", "path": 'emails[type eq "work"].primary', "value": True},
    ]
    response = directory.patch(f"/Users/{three[0]['id']}", ops)
    assert response.status_code == 200, response.content
    ada = person(three[0])
    assert ada.email == "ada@quoted.example"
    assert (ada.first_name, ada.last_name) == ("Ada", "Lovelace")
    assert "addresses" not in response.json()
