"""No page shows people a raw token ("nodata", "in_progress", "sla_breach", a metric's key):
the main pages, rendered for each role on the demo organisation, say labels instead."""

import html
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from contracts import catalogue
from contracts.models import Contract, Initiative
from decisions.models import Decision
from seams.models import User

pytestmark = pytest.mark.django_db

SEAM = "custom-integration-intake"
# The demo's people, one per role.
ROLES = {"leader": "elena", "owner": "priya", "ops": "olivia", "viewer": "victor"}
# Choice values of other libraries' models that never reach our pages as words.
NOT_OURS = {"dawn_", "dusk_", "solar_"}


def raw_tokens() -> set[str]:
    """Every stored choice value and metric key spelled with an underscore, and "nodata" (the
    no-data status): none of them is a word a person should read. (Keys that are words,
    "escalations" or "throughput", are words on the page too.)"""
    tokens = {"nodata", *(key for key in catalogue.BY_NAME if "_" in key)}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and "_" in value:
                    tokens.add(value)
    return {t for t in tokens if not any(t.startswith(prefix) for prefix in NOT_OURS)}


def visible_text(page: str) -> str:
    """What a person reads: the text between tags, and the attributes read out or shown."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    read_out = re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + " ".join(read_out))


def pages() -> list[str]:
    contract = Contract.objects.first()
    initiative = Initiative.objects.first()
    decision = Decision.objects.first()
    return [
        "/",
        "/my-seams/",
        "/review/",
        f"/review/seams/{SEAM}/",
        "/metrics/",
        "/actions/",
        "/seams/",
        f"/seams/{SEAM}/",
        f"/seams/{SEAM}/spec/",
        f"/seams/{SEAM}/spec/versions/",
        f"/seams/{SEAM}/spec/compare/",
        "/decisions/",
        decision.get_absolute_url(),
        "/decisions/agenda/",
        "/escalations/",
        "/constraints/",
        "/dependencies/",
        "/handoffs/",
        "/contracts/",
        contract.get_absolute_url(),
        "/initiatives/",
        initiative.get_absolute_url(),
        "/teams/",
        "/calendars/",
        "/start/",
        "/account/",
        "/audit/",
    ]


def test_no_main_page_shows_a_raw_token_to_any_role():
    call_command("seed_demo", verbosity=0)
    tokens = raw_tokens()
    assert {"nodata", "in_progress", "sla_breach", "queue_time_p85_hours"} <= tokens
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(tokens))) + r")(?![\w-])")
    problems, opened = [], 0
    for role, username in ROLES.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for path in pages():
            response = client.get(path, follow=True)
            if response.status_code == 403:
                continue  # (the audit log is for leaders)
            assert response.status_code == 200, (role, path, response.status_code)
            opened += 1
            for found in pattern.finditer(visible_text(response.content.decode())):
                problems.append(f"{role} {path}: {found.group(1)}")
        # The SLA editor, open in place, for those who may edit.
        editor = client.get(f"/seams/{SEAM}/spec/edit/sla/", HTTP_HX_REQUEST="true")
        if editor.status_code == 200:
            opened += 1
            problems += [
                f"{role} SLA editor: {m.group(1)}"
                for m in pattern.finditer(visible_text(editor.content.decode()))
            ]
    assert opened > 100
    assert problems == []


def test_the_audit_log_names_a_metric_by_its_label(leader_client, seam, leader):
    from datetime import date

    from metrics.models import CorrectiveAction, Review

    review = Review.objects.create(month=date(2025, 2, 1), started_by=leader)
    CorrectiveAction.objects.create(
        review=review,
        seam=seam,
        title="Publish the SLA",
        owner=leader,
        due_on=date(2025, 3, 1),
        metric="queue_time_p85_hours",
        created_by=leader,
    )
    text = visible_text(leader_client.get("/audit/").content.decode())
    assert "Queue time p85" in text
    assert "queue_time_p85_hours" not in text
