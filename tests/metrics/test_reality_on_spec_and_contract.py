"""Contract vs reality on the seam's handoff spec and on the contract: the proposed response
SLA beside the contracted one once the pilot has ended, contributed by metrics to slots of
pages that may not name it (common/panels.py)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import ContractSeam
from metrics import signals
from seams.models import Seam
from tests.factories import TeamFactory
from tests.metrics.at_risk_data import always_seam
from tests.metrics.test_contract_vs_reality import LONDON, NOW, contract, seam, with_history

pytestmark = pytest.mark.django_db
__all__ = ["contract", "seam"]  # fixtures


def spec_page(client, seam, at=NOW):
    with time_machine.travel(at, tick=False):
        return client.get(reverse("seams:spec", args=[seam.slug]))


def contract_page(client, contract, at=NOW):
    with time_machine.travel(at, tick=False):
        return client.get(reverse("contracts:detail", args=[contract.slug]))


def drilldown_link(seam) -> str:
    return f'href="{reverse("metrics:seam", args=[seam.slug])}#contract-vs-reality"'


def test_the_spec_shows_the_signals_proposed_sla_beside_the_contracted_one(
    viewer_client, seam, contract
):
    expected = signals.signals_for([seam], NOW)[seam.pk].proposed_response_sla
    assert (expected.hours, expected.basis, expected.n) == (18, "pilot", 20)
    html = spec_page(viewer_client, seam).content.decode()
    assert f'<dd class="proposed-sla">{expected.hours} h</dd>' in html
    assert '<dd class="contracted-sla">10 h</dd>' in html
    assert "Queue time p85 17.15 h over the pilot, n = 20 started handoffs." in html
    assert drilldown_link(seam) in html


def test_the_contract_shows_a_line_per_covered_seam_with_its_drift(
    viewer_client, seam, contract, team
):
    slack = with_history(always_seam("Legal review", team, TeamFactory(name="Legal"), 40))
    ContractSeam.objects.create(contract=contract, seam=slack)
    found = signals.signals_for([seam, slack], NOW)
    html = contract_page(viewer_client, contract).content.decode()
    section = html.split('class="card contract-reality"')[1].split("</section>")[0]
    lines = section.split('<li class="reality-line">')[1:]
    assert len(lines) == 2
    legal, security = lines  # in name order
    assert ">Legal review</a>" in legal
    assert ">Security sign-off</a>" in security
    assert f'<span class="proposed-sla">{found[seam.pk].proposed_response_sla_hours} h' in security
    assert '<span class="contracted-sla">10 h</span>' in security
    assert '<span class="contracted-sla">40 h</span>' in legal
    assert "n = 20, over the pilot" not in security
    assert "Queue time p85 17.15 h over the pilot, n = 20" in security
    assert drilldown_link(seam) in security
    assert drilldown_link(slack) in legal
    # Drift is judged at month ends: with the pilot's queue times at both ends of Jan and Feb.
    drift = {s: found[s.pk].drift.status for s in (seam, slack)}
    assert [drift[seam], drift[slack]] == ["not_met", "slack"]
    for s, line in ((seam, security), (slack, legal)):
        assert ("SLA not met" in line) == (drift[s] == "not_met")
        assert ("SLA slack" in line) == (drift[s] == "slack")


@pytest.mark.parametrize("review_day", [1, 3, 28])
def test_shown_only_once_the_pilot_has_ended(viewer_client, seam, contract, review_day):
    review_on = date(2026, 3, review_day)
    Seam.objects.filter(pk=seam.pk).update(pilot_review_on=review_on)
    seam.refresh_from_db()
    at_ten = datetime.combine(review_on, datetime.min.time(), tzinfo=LONDON).replace(hour=10)
    before = at_ten - timedelta(days=1)
    after = at_ten + timedelta(days=1)
    assert 'class="proposed-sla"' not in spec_page(viewer_client, seam, before).content.decode()
    assert "contract-reality" not in contract_page(viewer_client, contract, before).content.decode()
    expected = signals.signals_for([seam], after)[seam.pk].proposed_response_sla_hours
    assert expected == 18
    shown = spec_page(viewer_client, seam, after).content.decode()
    assert f'<dd class="proposed-sla">{expected} h</dd>' in shown
    on_contract = contract_page(viewer_client, contract, after).content.decode()
    assert f'<span class="proposed-sla">{expected} h</span>' in on_contract


def test_below_20_started_it_says_there_is_not_enough_history(viewer_client, contract, team):
    thin = with_history(always_seam("Legal review", team, TeamFactory(name="Legal")), count=5)
    ContractSeam.objects.create(contract=contract, seam=thin)
    html = spec_page(viewer_client, thin).content.decode()
    assert '<dd class="proposed-sla"><span class="muted">—</span></dd>' in html
    assert "Not enough data to propose one: 5 handoffs started over the pilot, 20 needed." in html
    on_contract = contract_page(viewer_client, contract).content.decode()
    section = on_contract.split('class="card contract-reality"')[1]
    line = section.split(">Legal review</a>")[1].split("</li>")[0]
    assert "Not enough data: 5 handoffs started over the pilot, 20 needed" in line
    assert " h</span>" not in line.split("proposed-sla")[1].split("</span>")[0]


def test_names_are_escaped(viewer_client, contract, team):
    odd = with_history(
        always_seam("<b>Legal</b> & review", team, TeamFactory(name="Legal")), count=20
    )
    ContractSeam.objects.create(contract=contract, seam=odd)
    for html in (
        spec_page(viewer_client, odd).content.decode(),
        contract_page(viewer_client, contract).content.decode(),
    ):
        assert "<b>Legal</b>" not in html
        assert "&lt;b&gt;Legal&lt;/b&gt; &amp; review" in html


def test_query_counts_stay_flat_in_the_number_of_seams(
    viewer_client, seam, contract, team, django_assert_max_num_queries
):
    def counted(url):
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            assert viewer_client.get(url).status_code == 200
        return len(queries)

    contract_url = reverse("contracts:detail", args=[contract.slug])
    spec_url = reverse("seams:spec", args=[seam.slug])
    alone = counted(contract_url), counted(spec_url)
    for n in range(4):
        more = with_history(always_seam(f"Check {n}", team, TeamFactory(name=f"Team {n}")), 3)
        ContractSeam.objects.create(contract=contract, seam=more)
    assert (counted(contract_url), counted(spec_url)) == alone
    # One signals_for for all the contract's seams: its few queries, not a few per seam.
    with django_assert_max_num_queries(26):
        contract_page(viewer_client, contract)
    with django_assert_max_num_queries(18):
        spec_page(viewer_client, seam)
