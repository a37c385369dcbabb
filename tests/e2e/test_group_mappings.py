"""A leader maps the identity provider's groups to a role and a team with mouse and keyboard;
the person the directory placed in the group gets them at once, on screen and in the database,
and loses them when the mapping is removed."""

import pytest
from playwright.sync_api import Page, expect

from identity.models import DirectoryAccount, DirectoryGroup, GroupMapping
from seams.models import Membership
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.e2e


# Long: one journey, mouse then keyboard, on screen and in the database.
@pytest.mark.django_db(transaction=True)
def test_a_leader_maps_groups_and_removes_one(live_server, page: Page):
    UserFactory(username="lena", first_name="Lena", last_name="Leader", roles=["leader"])
    security = TeamFactory(name="Security")
    dana = UserFactory(username="dana", first_name="Dana", last_name="Directory")
    DirectoryAccount.objects.create(user=dana, sso_groups=["sec-team"])
    DirectoryGroup.objects.create(display_name="Leadership").members.add(dana)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_label("Account menu").click()
    page.get_by_role("link", name="Sign-in and groups").click()
    expect(page.get_by_role("heading", name="No groups mapped yet")).to_be_visible()
    expect(page.locator("tr", has_text="Leadership")).to_contain_text("Not mapped")

    # The mouse: the directory's group, the leader role.
    page.get_by_label("Group", exact=True).click()
    page.keyboard.type("Leadership")
    page.get_by_label("Grants", exact=True).select_option(label="Leader role")
    page.get_by_role("button", name="Add mapping").click()
    said = page.get_by_role("status").filter(has_text="“Leadership” now grants Leader.")
    expect(said).to_contain_text("1 person updated")
    assert set(dana.groups.values_list("name", flat=True)) == {"leader"}

    # The keyboard: the sign-on group, owner of Security, picked with the arrow keys.
    page.get_by_label("Group", exact=True).focus()
    page.keyboard.type("sec-team")
    page.keyboard.press("Tab")
    grants = page.get_by_label("Grants", exact=True)
    expect(grants).to_be_focused()
    while grants.input_value() != f"team:{security.pk}:owner":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#mappings tr", has_text="sec-team")).to_contain_text("Owner of Security")
    membership = Membership.objects.get(user=dana)
    assert (membership.team, membership.role) == (security, "owner")

    # A duplicate is refused where it was typed, and nothing is added.
    page.get_by_label("Group", exact=True).fill("LEADERSHIP")
    page.get_by_label("Grants", exact=True).select_option(label="Leader role")
    page.get_by_role("button", name="Add mapping").click()
    expect(page.get_by_role("alert")).to_contain_text("already grants this")
    assert GroupMapping.objects.count() == 2

    # Removing asks first, then takes the role away.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#mappings tr", has_text="Leadership").get_by_role("button").click()
    # (The page may also still say what the keyboard's add did, when that add outran htmx
    # and went as a plain form: both ways work.)
    expect(page.get_by_role("status").filter(has_text="no longer grants Leader")).to_be_visible()
    expect(page.locator("#mappings tr", has_text="Leadership")).to_have_count(0)
    assert not dana.groups.exists()
    assert list(GroupMapping.objects.values_list("group", flat=True)) == ["sec-team"]
