"""The data-quality check: gaps in the organisation's data that leave seams unowned or
unmeasured.

Each check is a plain function returning findings; `run_data_quality_check` runs them all and
stores one `DataQualityReport`. Later data (seams, handoffs, decisions) adds checks here.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from common.batch import Batch
from contracts.models import ContractRevision, Initiative
from metrics.models import DataQualityReport
from seams.models import Seam, Team, User
from seams.permissions import ORG_ROLES

log = logging.getLogger(__name__)

KEEP_REPORTS_FOR = timedelta(days=90)


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    url: str = ""


def team_findings(team: Team) -> list[Finding]:
    findings = []
    url = team.get_absolute_url()
    owners = team.owners
    if not owners:
        findings.append(
            Finding(
                "team-without-owner",
                f"{team.name} has no owner, so only leaders can "
                "edit the handoff specs of its seams.",
                url,
            )
        )
    for membership in owners:
        if not membership.user.is_active:
            findings.append(
                Finding(
                    "inactive-owner",
                    f"{team.name} is owned by {membership.user}, whose account is deactivated.",
                    url,
                )
            )
    if team.leader is None:
        findings.append(Finding("team-without-leader", f"{team.name} has no leader.", url))
    elif not team.leader.is_active:
        findings.append(
            Finding(
                "inactive-leader",
                f"{team.name} is led by {team.leader}, whose account is deactivated.",
                url,
            )
        )
    return findings


def people_findings() -> list[Finding]:
    stray = (
        User.objects.filter(is_active=True, is_superuser=False, memberships__isnull=True)
        .exclude(groups__name__in=ORG_ROLES)
        .order_by("first_name", "last_name", "username")
    )
    return [
        Finding(
            "person-without-team-or-role",
            f"{person} can sign in but belongs to no team and has no organisation role.",
        )
        for person in stray
    ]


def seam_findings(seam: Seam, today) -> list[Finding]:
    if seam.status == Seam.Status.RETIRED:
        return []
    findings = []
    url = seam.spec.get_absolute_url()
    if seam.spec.version == 0:
        findings.append(Finding("seam-without-spec", f"{seam.name} has no handoff spec yet.", url))
    elif seam.spec.response_sla_hours is None:
        findings.append(
            Finding(
                "spec-without-sla",
                f"{seam.name} has no response SLA, so its handoffs "
                "have no deadline and never count as breaches.",
                url,
            )
        )
    if seam.pilot_review_due(today):
        findings.append(
            Finding(
                "pilot-review-due",
                f"The pilot of {seam.name} was due for review on {seam.pilot_review_on:%-d %B}.",
                url,
            )
        )
    return findings


SIGNATURE_WAIT = timedelta(days=7)


def unsigned_revisions(now):
    """Revisions published for signature more than SIGNATURE_WAIT ago and still awaiting."""
    return (
        ContractRevision.objects.filter(
            status=ContractRevision.Status.AWAITING, published_at__lt=now - SIGNATURE_WAIT
        )
        .select_related("contract")
        .prefetch_related("binding_leaders", "signatures")
    )


def revision_findings(revision: ContractRevision, now) -> list[Finding]:
    latest = revision.contract.revisions.first()
    if latest.pk != revision.pk:
        return []  # replaced: only the current revision is signed
    signed = {s.leader_id for s in revision.signatures.all()}
    missing = sorted(u.display_name for u in revision.binding_leaders.all() if u.pk not in signed)
    return [
        Finding(
            "revision-unsigned",
            f"Revision {revision.number} of {revision.contract} has "
            f"waited {(now - revision.published_at).days} days for "
            f"{', '.join(missing)} to sign.",
            revision.contract.get_absolute_url(),
        )
    ]


def initiative_findings(initiative: Initiative) -> list[Finding]:
    findings = []
    unowned = initiative.assumptions.filter(owner__isnull=True).count()
    broken = initiative.assumptions.filter(status="broken").count()
    if unowned:
        findings.append(
            Finding(
                "assumption-unowned",
                f"{initiative}: {unowned} assumption"
                f"{'s have' if unowned > 1 else ' has'} no owner.",
                initiative.get_absolute_url(),
            )
        )
    if broken:
        findings.append(
            Finding(
                "assumption-broken",
                f"{initiative}: {broken} assumption{'s are' if broken > 1 else ' is'} broken.",
                initiative.get_absolute_url(),
            )
        )
    return findings


@transaction.atomic
def run_data_quality_check() -> DataQualityReport:
    """Run every check and store the report. An item whose check fails (odd data) is logged
    and skipped, and the report says how many could not be checked; the rest are checked."""
    now = timezone.now()
    today = timezone.localdate()
    teams = list(Team.objects.with_people())
    seams = list(Seam.objects.with_related())
    batch = Batch("Data-quality check", log)
    findings: list[Finding] = []
    checks = [
        ("team", teams, team_findings),
        ("people", [None], lambda _: people_findings()),
        ("seam", seams, lambda seam: seam_findings(seam, today)),
        ("revision", unsigned_revisions(now), lambda revision: revision_findings(revision, now)),
        ("initiative", Initiative.objects.all(), initiative_findings),
    ]
    for label, items, check in checks:
        for item in items:
            with batch.item(f"{label} {item.pk}" if item is not None else label):
                findings.extend(check(item))
    if failed := batch.report():
        findings.append(
            Finding(
                "check-failed",
                f"{failed} item{'s' if failed > 1 else ''} could not be checked because of an "
                "error; the log names them. The rest were checked.",
            )
        )
    report = DataQualityReport.objects.create(
        ran_at=now,
        findings=[asdict(f) for f in findings],
        teams_checked=len(teams),
        people_checked=User.objects.filter(is_active=True).count(),
    )
    DataQualityReport.objects.filter(ran_at__lt=now - KEEP_REPORTS_FOR).delete()
    return report
