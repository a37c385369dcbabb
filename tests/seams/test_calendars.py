from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from seams.models import Calendar
from tests.factories import CalendarFactory

LONDON = ZoneInfo("Europe/London")


@pytest.mark.django_db
class TestCalendarModel:
    def test_it_reads_naive_times_in_the_organisations_zone(self, settings):
        settings.TIME_ZONE = "Europe/London"
        calendar = CalendarFactory()
        naive = calendar.business_hours_between(
            datetime(2026, 11, 20, 16), datetime(2026, 11, 23, 10)
        )
        aware = calendar.business_hours_between(
            datetime(2026, 11, 20, 16, tzinfo=LONDON), datetime(2026, 11, 23, 10, tzinfo=LONDON)
        )
        assert naive == aware == 2.5  # 1.5 h on Friday, 1 h on Monday

    def test_it_skips_its_holidays(self):
        calendar = CalendarFactory()
        calendar.holidays.create(date=date(2026, 11, 23), name="Company day")
        due = calendar.add_business_hours(datetime(2026, 11, 20, 16, tzinfo=LONDON), Decimal(16))
        assert due == datetime(2026, 11, 25, 15, tzinfo=LONDON)  # Monday off: Wednesday 15:00

    def test_the_built_in_24x7_calendar_is_plain_elapsed_time(self):
        always = Calendar.objects.always()
        assert always.slug == "24x7"
        start = datetime(2026, 3, 28, 12, tzinfo=LONDON)  # across the clocks going forward
        assert always.business_hours_between(start, datetime(2026, 3, 29, 12, tzinfo=LONDON)) == 23

    def test_it_refuses_a_day_that_ends_before_it_starts(self):
        from django.core.exceptions import ValidationError

        calendar = CalendarFactory.build(day_start="18:00", day_end="09:00")
        with pytest.raises(ValidationError, match="end after it starts"):
            calendar.full_clean()


class TestCalendarPages:
    def test_a_leader_creates_a_calendar_with_a_countrys_public_holidays(self, leader_client):
        response = leader_client.post(
            reverse("seams:calendar-create"),
            {
                "name": "Germany office",
                "time_zone": "Europe/Berlin",
                "working_weekdays": [1, 2, 3, 4, 5],
                "day_start": "08:30",
                "day_end": "17:00",
                "holiday_country": "DE",
                "holiday_subdivision": "BY",
            },
        )
        calendar = Calendar.objects.get(slug="germany-office")
        assert response["Location"] == reverse("seams:calendar-detail", args=["germany-office"])
        assert calendar.working_weekdays == [1, 2, 3, 4, 5]
        names = set(calendar.holidays.values_list("name", flat=True))
        assert "Tag der Deutschen Einheit" in names or "German Unity Day" in names
        assert calendar.holidays.count() >= 3 * 10  # three years of Bavarian holidays

    def test_it_explains_an_unknown_region(self, leader_client):
        response = leader_client.post(
            reverse("seams:calendar-create"),
            {
                "name": "X",
                "time_zone": "Europe/London",
                "working_weekdays": [1],
                "day_start": "09:00",
                "day_end": "17:00",
                "holiday_country": "GB",
                "holiday_subdivision": "XX",
            },
        )
        assert response.status_code == 400
        assert "Known: ENG" in str(response.context["form"].errors["holiday_subdivision"])
        assert not Calendar.objects.filter(name="X").exists()

    def test_it_refuses_anyone_but_a_leader(self, owner_client):
        assert owner_client.get(reverse("seams:calendar-create")).status_code == 403

    def test_it_lists_calendars_with_their_seams(self, viewer_client, seam):
        page = viewer_client.get(reverse("seams:calendars")).content.decode()
        assert "UK business hours" in page
        assert "Mon–Fri 09:00–17:30 · Europe/London" in page


class TestCalendarApi:
    def test_a_leader_creates_one_with_holidays_and_errors_name_the_field(self, leader):
        client = APIClient()
        client.force_authenticate(leader)
        good = client.post(
            "/api/v1/calendars/",
            {
                "name": "Singapore",
                "time_zone": "Asia/Singapore",
                "working_weekdays": [1, 2, 3, 4, 5],
                "day_start": "09:00",
                "day_end": "18:00",
                "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}],
            },
            format="json",
        )
        assert good.status_code == 201, good.json()
        assert good.json()["holidays"] == [{"date": "2026-12-25", "name": "Christmas Day"}]
        bad = client.post(
            "/api/v1/calendars/",
            {
                "name": "Bad",
                "time_zone": "Mars/Olympus",
                "working_weekdays": [0, 8],
                "day_start": "18:00",
                "day_end": "09:00",
            },
            format="json",
        )
        assert bad.status_code == 400
        assert set(bad.json()["errors"]) >= {"time_zone", "working_weekdays"}

    def test_it_refuses_a_non_leader(self, owner):
        client = APIClient()
        client.force_authenticate(owner)
        response = client.post("/api/v1/calendars/", {"name": "Mine"}, format="json")
        assert response.status_code == 403
