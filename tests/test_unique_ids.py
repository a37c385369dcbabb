"""No page has two elements with the same id, whoever looks at it."""

import pytest
from django.core.management import call_command
from django.test import Client

from contracts.models import Contract
from decisions.models import Decision
from seams.demo import DEMO_PASSWORD
from seams.models import Seam
from tests.html_ids import assert_unique_ids, repeated_ids

# The demo's leader, team owner, ops person and viewer.
ROLES = {"leader": "elena", "owner": "priya", "ops": "olivia", "viewer": "victor"}


def main_pages() -> dict[str, str]:
    seam = Seam.objects.filter(spec__isnull=False).order_by("pk").first()
    contract = Contract.objects.order_by("pk").first()
    decision = Decision.objects.order_by("pk").first()
    return {
        "home": "/",  # where each role lands
        "my seams": "/my-seams/",
        "review": "/review/",
        "seam drill-down": f"/review/seams/{seam.slug}/",
        "decisions": "/decisions/",
        "decision": decision.get_absolute_url(),
        "escalations": "/escalations/",
        "dependencies board": "/dependencies/",
        "handoffs": "/handoffs/",
        "seam": f"/seams/{seam.slug}/",
        "spec": f"/seams/{seam.slug}/spec/",
        "contracts": "/contracts/",
        "contract": f"/contracts/{contract.slug}/",
        "teams": "/teams/",
        "metrics": "/metrics/",
        "actions": "/actions/",
    }


def test_the_helper_names_what_repeats():
    html = '<div id="a"><p id="b"></p><input id="a"/><svg><use id="b"></use></svg></div><p id="c">'
    assert repeated_ids(html) == {"a": 2, "b": 2}
    with pytest.raises(AssertionError, match="'a': 2"):
        assert_unique_ids(html)
    assert_unique_ids('<p id="x"></p><p id="y"></p>')


@pytest.mark.django_db
def test_no_main_page_repeats_an_id_for_any_role():
    call_command("seed_demo", verbosity=0)
    pages = main_pages()
    problems = []
    for role, username in ROLES.items():
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD)
        for name, url in pages.items():
            response = client.get(url, follow=True)
            assert response.status_code == 200, f"{name} ({url}) as the {role}"
            repeated = repeated_ids(response.content.decode())
            if repeated:
                problems.append(f"{name} ({url}) as the {role}: {repeated}")
    assert not problems, "\n".join(problems)
