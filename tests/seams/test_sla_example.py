"""The SLA editor's worked example on the seam's calendar, and picking the calendar."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from seams import business_time
from seams.models import Calendar, CalendarHoliday, HandoffSpec, Seam
from tests.conftest import client_for
from tests.factories import CalendarFactory

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def example_url(seam, **params):
    url = reverse("seams:spec-sla-example", args=[seam.slug])
    return url + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def section_url(seam):
    return reverse("seams:spec-section-edit", args=[seam.slug, "sla"])


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_it_counts_business_hours_day_by_day():
    rules = business_time.WorkingTime(
        tz=LONDON, weekdays=frozenset({1, 2, 3, 4, 5}), start=time(9, 0), end=time(17, 30)
    )
    start = datetime(2025, 3, 7, 16, 0, tzinfo=LONDON)  # a Friday
    due = business_time.add_business_hours(rules, start, 16)
    assert due == datetime(2025, 3, 11, 15, 0, tzinfo=LONDON)
    assert business_time.hours_by_day(rules, start, due) == [
        (date(2025, 3, 7), 1.5),
        (date(2025, 3, 8), 0.0),
        (date(2025, 3, 9), 0.0),
        (date(2025, 3, 10), 8.5),
        (date(2025, 3, 11), 6.0),
    ]


# The clock on the 1st, the 3rd and the 28th: the example's Friday is the next one.
@pytest.mark.parametrize(
    ("now", "friday"),
    [
        (datetime(2025, 3, 1, 9, 0, tzinfo=LONDON), "Fri 7 Mar"),
        (datetime(2025, 3, 3, 9, 0, tzinfo=LONDON), "Fri 7 Mar"),
        (datetime(2025, 3, 28, 9, 0, tzinfo=LONDON), "Fri 28 Mar"),
    ],
)
def test_it_answers_the_example_for_the_hours_being_typed(seam, owner, now, friday):
    with time_machine.travel(now, tick=False):
        client = client_for(owner)
        page = text(client.get(example_url(seam, response_sla_hours="4.5"), HTTP_HX_REQUEST="1"))
    assert page.startswith('<div class="sla-example-box" id="sla-example"')
    assert "Example with a 4.5 h response SLA" in page
    # Submitted Friday 16:00 → due Monday 12:00: 1.5 h on Friday, 3 h on Monday.
    assert f"Submitted {friday} 16:00 → response due Mon" in page
    assert "due 12:00" in page
    assert page.count("not working") == 2  # Saturday and Sunday
    assert "On UK business hours: Mon–Fri 09:00–17:30 · Europe/London." in page


def test_it_draws_the_example_on_the_calendar_picked(seam, owner):
    always = Calendar.objects.always()
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=LONDON), tick=False):
        page = text(
            client_for(owner).get(example_url(seam, response_sla_hours="16", calendar="24x7"))
        )
    assert "Submitted Fri 7 Mar 16:00 → response due Sat 8 Mar 08:00" in page
    assert "not working" not in page
    assert f"On {always.name}" in page


def test_a_holiday_is_not_working(seam, owner):
    CalendarHoliday.objects.create(calendar=seam.calendar, date=date(2025, 3, 10), name="Bank")
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=LONDON), tick=False):
        page = text(client_for(owner).get(example_url(seam, response_sla_hours="16")))
    assert "Submitted Fri 7 Mar 16:00 → response due Wed 12 Mar 15:00" in page
    assert page.count("not working") == 3


@pytest.mark.parametrize("hours", ["0", "soon", "99999"])
def test_it_says_what_is_wrong_with_the_hours(seam, owner, hours):
    page = text(client_for(owner).get(example_url(seam, response_sla_hours=hours)))
    assert 'class="form-error"' in page
    # Worded apart from the form's error ("Use a positive number of hours."), which the save
    # answers with.
    assert f"No example for “{hours}”: type a number of hours from 0.01 to 2,500." in page
    assert "Use a positive number" not in page
    assert "Example with" not in page


def test_it_says_when_the_calendar_is_unknown(seam, owner):
    page = text(client_for(owner).get(example_url(seam, response_sla_hours="8", calendar="x")))
    assert "No example: pick a calendar from the list." in page


def test_it_asks_for_hours_when_there_are_none(viewer_client, seam):
    page = text(viewer_client.get(example_url(seam, response_sla_hours="")))
    assert "Type a response SLA to see when" in page


def test_the_editor_shows_the_example_and_the_calendar_select(owner_client, seam):
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=LONDON), tick=False):
        client = owner_client
        page = text(client.get(section_url(seam), HTTP_HX_REQUEST="true"))
    assert f'hx-get="{reverse("seams:spec-sla-example", args=[seam.slug])}"' in page
    assert 'name="calendar"' in page
    assert '<option value="uk-business-hours" selected>' in page
    assert "Example with a 16 h response SLA" in page
    assert "Submitted Fri 7 Mar 16:00 → response due Tue 11 Mar 15:00" in page


def test_without_javascript_the_example_follows_the_posted_hours(owner_client, seam):
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=LONDON), tick=False):
        response = owner_client.post(
            section_url(seam),
            {"response_sla_hours": "4.5", "calendar": seam.calendar.slug, "base_version": 1},
        )
    assert response.status_code == 400  # no change note yet
    page = text(response)
    assert "Example with a 4.5 h response SLA" in page
    assert "This field is required." in page
    assert HandoffSpec.objects.get(seam=seam).response_sla_hours == Decimal(16)


def test_an_owner_moves_the_seam_to_another_calendar_with_the_sla(owner_client, seam):
    always = Calendar.objects.always()
    response = owner_client.post(
        section_url(seam),
        {
            "response_sla_hours": "24",
            "calendar": always.slug,
            "base_version": 1,
            "note": "Round the clock from now",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    seam.refresh_from_db()
    assert seam.calendar == always
    spec = HandoffSpec.objects.get(seam=seam)
    assert (spec.version, spec.response_sla_hours) == (2, Decimal(24))
    assert spec.versions.first().note == "Round the clock from now"
    page = text(response)
    # The section and the header chip name the new calendar.
    assert f'title="{always.summary}">{always.name}</span>' in page
    assert "response due Sat" in page


def test_only_those_who_edit_the_spec_move_the_calendar(
    seam, viewer_client, unrelated_owner_client, ops_client, leader_client
):
    other = CalendarFactory(name="US business hours", time_zone="America/New_York")
    data = {"response_sla_hours": "16", "calendar": other.slug, "base_version": 1, "note": "x"}
    for client in (viewer_client, unrelated_owner_client, ops_client):
        assert client.post(section_url(seam), data).status_code == 403
    assert Seam.objects.get(pk=seam.pk).calendar.slug == "uk-business-hours"
    assert leader_client.post(section_url(seam), data).status_code == 302
    assert Seam.objects.get(pk=seam.pk).calendar == other


def test_an_unknown_calendar_is_refused_and_nothing_saved(owner_client, seam):
    response = owner_client.post(
        section_url(seam),
        {"response_sla_hours": "8", "calendar": "nope", "base_version": 1, "note": "x"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert HandoffSpec.objects.get(seam=seam).version == 1
