from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.models import DataQualityReport
from metrics.quality import run_data_quality_check
from seams.models import Membership
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def codes_for(report, name):
    return sorted(f["code"] for f in report.findings if name in f["message"])


def test_it_finds_teams_without_owner_or_leader_and_deactivated_accounts():
    healthy = TeamFactory(name="Healthy", leader=UserFactory())
    MembershipFactory(team=healthy, role=Membership.Role.OWNER)
    TeamFactory(name="Orphan")
    gone = UserFactory(first_name="Gone", last_name="Away", is_active=False)
    stale = TeamFactory(name="Stale", leader=gone)
    MembershipFactory(team=stale, user=gone, role=Membership.Role.OWNER)

    report = run_data_quality_check()

    assert codes_for(report, "Healthy") == []
    assert codes_for(report, "Orphan") == ["team-without-leader", "team-without-owner"]
    assert codes_for(report, "Stale") == ["inactive-leader", "inactive-owner"]
    assert report.teams_checked == 3
    orphan = next(f for f in report.findings if "Orphan" in f["message"])
    assert orphan["url"] == "/teams/orphan/"


def test_it_finds_people_with_no_team_and_no_role():
    UserFactory(first_name="Stray", last_name="Person")
    UserFactory(first_name="Vera", last_name="Viewer", roles=["viewer"])
    UserFactory(first_name="Ada", last_name="Admin", is_superuser=True)
    report = run_data_quality_check()
    assert [
        f["message"] for f in report.findings if f["code"] == "person-without-team-or-role"
    ] == ["Stray Person can sign in but belongs to no team and has no organisation role."]


def test_it_stores_a_report_and_forgets_reports_older_than_90_days():
    old = DataQualityReport.objects.create(ran_at=timezone.now() - timedelta(days=91))
    recent = DataQualityReport.objects.create(ran_at=timezone.now() - timedelta(days=10))
    report = run_data_quality_check()
    assert set(DataQualityReport.objects.all()) == {recent, report}
    assert not DataQualityReport.objects.filter(pk=old.pk).exists()


def test_it_finds_seams_without_spec_or_sla_and_overdue_pilots(seam, owner):
    from seams.models import Seam
    from tests.factories import SeamFactory, write_spec

    SeamFactory(name="Unwritten", from_team=seam.from_team, to_team=seam.to_team)
    no_sla = SeamFactory(name="No clock", from_team=seam.from_team, to_team=seam.to_team)
    write_spec(no_sla, by=owner, response_sla_hours=None)
    SeamFactory(
        name="Old news", from_team=seam.from_team, to_team=seam.to_team, status=Seam.Status.RETIRED
    )
    today = timezone.localdate()
    Seam.objects.filter(pk=seam.pk).update(
        status="pilot",
        pilot_started_on=today - timedelta(days=40),
        pilot_review_on=today - timedelta(days=10),
    )

    report = run_data_quality_check()

    assert codes_for(report, "Unwritten") == ["seam-without-spec"]
    assert codes_for(report, "No clock") == ["spec-without-sla"]
    assert codes_for(report, "Custom integration intake") == ["pilot-review-due"]
    assert codes_for(report, "Old news") == []


def test_it_finds_revisions_waiting_for_signatures_and_unowned_or_broken_assumptions():
    from django.core.management import call_command

    from contracts.models import ContractRevision

    call_command("seed_demo", verbosity=0)
    ContractRevision.objects.filter(contract__slug="revenue-engine-pilot").update(
        published_at=timezone.now() - timedelta(days=12)
    )
    report = run_data_quality_check()
    messages = {f["code"]: f["message"] for f in report.findings}
    assert messages["revision-unsigned"] == (
        "Revision 1 of Revenue engine pilot has waited 12 days for Grace Liu to sign."
    )
    assert messages["assumption-unowned"] == "EU enterprise launch: 2 assumptions have no owner."
    assert messages["assumption-broken"] == "EU enterprise launch: 1 assumption is broken."
