"""The decision log's order, its quick-add confirmation and row on top, and its dates."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision
from seams.templatetags.dates import short_date
from tests.conftest import client_for

LONDON = ZoneInfo("Europe/London")
LIST = reverse("decisions:list")
LOG = reverse("decisions:log")


def make(question, seam, by, decider, *, requested, due=None, status="open", decided=None):
    return Decision.objects.create(
        question=question,
        decision_type="Integration scope",
        seam=seam,
        requested_by=by,
        decider=decider,
        requested_at=requested,
        due_at=due,
        status=status,
        decided_at=decided,
    )


def questions(html: str) -> list[str]:
    return re.findall(r'class="row-title"[^>]*>([^<]+)</a>', html)


@pytest.fixture
def log(seam, owner, other_owner):
    """A mixed log on 3 Dec 2026: overdue, open, decided at different times, withdrawn."""
    now = timezone.now()
    day = timedelta(days=1)

    def d(question, **kw):
        return make(question, seam, owner, other_owner, **kw)

    d("Overdue", requested=now - 9 * day, due=now - 2 * day)
    d("Open soon", requested=now - day, due=now + day)
    d("Open later", requested=now - day, due=now + 5 * day)
    # Decided: the order is when they were decided, not when they were due.
    d("Decided long ago", requested=now - 60 * day, due=now - 1 * day, status="decided",
      decided=now - 50 * day)  # fmt: skip
    d("Decided yesterday", requested=now - 40 * day, due=now - 30 * day, status="decided",
      decided=now - day)  # fmt: skip
    d("Decided last week", requested=now - 20 * day, due=now - 10 * day, status="decided",
      decided=now - 7 * day)  # fmt: skip
    d("Withdrawn", requested=now - 3 * day, due=now + day, status="withdrawn")


def test_pending_first_then_decided_newest_first_then_withdrawn(viewer_client, log):
    page = viewer_client.get(LIST).content.decode()
    assert questions(page) == [
        "Overdue",
        "Open soon",
        "Open later",
        "Decided yesterday",
        "Decided last week",
        "Decided long ago",
        "Withdrawn",
    ]


def test_the_decided_tab_lists_newest_first(viewer_client, log):
    page = viewer_client.get(LIST, {"status": "decided"}).content.decode()
    assert questions(page) == ["Decided yesterday", "Decided last week", "Decided long ago"]


class TestJustLogged:
    data = {"question": "Scope the Acme connector?", "decision_type": "Integration scope"}

    def test_with_htmx_the_confirmation_shows_and_the_new_row_leads(
        self, ops_client, seam, right, log
    ):
        response = ops_client.post(LOG, self.data | {"seam": seam.pk}, HTTP_HX_REQUEST="true")
        page = response.content.decode()
        confirmation = re.search(r'<p class="message[^"]*" role="status">([^<]+)</p>', page)
        assert confirmation.group(1).startswith("Logged “Scope the Acme connector?”. Otto Other")
        assert "decides, due" in confirmation.group(1)
        # The new decision is due in 16 business hours, after "Open soon": still it leads.
        assert questions(page)[0] == "Scope the Acme connector?"
        assert questions(page).count("Scope the Acme connector?") == 1
        first_row = re.search(r"<tr class=\"([^\"]*)\">", page.split("<tbody>")[1]).group(1)
        assert "row-just-logged" in first_row
        assert page.count("Just logged") == 1

    def test_with_the_plain_form_the_message_shows_and_the_row_leads_once(
        self, ops_client, seam, right, log
    ):
        response = ops_client.post(LOG, self.data | {"seam": seam.pk}, follow=True)
        page = response.content.decode()
        assert response.redirect_chain[-1][0] == LIST
        assert "Logged “Scope the Acme connector?”. Otto Other decides, due" in page
        assert questions(page)[0] == "Scope the Acme connector?"
        assert "Just logged" in page
        # Seen once: the next visit lists it in its usual place, unmarked.
        again = ops_client.get(LIST).content.decode()
        assert "Just logged" not in again
        assert questions(again)[0] == "Overdue"


def test_the_quick_add_selects_do_not_drive_the_filter(ops_client, seam, right):
    page = ops_client.get(LIST).content.decode()
    filters = re.search(r'<form class="filters card" id="decision-filters"[^>]*>', page).group(0)
    assert 'hx-trigger="input changed delay:300ms from:find input[name=q], change"' in filters
    assert "from:select" not in page
    # The two forms' seam, type and decider fields no longer share ids (or labels).
    for name in ("seam", "decision_type", "decider"):
        assert page.count(f'id="id_{name}"') <= 1
        assert f'id="filter_{name}"' in page


@pytest.mark.parametrize("day", [1, 3, 28])
def test_dates_carry_the_year_only_when_it_is_not_this_year(seam, owner, other_owner, day):
    with time_machine.travel(datetime(2027, 1, day, 9, 0, tzinfo=LONDON), tick=False):
        this_year = datetime(2027, 1, 1, 8, 0, tzinfo=LONDON)
        last_year = datetime(2026, 12, 30, 10, 0, tzinfo=LONDON)
        make("Asked last year", seam, owner, other_owner, requested=last_year - timedelta(days=2),
             due=last_year, status="decided", decided=last_year)  # fmt: skip
        make("Asked this year", seam, owner, other_owner, requested=this_year,
             due=this_year + timedelta(days=40), status="open")  # fmt: skip
        page = client_for(owner).get(LIST).content.decode()
        assert "28 Dec 2026" in page  # requested last year
        assert "30 Dec 2026" in page  # decided last year
        assert "1 Jan<" in page  # requested this year: no year
        assert "Wed 10 Feb, 08:00" in page  # due this year
        assert "2027" not in page.split("<tbody>")[1]
        assert short_date(last_year.date(), "D j M") == "Wed 30 Dec 2026"
        assert short_date(this_year, "j M") == "1 Jan"
        assert short_date(None) == ""
