"""Bad input gets a clear 400 and writes nothing, through every entry point that takes it:
absurd months, NUL characters, JSON nested past reason, bodies too large, text where ids go,
names that make no address, a bulk row's source."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from metrics import engine
from metrics.models import CorrectiveAction, MetricsRun, MonthlySeamMetrics, Review
from metrics.tasks import compute_metrics
from seams.models import Handoff, Team
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ABSURD_MONTHS = ["0001-01", "1999-12", "9999-12", "2026-13", "2026-00", "26-1", "x" * 5000]


def _month_pages():
    """Every page that takes ?month=, and what it answers when the month is bad."""
    return [
        reverse("metrics:review"),
        reverse("metrics:review") + "?pack=1&",
        reverse("metrics:review-export"),
        reverse("metrics:month"),
        reverse("metrics:export"),
    ]


# --- Months ------------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ABSURD_MONTHS)
@pytest.mark.parametrize("today", [1, 3, 28])
def test_it_refuses_absurd_months_on_every_page_that_takes_one(leader, month, today):
    with time_machine.travel(datetime(2026, 12, today, 9, tzinfo=UTC), tick=False):
        leader_client = client_for(leader)  # signed in on that day
        for page in _month_pages():
            glue = "" if page.endswith("&") else "?"
            response = leader_client.get(f"{page}{glue}month={month}")
            assert response.status_code == 400, page
            text = response.content.decode()
            told = ("2000", "2999", "YYYY-MM", "started yet", "no month")
            assert any(says in text for says in told), page


@pytest.mark.parametrize("today", [1, 3, 28])
def test_the_current_month_is_fine_and_the_next_one_not_yet(leader, today):
    with time_machine.travel(datetime(2026, 12, today, 9, tzinfo=UTC), tick=False):
        leader_client = client_for(leader)
        assert leader_client.get(reverse("metrics:month") + "?month=2026-12").status_code == 200
        response = leader_client.get(reverse("metrics:month") + "?month=2027-01")
        assert response.status_code == 400
        assert "January 2027 hasn&#x27;t started yet." in response.content.decode()


def test_the_api_refuses_absurd_months_with_its_error_shape(leader_client):
    for month in ("0001-01", "1999-12", "3000-01", "9999-12", "2026-13"):
        response = leader_client.get("/api/v1/metrics/", {"month": month})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert response.json()["errors"]["month"]
    # A month still ahead is a query that finds nothing, as the schema's pattern allows.
    response = leader_client.get("/api/v1/metrics/", {"month": "2999-12"})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_recompute_of_an_absurd_month_is_refused_and_starts_no_run(leader_client):
    for month in ("0001-01", "9999-12", "nonsense"):
        response = leader_client.post(reverse("metrics:recompute"), {"month": month}, follow=True)
        assert "Nothing recomputed" in response.content.decode()
    assert not MetricsRun.objects.exists()


def test_the_command_refuses_absurd_months(db):
    for month in ("0001-01", "9999-12", "2026-13"):
        with pytest.raises(CommandError):
            call_command("compute_metrics", month=month)
    assert not MonthlySeamMetrics.objects.exists()


def test_the_task_skips_a_bad_month_logs_it_and_finishes_its_run(seam, caplog, celery_eager):
    run = MetricsRun.objects.create(months=["0001-01", "2026-11"], seams=1)
    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=UTC), tick=False):
        compute_metrics(["0001-01", "2026-11", None], run_id=run.pk)
    run.refresh_from_db()
    assert run.finished_at is not None
    assert MonthlySeamMetrics.objects.filter(month="2026-11-01", seam=seam).exists()
    assert "Skipped the recompute of month '0001-01'" in caplog.text


def test_a_review_cannot_be_started_for_an_absurd_month(leader_client):
    response = leader_client.post(reverse("metrics:review-start"), {"month": "0001-01"})
    assert response.status_code == 302
    assert not Review.objects.exists()


def test_a_run_that_never_finishes_stops_holding_the_page_after_an_hour(leader_client, leader):
    stuck = MetricsRun.objects.create(months=["2026-11"], seams=3, requested_by=leader)
    MetricsRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(hours=2))
    page = leader_client.get(reverse("metrics:month")).content.decode()
    assert "Recomputing" not in page
    assert "part=run" not in page  # no polling for ever
    fresh = MetricsRun.objects.create(months=["2026-11"], seams=3, requested_by=leader)
    page = leader_client.get(reverse("metrics:month")).content.decode()
    assert "Recomputing 2026-11" in page
    assert list(MetricsRun.objects.in_progress()) == [fresh]


def test_parse_month_names_the_bounds():
    with pytest.raises(ValueError, match="from January 2000 on"):
        engine.parse_month("0001-01")
    assert engine.parse_month("2000-01").year == 2000


# --- NUL characters and impossible dates in queries ------------------------------------------


def test_nul_in_a_query_string_is_a_400_on_pages_and_the_api(leader_client):
    for url in (
        reverse("metrics:review") + "?contract=%00",
        reverse("seams:handoffs") + "?q=a%00b",
        "/api/v1/handoffs/?source=%00",
    ):
        response = leader_client.get(url)
        assert response.status_code == 400, url
        assert "NUL" in response.content.decode(), url


def test_an_impossible_date_on_the_escalations_page_is_said_not_crashed(leader_client):
    response = leader_client.get(reverse("decisions:escalations"), {"from": "2026-02-30"})
    assert response.status_code == 400
    assert "“2026-02-30” is not a date" in response.content.decode()


# --- JSON on the API ---------------------------------------------------------------------------

API_WRITES = [
    "/api/v1/handoffs/",
    "/api/v1/decisions/",
    "/api/v1/escalations/",
    "/api/v1/dependencies/",
    "/api/v1/constraints/",
    "/api/v1/teams/",
    "/api/v1/seams/",
    "/api/v1/contracts/",
]


@pytest.mark.parametrize("url", API_WRITES)
@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a": ' * 40 + "1" + "}" * 40, "nested too deeply"),
        ('{"title": NaN}', "NaN is not a number"),
        ('{"title": "a\\u0000b"}', "NUL"),
        ('{"n": ' + "9" * 5000 + "}", "too long"),
        ('{"title": ', "not JSON"),
    ],
)
def test_every_api_write_refuses_hostile_json(leader_client, url, body, says):
    before = Handoff.objects.count(), Team.objects.count(), Contract.objects.count()
    response = leader_client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert says in response.json()["detail"]
    assert (Handoff.objects.count(), Team.objects.count(), Contract.objects.count()) == before


def test_an_api_body_over_the_limit_is_413_and_writes_nothing(leader_client, settings, seam):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    row = {"seam": seam.slug, "title": "x" * 200, "submitted_at": "2026-11-02T10:00:00Z"}
    rows = [row | {"external_id": f"BIG-{n}"} for n in range(100)]
    response = leader_client.post("/api/v1/handoffs/", rows, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "over 9.76562 KB" in response.json()["detail"]
    assert not Handoff.objects.exists()


# --- A bulk row's source -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("s" * 61, "Longer than 60 characters."),
        (["jira"], "Must be text"),
        ({"name": "jira"}, "Must be text"),
        (42, "Must be text"),
        ("   ", "It is blank"),
    ],
)
def test_a_bulk_rows_source_must_be_short_plain_text(leader_client, seam, source, says):
    at = "2026-11-02T10:00:00Z"
    rows = [
        {"seam": seam.slug, "external_id": "OK-1", "title": "Fine", "source": "jira"},
        {"seam": seam.slug, "external_id": "BAD-1", "title": "Odd source", "source": source},
    ]
    rows = [row | {"submitted_at": at} for row in rows]
    response = leader_client.post("/api/v1/handoffs/", rows, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 1
    [error] = body["errors"]
    assert (error["index"], error["external_id"], list(error["errors"])) == (1, "BAD-1", ["source"])
    assert says in error["errors"]["source"]
    assert list(Handoff.objects.values_list("source", "external_id")) == [("jira", "OK-1")]


# --- Text where an id goes ---------------------------------------------------------------------


def test_a_non_numeric_action_id_is_a_clear_400(leader_client):
    for value in ("abc", "1e3", "", "٣", "9" * 40):
        response = leader_client.post(
            reverse("metrics:actions"), {"action": value, "status": "done"}
        )
        assert response.status_code == 400, value
        assert "must be the id of a record" in response.content.decode()
    assert not CorrectiveAction.objects.exists()


# --- Names that make no address ----------------------------------------------------------------


def test_a_contract_title_whose_address_is_taken_is_told_beside_the_title(leader_client, leader):
    Contract.objects.create(title="EU launch", slug="eu-launch", leader=leader, review_day=5)
    form = {"title": "EU Launch!", "scope": "EU", "leader": leader.pk, "review_day": 5}
    response = leader_client.post(reverse("contracts:create"), form)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "already uses the address “eu-launch”" in errors["title"][0]
    assert Contract.objects.count() == 1


def test_a_long_contract_title_gets_an_address_that_fits(leader_client, leader):
    title = "Launch " * 17  # 118 characters, an address of 125
    form = {"title": title.strip(), "scope": "EU", "leader": leader.pk, "review_day": 5}
    response = leader_client.post(reverse("contracts:create"), form)
    assert response.status_code == 302, response.context["form"].errors
    contract = Contract.objects.get()
    assert len(contract.slug) <= 80
    assert not contract.slug.endswith("-")


def test_a_contract_title_without_letters_or_digits_is_told_beside_the_title(leader_client, leader):
    form = {"title": "—!?", "scope": "EU", "leader": leader.pk, "review_day": 5}
    response = leader_client.post(reverse("contracts:create"), form)
    assert response.status_code == 400
    assert "at least one letter or digit" in response.context["form"].errors["title"][0]
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    ("team", "says"),
    [
        ("T" * 81, "longer than 80 characters"),
        ("1234", "needs at least one letter"),
        ("—", "needs at least one letter"),
    ],
)
def test_guided_start_refuses_team_names_too_long_or_without_letters(leader_client, team, says):
    from onboarding import guide

    guide.begin(by=UserFactory(username="boss", roles=["leader"]))
    text = f"summary,from_team,to_team\nAcme waited,{team},Security\n"
    response = leader_client.post(reverse("onboarding:guide-misses-add"), {"text": text})
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Team.objects.exists()


def test_a_guided_start_tag_with_a_name_without_letters_is_refused(leader_client, leader):
    from onboarding import guide
    from onboarding.find_seams import add_misses
    from onboarding.misses import MissInput
    from onboarding.models import Miss

    current = guide.begin(by=leader)
    add_misses(guide=current, misses=[MissInput("Acme")], by=leader)
    miss = Miss.objects.get()
    response = leader_client.post(
        reverse("onboarding:guide-miss-tag", args=[miss.pk]), {"from_team": "42", "to_team": "Ops"}
    )
    assert response.status_code == 400
    assert "needs at least one letter" in response.content.decode()
    assert not Team.objects.exists()


def test_bad_request_pages_say_what_was_wrong_but_not_django_internals(leader_client):
    response = leader_client.post(reverse("metrics:actions"), {"action": "x"})
    assert "must be the id of a record" in response.content.decode()
    response = leader_client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "Invalid HTTP_HOST" not in response.content.decode()


# --- Calendars whose clock would never run ----------------------------------------------------


def _calendar(weekdays, holidays) -> dict:
    return {
        "name": "Odd",
        "time_zone": "Europe/London",
        "working_weekdays": weekdays,
        "day_start": "09:00",
        "day_end": "17:00",
        "holidays": [{"date": day.isoformat(), "name": "Off"} for day in holidays],
    }


def test_a_calendar_closed_for_a_decade_is_refused(leader_client):
    from datetime import date

    from seams.models import Calendar

    before = Calendar.objects.count()
    mondays = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(520)]
    response = leader_client.post(
        "/api/v1/calendars/", _calendar([1], mondays), content_type="application/json"
    )
    assert response.status_code == 400
    assert "close the calendar for 3646 days in a row" in response.json()["errors"]["holidays"][0]
    every_day = [date(2000, 1, 1) + timedelta(days=n) for n in range(3661)]
    response = leader_client.post(
        "/api/v1/calendars/", _calendar([1, 2, 3, 4, 5], every_day), content_type="application/json"
    )
    assert response.status_code == 400
    assert "holidays" in response.json()["errors"]
    assert Calendar.objects.count() == before
    christmas = [date(2026, 12, 24) + timedelta(days=n) for n in range(10)]
    response = leader_client.post(
        "/api/v1/calendars/", _calendar([1, 2, 3, 4, 5], christmas), content_type="application/json"
    )
    assert response.status_code == 201


def test_returning_a_handoff_on_a_seam_without_a_spec_works(ops_client):
    from seams.handoffs import submit_handoff
    from seams.models import HandoffReturn
    from tests.factories import SeamFactory

    bare = SeamFactory(name="No spec yet")
    handoff = submit_handoff(seam=bare, title="Acme", by=None)
    url = reverse("seams:handoff-move", args=[handoff.pk, "return"])
    response = ops_client.post(url, {"reason": "No payload", "missing_item": "Payload"})
    assert response.status_code == 302
    assert not HandoffReturn.objects.exists()  # no such item on a spec that isn't written
    response = ops_client.post(url, {"reason": "No payload"})
    assert response.status_code == 302
    assert HandoffReturn.objects.get().reason == "No payload"


# --- The review's newer entry points ------------------------------------------------------------


def test_the_packs_stylesheet_takes_any_scope_without_breaking_out_of_its_strings(
    leader_client, leader
):
    Contract.objects.create(
        title='EU "launch" } body { display: none', slug="eu", leader=leader, review_day=5
    )
    for query in ("month=0001-01", "contract=nowhere", "contract=eu", "month=" + "9" * 500):
        response = leader_client.get(reverse("metrics:review-pack-style") + "?" + query)
        assert response.status_code == 200, query
        assert response["Content-Type"].startswith("text/css")
        css = response.content.decode()
        assert css.count("{") == css.count("}") == 3, query  # @page, and its two margin boxes


def test_the_escalation_forms_seam_from_the_url_is_only_a_suggestion(ops_client, seam):
    for slug in ("nowhere", "x" * 5000, "../admin", ""):
        response = ops_client.get(reverse("decisions:escalations"), {"seam": slug})
        assert response.status_code == 200, slug
        assert response.context["form"]["seam"].value() in (None, "")
    response = ops_client.get(reverse("decisions:escalations"), {"seam": seam.slug})
    assert response.context["form"]["seam"].value() == seam.pk


def test_the_drilldown_and_my_seams_refuse_or_ignore_absurd_queries(
    leader_client, owner_client, seam
):
    for month in ("0001-01", "9999-12", "2026-13", "x" * 300):
        response = leader_client.get(reverse("metrics:seam", args=[seam.slug]), {"month": month})
        assert response.status_code == 400, month
    for page in ("abc", "-1", "9" * 30):
        response = owner_client.get(reverse("metrics:mine"), {"page": page})
        assert response.status_code == 200, page
