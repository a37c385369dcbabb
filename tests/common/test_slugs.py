"""One slug rule: the name slugified, cut to the field, no dash left at the cut; generated slugs
take the first free "-2", "-3", … and always fit their field."""

import pytest
from django.core.exceptions import ValidationError

from common.slugs import free_slug, slug_for
from connections.models import Source as WebhookSource
from seams.models import Calendar, Team, derive_slug
from tests.factories import CalendarFactory


def test_it_cuts_without_leaving_a_dash():
    assert slug_for("Sales & Security", 80) == "sales-security"
    assert slug_for("ab cd", 3) == "ab"
    assert slug_for("!!!", 10) == ""


def test_a_typed_name_gets_its_slug_and_a_taken_one_is_refused(db):
    Team.objects.create(name="Sales", slug="sales")
    team = Team(name="Sales ")
    with pytest.raises(ValidationError, match="already uses the address"):
        derive_slug(team)
    assert team.slug == "sales"


def test_a_generated_slug_takes_the_next_free_number(db):
    CalendarFactory(name="UK", slug="uk")
    assert free_slug(Calendar, "UK", fallback="calendar") == "uk-2"
    assert free_slug(Calendar, "☃", fallback="calendar") == "calendar"


def test_a_long_generated_slug_stays_unique_within_its_field(db):
    # The webhook source of a seam with a long slug used to be cut to 60 characters after its
    # number was added, so a second one clashed with the first.
    name = "jira-" + "x" * 75
    first = free_slug(WebhookSource, name, fallback="jira")
    WebhookSource.objects.create(slug=first, name="one")
    second = free_slug(WebhookSource, name, fallback="jira")
    assert second == f"{first}-2"
    assert len(second) <= WebhookSource._meta.get_field("slug").max_length
