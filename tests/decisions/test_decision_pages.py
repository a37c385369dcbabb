from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision, Escalation
from decisions.services import log_decision
from decisions.views import escalation_pareto
from tests.factories import SeamFactory

LIST = reverse("decisions:list")


def bulk_decisions(n, seam, by, decider):
    now = timezone.now()
    Decision.objects.bulk_create(
        Decision(
            question=f"Question {i}",
            decision_type="Integration scope",
            seam=seam,
            requested_by=by,
            decider=decider,
            requested_at=now - timedelta(days=i % 30),
            due_at=now + timedelta(hours=(i % 7) - 3),
        )
        for i in range(n)
    )


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_decision_log_keeps_its_queries_bounded(
    viewer_client, seam, owner, other_owner, rows, django_assert_max_num_queries
):
    bulk_decisions(rows, seam, owner, other_owner)
    with django_assert_max_num_queries(14):
        response = viewer_client.get(LIST)
    assert len(response.context["page"]) == min(rows, 25)


def test_the_overdue_filter_shows_only_pending_decisions_past_due(
    viewer_client, seam, owner, other_owner
):
    bulk_decisions(14, seam, owner, other_owner)  # due from 3 h ago to 3 h ahead, in turn
    now = timezone.now()
    Decision.objects.filter(question="Question 0").update(status="decided", decided_at=now)
    response = viewer_client.get(LIST, {"status": "overdue"})
    shown = list(response.context["page"])
    assert shown
    assert all(d.is_overdue(timezone.now()) for d in shown)
    assert "Question 0" not in [d.question for d in shown]
    assert response.context["counts"]["overdue"] == len(shown)


class TestQuickAdd:
    data = {"question": "Scope the Acme connector?", "decision_type": "Integration scope"}

    def test_ops_logs_a_decision_with_htmx_and_sees_it_marked_in_the_log(
        self, ops_client, seam, right
    ):
        response = ops_client.post(
            reverse("decisions:log"), self.data | {"seam": seam.pk}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        decision = Decision.objects.get()
        page = response.content.decode()
        assert page.lstrip().startswith('<div id="decision-log">')
        assert "Just logged" in page
        assert decision.question in page
        assert "decisionLogged" in response["HX-Trigger"]

    def test_the_plain_form_redirects_with_the_decider_and_due_time(self, ops_client, seam, right):
        response = ops_client.post(
            reverse("decisions:log"), self.data | {"seam": seam.pk}, follow=True
        )
        assert "Otto Other decides, due" in response.content.decode()

    def test_without_a_right_it_asks_for_the_decider_and_saves_nothing(self, ops_client, seam):
        response = ops_client.post(
            reverse("decisions:log"), self.data | {"seam": seam.pk}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        assert "name the decider" in response.content.decode()
        assert not Decision.objects.exists()

    def test_a_viewer_and_an_unrelated_owner_cannot_log(
        self, viewer_client, unrelated_owner_client, seam, right
    ):
        for client in (viewer_client, unrelated_owner_client):
            assert (
                client.post(reverse("decisions:log"), self.data | {"seam": seam.pk}).status_code
                == 403
            )
        assert not Decision.objects.exists()


class TestDecisionPage:
    @pytest.fixture
    def decision(self, seam, right, owner):
        return log_decision(
            question="Scope?", decision_type="Integration scope", seam=seam, requested_by=owner
        )

    def test_the_decider_decides_and_the_history_shows_it(self, decision, other_owner):
        from tests.conftest import client_for

        client = client_for(other_owner)
        client.post(
            reverse("decisions:decide", args=[decision.pk]), {"outcome": "Yes", "rationale": "Fits"}
        )
        page = client.get(decision.get_absolute_url()).content.decode()
        assert "Decided" in page
        assert "Yes" in page
        assert list(decision.events.values_list("kind", flat=True)) == ["logged", "decided"]

    def test_someone_else_cannot_decide(self, decision, ops_client):
        response = ops_client.post(
            reverse("decisions:decide", args=[decision.pk]), {"outcome": "Yes"}
        )
        assert response.status_code == 403
        assert Decision.objects.get(pk=decision.pk).status == "open"


def test_pareto_figures_on_known_escalations(db, team, other_team, owner):
    seams = {
        name: SeamFactory(name=name, from_team=team, to_team=other_team)
        for name in ("Intake", "Sign-off", "Pricing")
    }
    now = timezone.now()
    for name, causes in (
        ("Intake", ["missing_inputs"] * 5 + ["sla_breach"]),
        ("Sign-off", ["sla_breach"] * 3),
        ("Pricing", ["other"]),
    ):
        for cause in causes:
            Escalation.objects.create(
                seam=seams[name],
                summary="x",
                cause=cause,
                raised_by=owner,
                raised_at=now - timedelta(days=3),
            )
    Escalation.objects.create(
        seam=seams["Pricing"],
        summary="too old",
        cause="other",
        raised_by=owner,
        raised_at=now - timedelta(days=400),
    )
    figures = escalation_pareto(timezone.localdate() - timedelta(days=30), timezone.localdate())
    bars = figures["seam_chart"].bars
    assert [(b["full_label"], b["count"]) for b in bars] == [
        ("Intake", 6),
        ("Sign-off", 3),
        ("Pricing", 1),
    ]
    assert [b["cumulative_pct"] for b in bars] == [60.0, 90.0, 100.0]
    assert [b["vital"] for b in bars] == [True, True, False]  # up to the first reaching 80 %
    causes = figures["cause_chart"].bars
    assert [(b["full_label"], b["count"]) for b in causes] == [
        ("Missing inputs", 5),
        ("SLA breach", 4),
        ("Other", 1),
    ]
    assert figures["total"] == 10


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_escalations_page_keeps_its_queries_bounded(
    viewer_client, seam, owner, rows, django_assert_max_num_queries
):
    now = timezone.now()
    Escalation.objects.bulk_create(
        Escalation(
            seam=seam,
            summary=f"E{i}",
            cause="sla_breach",
            raised_by=owner,
            raised_at=now - timedelta(days=i % 300),
        )
        for i in range(rows)
    )
    with django_assert_max_num_queries(12):
        response = viewer_client.get(reverse("decisions:escalations"))
    assert response.context["total"] == rows


def test_an_invalid_escalation_comes_back_with_its_errors_to_those_who_log(
    owner_client, viewer_client
):
    data = {"summary": "", "severity": "medium", "cause": "other"}
    response = owner_client.post(reverse("decisions:escalations"), data)
    assert response.status_code == 400
    assert "seam" in response.context["form"].errors
    assert viewer_client.post(reverse("decisions:escalations"), data).status_code == 403
    assert not Escalation.objects.exists()
