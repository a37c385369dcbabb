"""A leader follows the review's forecast line to the initiative, sees which dependency sinks
it, and records the assumption behind it with an owner, with mouse and keyboard; the screen
and the database agree."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contracts.models import Assumption, Commitment, Initiative
from decisions.models import Dependency
from tests.factories import PASSWORD, SeamFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.e2e


# Long: one journey from the review to the recorded assumption, on screen and in the database.
@pytest.mark.django_db(transaction=True)
def test_a_leader_records_the_assumption_a_sinking_dependency_rests_on(live_server, page: Page):
    lena = UserFactory(username="lena", first_name="Lena", last_name="Leader", roles=["leader"])
    sofia = UserFactory(username="sofia", first_name="Sofia", last_name="Marin", roles=["ops"])
    legal, product = TeamFactory(name="Legal"), TeamFactory(name="Product")
    seam = SeamFactory(name="Contract language", from_team=legal, to_team=product)
    launch = Initiative.objects.create(slug="eu-launch", name="EU launch", leader=lena)
    Commitment.objects.create(initiative=launch, team=legal, commitment="EU DPA template")
    Commitment.objects.create(initiative=launch, team=product, commitment="EU data residency")
    now = timezone.now()
    today = timezone.localdate()
    # Every past one on the seam took 30 days; the open one is needed in 3.
    Dependency.objects.bulk_create(
        Dependency(
            title=f"Past clause {n}",
            provider=legal,
            consumer=product,
            seam=seam,
            owner=sofia,
            needed_by=today - timedelta(days=40),
            status=Dependency.Status.DELIVERED,
            delivered_at=today - timedelta(days=40),
            created_at=now - timedelta(days=70),
        )
        for n in range(12)
    )
    Dependency.objects.create(
        title="DPA clause set approved",
        provider=legal,
        consumer=product,
        seam=seam,
        owner=sofia,
        initiative=launch,
        needed_by=today + timedelta(days=3),
        status=Dependency.Status.COMMITTED,
        created_at=now - timedelta(days=2),
    )

    spare = Dependency.objects.create(
        title="Sub-processor list published",
        provider=legal,
        consumer=product,
        seam=seam,
        owner=sofia,
        needed_by=today + timedelta(days=60),
        status=Dependency.Status.REQUESTED,
        created_at=now - timedelta(days=1),
    )

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Account menu")).to_be_visible()
    page.goto(live_server.url + f"/review/?month={today:%Y-%m}")
    line = page.locator(".initiative-line", has_text="EU launch")
    expect(line).to_contain_text("0 % on time")
    expect(line).to_contain_text("Contract language adds most risk")
    line.get_by_role("link", name="EU launch").click()

    expect(page.locator("#forecast-chance")).to_have_text("0 %")
    row = page.locator(".forecast-table tr", has_text="DPA clause set approved")
    expect(row).to_contain_text("No assumption connects these commitments")
    row.get_by_role("link", name="Record one with an owner").click()

    # The form is open, filled with the two commitments and a statement to edit.
    expect(page.get_by_label("Relied on by")).to_have_value(
        str(Commitment.objects.get(team=product).pk)
    )
    expect(page.get_by_label("Relies on", exact=True)).to_have_value(
        str(Commitment.objects.get(team=legal).pk)
    )
    statement = page.get_by_label("Statement")
    expect(statement).to_have_value(
        f"Legal delivers “DPA clause set approved” by {today + timedelta(days=3):%-d %b %Y}"
    )
    owner = page.get_by_label("Owner")
    owner.focus()
    while "Sofia" not in owner.evaluate("s => s.options[s.selectedIndex].text"):
        page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Record assumption").click()

    row = page.locator(".forecast-table tr", has_text="DPA clause set approved")
    expect(row).to_contain_text("Rests on the assumption")
    expect(row).not_to_contain_text("Unowned")
    assumption = Assumption.objects.get(initiative=launch)
    assert assumption.owner == sofia
    assert assumption.from_commitment.team == product
    assert assumption.to_commitment.team == legal

    # An open dependency that no initiative counts yet is linked from the page, by keyboard.
    choice = page.get_by_label("Link an open dependency")
    choice.focus()
    expect(choice).to_have_value(str(spare.pk))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
        "is now needed for EU launch"
    )
    expect(
        page.locator(".forecast-table tr", has_text="Sub-processor list published")
    ).to_contain_text("100 %")
    spare.refresh_from_db()
    assert spare.initiative == launch
