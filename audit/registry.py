"""What django-auditlog records, and how: each app's models, registered from AuditConfig.ready.

Not registered, because they are computed or are histories themselves: MonthlySeamMetrics,
MetricsRun, DataQualityReport (computed); SpecVersion (logged by `audit.writes` as the spec's
change), ContractEvent, DecisionEvent, DependencyMove (histories);
OutboxMessage, DigestSent, connections.Delivery (an inbound delivery is its own record, with
its outcome), connections' Notification, OutboundDelivery and DeliveryAttempt (the delivery
log is their own history), sessions and identity's SignedInSession (technical);
authtoken.Token (its primary key is the secret key); RefusedWrite (the audit's own record).
"""

import copy

from auditlog.registry import auditlog
from django.contrib.auth.models import Group
from django.db import models

from connections.models import Channel, EmailSubscription, MappingRule, Source, SourceSecret
from contracts.models import (
    Assumption,
    Commitment,
    Contract,
    ContractRevision,
    ContractSeam,
    DecisionRight,
    Initiative,
    MetricTarget,
    Signature,
    SpecTemplate,
)
from decisions.models import Constraint, Decision, Dependency, Escalation, HistoryImport
from identity.models import DirectoryAccount, DirectoryGroup, GroupMapping
from metrics.models import CorrectiveAction, Review, RootCause
from onboarding.models import GuidedStart, Miss
from seams.models import (
    Calendar,
    CalendarHoliday,
    Handoff,
    HandoffImport,
    HandoffReturn,
    HandoffSpec,
    Membership,
    Seam,
    Team,
    User,
)

HIDDEN = "(hidden)"

# Saving only bumps these; a save that changes nothing else is no change worth a line.
TIMESTAMPS = ["updated_at"]

HIDE = "audit.registry.hide"


def registrations() -> dict[type[models.Model], dict]:
    """Each recorded model and auditlog's options for it."""
    return {
        User: {
            "exclude_fields": ["last_login"],
            # A password change is recorded as a change, never with the hash.
            "mask_fields": ["password"],
            "mask_callable": HIDE,
            "m2m_fields": {"groups", "user_permissions"},
        },
        Group: {"m2m_fields": {"permissions"}},
        Team: {"exclude_fields": TIMESTAMPS},
        Membership: {},
        Calendar: {"exclude_fields": TIMESTAMPS},
        CalendarHoliday: {},
        Seam: {"exclude_fields": TIMESTAMPS},
        HandoffSpec: {},
        Handoff: {"exclude_fields": TIMESTAMPS},
        HandoffReturn: {},
        # Inbound sources: who changed a source, its rules, and when a secret was rotated.
        Source: {},
        MappingRule: {},
        SourceSecret: {"mask_fields": ["value"], "mask_callable": HIDE},
        # The per-row errors and notes stay on the import's page; the log keeps the counts.
        HandoffImport: {"exclude_fields": ["errors", "notes", "progress_bytes"]},
        **_contracts(),
        Decision: {},
        Escalation: {},
        Constraint: {},
        Dependency: {},
        HistoryImport: {"exclude_fields": ["errors", "notes", "progress_bytes"]},
        Review: {},
        RootCause: {},
        CorrectiveAction: {},
        **_guided_start(),
        # A channel's signing secret is shown once, never in the log.
        Channel: {"mask_fields": ["secret"], "mask_callable": HIDE},
        EmailSubscription: {"exclude_fields": TIMESTAMPS},
        # Identity: what the provider's groups grant, the directory's groups and accounts. The
        # latest sign-on's time and groups are the sign-in's own entry, not a change.
        GroupMapping: {"exclude_fields": TIMESTAMPS},
        DirectoryGroup: {"exclude_fields": TIMESTAMPS, "m2m_fields": {"members"}},
        DirectoryAccount: {"exclude_fields": [*TIMESTAMPS, "last_sso_at", "sso_groups"]},
    }


def _contracts() -> dict[type[models.Model], dict]:
    return {
        Contract: {"exclude_fields": TIMESTAMPS},
        ContractSeam: {},
        MetricTarget: {},
        DecisionRight: {
            "m2m_fields": {
                "consulted_people",
                "consulted_teams",
                "informed_people",
                "informed_teams",
            }
        },
        # `content` is the whole published contract, already kept on the revision itself.
        ContractRevision: {"exclude_fields": ["content"], "m2m_fields": {"binding_leaders"}},
        Signature: {},
        Initiative: {},
        Commitment: {"exclude_fields": TIMESTAMPS},
        Assumption: {"exclude_fields": TIMESTAMPS},
        SpecTemplate: {"exclude_fields": TIMESTAMPS},
    }


def _guided_start() -> dict[type[models.Model], dict]:
    return {
        GuidedStart: {
            # Each step stamps who took it: the entry's actor already says so.
            "exclude_fields": [*TIMESTAMPS, "updated_by"],
            "m2m_fields": {"seams", "decisions", "constraints"},
        },
        Miss: {},
    }


def hide(value: str) -> str:
    """auditlog's mask: says a secret is set (and, in a change, that it changed), never any of
    it. auditlog's own mask keeps half the value."""
    return HIDDEN if value and value != "None" else ""


def register_models() -> None:
    """Register the models with auditlog. Runs once, from AuditConfig.ready."""
    for model, options in registrations().items():
        if auditlog.contains(model):
            continue
        # auditlog appends to the lists it is given: each registration gets its own.
        options = copy.deepcopy(options)
        # Other rows pointing here are those rows' business; on create and delete auditlog
        # would store each reverse relation's manager as text.
        reverse = [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]
        options["exclude_fields"] = [*options.get("exclude_fields", []), *reverse]
        auditlog.register(model, **options)
