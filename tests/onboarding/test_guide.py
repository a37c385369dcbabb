"""The guided start: from recent misses to a piloted contract, step by step."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.models import Delivery, Source
from contracts.models import Contract, MetricTarget, SpecTemplate
from decisions.models import Escalation
from onboarding import guide
from onboarding.cadence import DEFAULT_DECISION_TYPE, add_constraint, add_decision
from onboarding.data_source import choose_source, record_source, send_test_delivery
from onboarding.find_seams import add_misses, choose_seams, remove_miss, seam_pareto, tag_miss
from onboarding.first_spec import record_spec
from onboarding.misses import MissesRefused, MissInput, parse_misses
from onboarding.models import GuidedStart, Miss
from onboarding.pilot import finish, suggested_targets
from seams.csv_import import import_csv
from seams.models import Handoff, Seam, Team
from tests.conftest import client_for
from tests.factories import SeamFactory, UserFactory

pytestmark = pytest.mark.django_db

Step = GuidedStart.Step


def _misses(current, leader, *rows):
    """Add misses given as (summary, from_team, to_team); empty teams leave one untagged."""
    return add_misses(
        guide=current,
        misses=[MissInput(summary, from_team=f, to_team=t) for summary, f, t in rows],
        by=leader,
    )


@pytest.fixture
def started(leader):
    return guide.begin(by=leader)


# --- Reading pasted misses -------------------------------------------------------------


def test_it_reads_one_miss_per_line_without_bullets_or_numbers():
    misses = parse_misses(
        "- Acme scoped twice\n\n2. Globex review waited 9 days\r\n• Pricing sign-off lost\n"
    )
    assert [m.summary for m in misses] == [
        "Acme scoped twice",
        "Globex review waited 9 days",
        "Pricing sign-off lost",
    ]
    assert all(m.from_team == "" and m.happened_on is None for m in misses)


def test_it_reads_a_small_csv_with_dates_causes_and_teams():
    misses = parse_misses(
        "\ufeffSummary,Date,Cause,From,To\n"
        "Acme scoped twice,2026-11-02,missing inputs,Sales,Product\n"
        '"Review waited, again",,SLA breach,,\n'
    )
    assert misses == [
        MissInput("Acme scoped twice", date(2026, 11, 2), "missing_inputs", "Sales", "Product"),
        MissInput("Review waited, again", None, "sla_breach", "", ""),
    ]


def test_it_refuses_a_paste_naming_every_bad_line():
    with pytest.raises(MissesRefused) as refused:
        parse_misses(
            "summary,date,cause,from_team,to_team\n"
            "ok,2026-11-01,,,\n"
            ",2026-11-01,,,\n"
            "bad date,yesterday,,,\n"
            "bad cause,,gremlins,,\n"
            "one team,,,Sales,\n"
            "same team,,,Sales,sales\n"
            f"future,{(timezone.localdate() + timedelta(days=2)):%Y-%m-%d},,,\n"
        )
    assert refused.value.problems == [
        "Line 3 has no summary.",
        "Line 4: “yesterday” is not a date (use YYYY-MM-DD).",
        refused.value.problems[2],
        "Line 6: name both teams, or neither.",
        "Line 7: a seam connects two different teams.",
        refused.value.problems[5],
    ]
    assert refused.value.problems[2].startswith("Line 5: “gremlins” is not a cause (")
    assert refused.value.problems[5].startswith("Line 8: ")
    assert "future" in refused.value.problems[5]


def test_it_refuses_nothing_to_read_and_too_much():
    with pytest.raises(MissesRefused, match="at least one miss"):
        parse_misses(" \n - \n")
    with pytest.raises(MissesRefused, match="at most 100"):
        parse_misses("\n".join(f"miss {n}" for n in range(101)))
    with pytest.raises(MissesRefused, match="Line 2 is longer than 300"):
        parse_misses("short\n" + "x" * 301)


# --- Tagging and the Pareto ------------------------------------------------------------


def test_it_tags_a_miss_making_teams_and_the_seam_on_the_spot(started, leader):
    (miss,) = _misses(started, leader, ("Acme scoped twice", "", ""))
    tag_miss(miss=miss, from_team="Sales", to_team="Security", cause="sla_breach", by=leader)
    seam = Seam.objects.get()
    assert (seam.from_team.name, seam.to_team.name, seam.name) == (
        "Sales",
        "Security",
        "Sales → Security",
    )
    assert seam.spec.version == 0  # registered, no spec written yet
    escalation = Escalation.objects.get()
    assert (escalation.seam, escalation.summary, escalation.cause, escalation.raised_by) == (
        seam,
        "Acme scoped twice",
        "sla_breach",
        leader,
    )
    # Retagging to an existing team pair, typed in another case, reuses teams and seam.
    (second,) = _misses(started, leader, ("Globex waited", "sales", "SECURITY"))
    assert second.seam == seam
    assert Team.objects.count() == 2
    assert Escalation.objects.filter(seam=seam).count() == 2


def test_it_moves_the_escalation_when_a_miss_is_retagged_and_removes_it_with_the_miss(
    started, leader
):
    (miss,) = _misses(started, leader, ("Acme scoped twice", "Sales", "Product"))
    other = SeamFactory(name="Security sign-off")
    tag_miss(miss=miss, seam=other, cause="", by=leader)
    escalation = Escalation.objects.get()
    assert escalation.seam == other
    assert escalation.cause == Escalation.Cause.OTHER
    remove_miss(miss=Miss.objects.get(), by=leader)
    assert not Escalation.objects.exists()
    assert not Miss.objects.exists()


def test_it_refuses_a_tag_without_two_different_teams(started, leader):
    (miss,) = _misses(started, leader, ("Acme", "", ""))
    with pytest.raises(guide.StepRefused, match="two different teams"):
        tag_miss(miss=miss, from_team="Sales", to_team=" sales ", by=leader)
    with pytest.raises(guide.StepRefused, match="Pick a seam"):
        tag_miss(miss=miss, from_team="Sales", to_team="", by=leader)
    assert not Seam.objects.exists()
    assert not Escalation.objects.exists()


def test_it_preselects_the_fewest_seams_that_explain_seventy_percent(started, leader):
    rows = (
        [("a", "Sales", "Product")] * 4
        + [("b", "App", "Security")] * 3
        + [("c", "Sales", "Legal")] * 2
        + [("d", "Eng", "Platform")] * 1
        + [("untagged", "", "")]
    )
    _misses(started, leader, *rows)
    shares = seam_pareto(list(started.misses.select_related("seam")))
    assert [(s.seam.name, s.bar.count, s.preselected) for s in shares] == [
        ("Sales → Product", 4, True),  # 40 %
        ("App → Security", 3, True),  # 70 %: reached, so the set stops here
        ("Sales → Legal", 2, False),
        ("Eng → Platform", 1, False),
    ]
    assert [round(s.bar.cumulative_pct) for s in shares] == [40, 70, 90, 100]


def test_it_breaks_ties_at_the_edge_by_name_so_the_choice_is_stable(started, leader):
    _misses(
        started,
        leader,
        *[("x", "B", "C")] * 3,
        *[("y", "A", "C")] * 3,
        *[("z", "D", "C")] * 3,
    )
    shares = seam_pareto(list(started.misses.select_related("seam")))
    assert [(s.seam.name, s.preselected) for s in shares] == [
        ("A → C", True),
        ("B → C", True),
        ("D → C", True),  # 67 % after two: a third is needed
    ]


# --- Finishing ------------------------------------------------------------------------


def _through_spec(started, leader):
    _misses(started, leader, *[("a", "Sales", "Security")] * 3, ("b", "Sales", "Legal"))
    seams = [s.seam for s in seam_pareto(list(started.misses.select_related("seam")))]
    choose_seams(guide=started, seams=seams, by=leader)
    started.advance(Step.CADENCE, by=leader)
    template = SpecTemplate.objects.get(slug="security-sign-off")
    record_spec(guide=started, seam=seams[0], template=template, by=leader)
    return seams


def test_it_suggests_the_templates_three_targets_following_the_spec_sla(started, leader):
    seams = _through_spec(started, leader)
    spec = seams[0].spec
    spec.response_sla_hours = Decimal(12)
    spec.save()
    started.refresh_from_db()
    suggestions = suggested_targets(started)
    assert len(suggestions) == 3
    assert ("queue_time_p85_hours", Decimal(12)) in suggestions
    assert len({metric for metric, _ in suggestions}) == 3


# Long: the last step's every effect, read against the one guided start it finishes.
def test_it_finishes_with_a_contract_in_pilot_three_targets_and_the_seam_piloting(started, leader):
    seams = _through_spec(started, leader)
    decision = add_decision(
        guide=started,
        question="Who decides integration scope?",
        seam=seams[1],
        decider=leader,
        decision_type="",
        by=leader,
    )
    today = date(2026, 11, 21)
    contract = finish(
        guide=started,
        title="Security sign-off contract",
        scope="Deals that need a security review",
        review_day=9,
        targets=[
            ("queue_time_p85_hours", Decimal(16)),
            ("sla_breach_rate", Decimal(10)),
            ("rework_rate", Decimal(15)),
        ],
        by=leader,
        today=today,
    )
    assert contract.status == Contract.Status.PILOT
    assert list(contract.seams.all()) == [seams[0]]
    assert sorted(
        MetricTarget.objects.filter(contract=contract).values_list("metric", "target")
    ) == [
        ("queue_time_p85_hours", Decimal(16)),
        ("rework_rate", Decimal(15)),
        ("sla_breach_rate", Decimal(10)),
    ]
    seam = Seam.objects.get(pk=seams[0].pk)
    assert (seam.status, seam.pilot_started_on, seam.pilot_review_on) == (
        Seam.Status.PILOT,
        today,
        date(2026, 12, 21),
    )
    started.refresh_from_db()
    assert started.step == Step.DONE
    assert started.finished_at
    assert started.contract == contract
    # The contract's next review day: the same date its page shows.
    assert started.first_review_on == date(2026, 12, 9) == contract.next_review(today)
    with pytest.raises(guide.StepRefused, match="already finished"):
        finish(
            guide=started,
            title="Again",
            scope="s",
            review_day=9,
            targets=[("escalations", Decimal(1))],
            by=leader,
        )
    assert Contract.objects.count() == 1
    decision.refresh_from_db()
    assert decision.contract == contract
    assert decision.decision_type == DEFAULT_DECISION_TYPE


# --- The pages --------------------------------------------------------------------------


def test_it_lands_leaders_on_start_here_until_there_is_a_contract(
    leader_client, viewer_client, leader
):
    assert leader_client.get(reverse("home"))["Location"] == reverse("onboarding:guide")
    assert viewer_client.get(reverse("home"))["Location"].startswith(reverse("metrics:review"))
    Contract.objects.create(title="C", slug="c", scope="s", leader=leader)
    assert leader_client.get(reverse("home"))["Location"].startswith(reverse("metrics:review"))


def test_it_shows_the_five_steps_and_one_button_to_begin(leader_client):
    response = leader_client.get(reverse("onboarding:guide"))
    page = response.content.decode()
    for step in guide.STEPS:
        assert step.title in page
        assert step.sentence in page
    assert "Begin with step 1" in page
    response = leader_client.post(reverse("onboarding:guide-begin"))
    assert response["Location"] == reverse("onboarding:guide-seams")
    assert GuidedStart.objects.count() == 1
    leader_client.post(reverse("onboarding:guide-begin"))
    assert GuidedStart.objects.count() == 1  # one per organisation


def test_it_resumes_at_the_right_step_for_a_second_leader(leader, started):
    _through_spec(started, leader)
    second = UserFactory(username="maya", first_name="Maya", roles=["leader"])
    client = client_for(second)
    assert client.get(reverse("home"))["Location"] == reverse("onboarding:guide")
    page = client.get(reverse("onboarding:guide")).content.decode()
    assert "Continue: step 4, measure queue time" in page
    assert f'href="{reverse("onboarding:guide-data")}"' in page
    assert "Begun by Lena Leader" in page
    assert "3 of 4 misses tagged" not in page  # all four were tagged
    assert "4 of 4 misses tagged" in page
    # A step not reached yet sends the leader back to where the guided start is.
    response = client.get(reverse("onboarding:guide-metrics"))
    assert response["Location"] == reverse("onboarding:guide-data")
    assert client.get(reverse("onboarding:guide-data")).status_code == 200


def test_it_lets_only_leaders_take_the_steps(owner_client, ops_client, viewer_client, started):
    for client in (owner_client, ops_client, viewer_client):
        assert client.get(reverse("onboarding:guide")).status_code == 200
        assert client.get(reverse("onboarding:guide-seams")).status_code == 403
        response = client.post(reverse("onboarding:guide-misses-add"), {"text": "a miss"})
        assert response.status_code == 403
        assert client.post(reverse("onboarding:guide-begin")).status_code == 403
    assert not Miss.objects.exists()


def test_it_adds_pasted_misses_and_tags_them_through_the_page(leader_client, started):
    response = leader_client.post(
        reverse("onboarding:guide-misses-add"), {"text": "Acme scoped twice\nGlobex waited"}
    )
    assert response["Location"] == reverse("onboarding:guide-seams")
    first, _second = Miss.objects.all()
    response = leader_client.post(
        reverse("onboarding:guide-miss-tag", args=[first.pk]),
        {"from_team": "Sales", "to_team": "Security", "cause": "missing_inputs"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="find-seams"' in page
    assert "<html" not in page
    assert "1 of 1 seam explains 100 % of 1 tagged miss" in page
    first.refresh_from_db()
    assert first.seam.name == "Sales → Security"
    assert first.escalation.cause == "missing_inputs"


def test_it_refuses_bad_input_and_keeps_what_was_typed(leader_client, started):
    response = leader_client.post(
        reverse("onboarding:guide-misses-add"), {"text": "summary,date\nAcme,someday\n"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“someday” is not a date" in page
    assert "Acme,someday" in page
    assert not Miss.objects.exists()
    add_misses(guide=started, misses=[MissInput("Acme")], by=started.started_by)
    miss = Miss.objects.get()
    response = leader_client.post(
        reverse("onboarding:guide-miss-tag", args=[miss.pk]), {"from_team": "Sales"}
    )
    assert response.status_code == 400
    assert "name the team that sends the work" in response.content.decode()
    assert not Escalation.objects.exists()
    assert not Team.objects.exists()
    # Choosing no seam to work on is refused too.
    response = leader_client.post(reverse("onboarding:guide-seams"), {})
    assert response.status_code == 400
    assert "Choose at least one seam" in response.content.decode()
    started.refresh_from_db()
    assert started.step == Step.SEAMS


def test_it_hides_another_guided_starts_misses(leader_client, started, leader):
    other = GuidedStart.objects.create(started_by=leader, updated_by=leader)
    # `current()` is the newest; the older one's misses are not reachable from the pages.
    stray = Miss.objects.create(guided_start=started, summary="old")
    assert guide.current() == other
    response = leader_client.post(reverse("onboarding:guide-miss-remove", args=[stray.pk]))
    assert response.status_code == 404
    assert Miss.objects.filter(pk=stray.pk).exists()


def test_it_writes_the_spec_from_a_template(leader_client, started, leader):
    _misses(started, leader, ("a", "Sales", "Security"))
    seam = Seam.objects.get()
    choose_seams(guide=started, seams=[seam], by=leader)
    started.advance(Step.CADENCE, by=leader)
    url = reverse("onboarding:guide-spec")
    page = leader_client.get(url + f"?seam={seam.slug}&template=security-sign-off").content.decode()
    template = SpecTemplate.objects.get(slug="security-sign-off")
    assert template.definition_of_ready[0] in page
    response = leader_client.post(
        url,
        {
            "seam": seam.slug,
            "template": template.slug,
            "owner": leader.pk,
            "definition_of_ready": "\n".join(template.definition_of_ready),
            "definition_of_done": template.definition_of_done,
            "response_sla_hours": "16",
            "base_version": 0,
            "note": "First version",
        },
    )
    assert response["Location"] == reverse("onboarding:guide-data")
    seam.spec.refresh_from_db()
    assert seam.spec.version == 1
    assert seam.spec.definition_of_ready == template.definition_of_ready
    assert seam.spec.response_sla_hours == Decimal(16)
    started.refresh_from_db()
    assert (started.step, started.top_seam, started.template) == (Step.DATA, seam, template)


def test_it_connects_jira_and_sends_a_test_delivery_that_keeps_nothing(
    leader_client, started, leader
):
    _through_spec(started, leader)
    leader_client.post(reverse("onboarding:guide-data"), {"source": "jira"})
    started.refresh_from_db()
    source = started.webhook
    assert source.kind == Source.Kind.JIRA
    assert source.rules.get().seam == started.top_seam
    (secret,) = source.live_secrets()
    assert len(secret) >= 32
    page = leader_client.get(reverse("onboarding:guide-data")).content.decode()
    assert secret in page
    assert f"/api/v1/hooks/handoffs/{source.slug}/" in page
    response = leader_client.post(
        reverse("onboarding:guide-jira"),
        {"started_statuses": "In Review", "done_statuses": "Done", "test": "1"},
        follow=True,
    )
    page = response.content.decode()
    assert "Signed test delivery accepted" in page
    assert "“In Review” started it" in page
    assert not Handoff.objects.exists()
    # Only its line in the source's recent deliveries is kept.
    assert list(Delivery.objects.values_list("status", "reason")) == [("applied", "test")]
    source.refresh_from_db()
    assert source.started_statuses == "In Review"


def test_it_reports_a_test_delivery_the_mapping_does_not_start(started, leader):
    _through_spec(started, leader)
    choose_source(guide=started, source="jira", by=leader)
    source = started.webhook
    source.started_statuses, source.done_statuses = "Doing", "Done"
    source.save()
    check = send_test_delivery(source)
    assert check.ok  # the sample moves into "Doing", which the mapping names
    source.rules.all().delete()
    check = send_test_delivery(source)
    assert not check.ok
    assert "no mapping rule matched" in check.message


def test_it_offers_an_example_csv_that_imports_as_it_is(leader_client, started, leader):
    _through_spec(started, leader)
    response = leader_client.get(reverse("onboarding:guide-example-csv"))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert text.splitlines()[0] == (
        "seam,external_id,title,approval_type,submitted_at,started_at,completed_at,returned_count"
    )
    outcome = import_csv(io.BytesIO(response.content), source="example", partial=False)
    assert outcome.written
    handoffs = Handoff.objects.filter(source="example", seam=started.top_seam)
    assert sorted(h.state for h in handoffs) == ["completed", "completed", "submitted"]


def test_it_finishes_through_the_page_and_shows_what_was_made(leader_client, started, leader):
    seams = _through_spec(started, leader)
    choose_source(guide=started, source="manual", by=leader)
    record_source(guide=started, by=leader)
    page = leader_client.get(reverse("onboarding:guide-metrics")).content.decode()
    assert "Security sign-off contract" not in page  # named after the seam, not the template
    assert f"{seams[0].name} contract" in page
    form = {
        "title": "Security pilot",
        "scope": "Deals that need a security review",
        "review_day": "9",
        "metric_1": "queue_time_p85_hours",
        "target_1": "16",
        "metric_2": "sla_breach_rate",
        "target_2": "10",
        "metric_3": "sla_breach_rate",
        "target_3": "15",
    }
    response = leader_client.post(reverse("onboarding:guide-metrics"), form)
    assert response.status_code == 400
    assert "Choose three different metrics." in response.content.decode()
    assert not Contract.objects.exists()
    form["metric_3"] = "rework_rate"
    response = leader_client.post(reverse("onboarding:guide-metrics"), form, follow=True)
    contract = Contract.objects.get()
    assert contract.status == Contract.Status.PILOT
    assert contract.targets.count() == 3
    page = response.content.decode()
    assert "Your first contract is in pilot" in page
    assert contract.get_absolute_url() in page
    # Finished: the steps are closed, and leaders now land on the review.
    assert leader_client.get(reverse("onboarding:guide-seams"))["Location"] == reverse(
        "onboarding:guide"
    )
    assert leader_client.get(reverse("home"))["Location"].startswith(reverse("metrics:review"))


def test_it_keeps_the_step_pages_queries_bounded(
    leader_client, started, leader, django_assert_max_num_queries
):
    _misses(started, leader, *[(f"miss {n}", f"Team {n % 4}", "Security") for n in range(40)])
    seams = [s.seam for s in seam_pareto(list(started.misses.select_related("seam")))]
    choose_seams(guide=started, seams=seams, by=leader)
    for n in range(10):
        add_decision(
            guide=started,
            question=f"Question number {n}?",
            seam=seams[n % 4],
            decider=leader,
            decision_type="",
            by=leader,
        )
        add_constraint(
            guide=started, description=f"c{n}", seam=seams[n % 4], owner=leader, by=leader
        )
    # Forty misses with their tag forms, the Pareto and the seam choices.
    with django_assert_max_num_queries(16):
        page = leader_client.get(reverse("onboarding:guide-seams")).content.decode()
    assert page.count('class="miss-row') == 40
    # The agenda's two lists, and the chosen seams for the chips and both forms' choices.
    with django_assert_max_num_queries(18):
        page = leader_client.get(reverse("onboarding:guide-cadence")).content.decode()
    assert page.count("Question number 9?") == 1  # (a short text like "q9" meets random tokens)
    with django_assert_max_num_queries(18):
        leader_client.get(reverse("onboarding:guide"))


def test_it_builds_the_first_agenda_in_place_and_refuses_what_is_incomplete(
    leader_client, started, leader
):
    _misses(started, leader, ("a", "Sales", "Security"), ("b", "Sales", "Legal"))
    choose_seams(guide=started, seams=list(Seam.objects.all()), by=leader)
    top = guide.chosen_seams(started)[0]
    response = leader_client.post(
        reverse("onboarding:guide-decision-add"),
        {"question": "Who owns integration scope?", "seam": top.pk, "decider": leader.pk},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="cadence"' in page
    assert "<html" not in page
    assert "Who owns integration scope?" in page
    decision = started.decisions.get()
    assert (decision.seam, decision.decider, decision.status) == (top, leader, "open")
    response = leader_client.post(
        reverse("onboarding:guide-constraint-add"),
        {"description": "One reviewer", "seam": top.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not started.constraints.exists()
    # A seam the leaders did not choose is refused.
    other = SeamFactory(name="Elsewhere")
    response = leader_client.post(
        reverse("onboarding:guide-constraint-add"),
        {"description": "One reviewer", "seam": other.pk, "owner": leader.pk},
    )
    assert response.status_code == 400
    assert not started.constraints.exists()
    response = leader_client.post(reverse("onboarding:guide-cadence"))
    assert response["Location"] == reverse("onboarding:guide-spec")
    started.refresh_from_db()
    assert started.step == Step.SPEC
