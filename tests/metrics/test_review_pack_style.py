"""The printed pack's header and footer name the scope and month (review/pack.css), and a phone
is told how many seams "Show …" reveals."""

import pytest
from django.urls import reverse

from contracts.models import Contract
from metrics import engine, review_table
from metrics.dashboard import Row


@pytest.fixture
def contract(leader):
    return Contract.objects.create(
        slug="launch", title='Launch "FY26" \\ EU', scope="Launch", leader=leader, status="active"
    )


def test_it_names_the_contract_and_month_in_the_page_margins(leader_client, contract):
    month = engine.month_under_review()
    response = leader_client.get(
        reverse("metrics:review-pack-style"), {"month": f"{month:%Y-%m}", "contract": "launch"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    scope = f"Launch \\22 FY26\\22  \\5c  EU · {month:%B %Y}"
    assert f'@top-right {{ content: "{scope}"; }}' in css
    assert f'@bottom-left {{ content: "Seamline · {scope} review pack · confidential"; }}' in css


def test_without_a_contract_it_says_all_seams(viewer_client, db):
    css = viewer_client.get(reverse("metrics:review-pack-style"), {"month": "2026-02"})
    assert '"All seams · February 2026"' in css.content.decode()


def test_it_wants_a_signed_in_person_and_a_get(client, leader_client, db):
    assert client.get(reverse("metrics:review-pack-style")).status_code == 302
    assert leader_client.post(reverse("metrics:review-pack-style")).status_code == 405


def test_the_review_page_links_its_print_stylesheet_and_phone_hooks(leader_client, contract):
    page = leader_client.get(reverse("metrics:review"), {"contract": "launch"}).content.decode()
    assert 'rel="stylesheet" media="print" href="/review/pack.css?' in page
    assert 'aria-label="More of the review"' in page
    assert reverse("decisions:constraints") in page


def test_css_strings_escape_quotes_backslashes_and_control_characters():
    assert review_table.css_string('a "b" \\ c\nd') == '"a \\22 b\\22  \\5c  c\\a d"'
    assert review_table.css_string("</style>") == '"</style>"'


def test_show_more_counts_the_rest_by_status():
    rows = [Row(seam=None, status=s, last_status=None) for s in ("amber", "green", "amber")]
    assert review_table.more_summary(rows) == "3 more seams (2 amber, 1 green)"
    assert review_table.more_summary(rows[:1]) == "1 more seam (1 amber)"
    assert review_table.more_summary([]) == ""
