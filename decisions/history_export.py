"""Decisions, escalations and dependencies as CSV, in the columns their history import reads:
an export from one Seamline imports into another, and a re-import of it adds nothing (the
natural keys match). Every cell goes through `common.export`, so text that looks like a
spreadsheet formula is escaped."""

from collections.abc import Iterator

from django.db.models import Prefetch

from decisions.models import Decision, DecisionEvent, Dependency, Escalation


def _email(user) -> str:
    return user.email if user is not None else ""


def decision_rows() -> Iterator[list]:
    events = Prefetch("events", queryset=DecisionEvent.objects.order_by("at", "pk"))
    decisions = (
        Decision.objects.select_related("seam", "contract", "requested_by", "decider")
        .prefetch_related(events)
        .order_by("requested_at", "pk")
    )
    for d in decisions.iterator(chunk_size=500):
        steps: dict[str, list] = {}
        for event in d.events.all():
            steps.setdefault(event.kind, []).append(event.at)
        decided, reopened = steps.get("decided", []), steps.get("reopened", [])
        yield [
            d.seam.slug if d.seam else "",
            d.contract.slug if d.contract else "",
            d.question,
            d.decision_type,
            _email(d.requested_by),
            d.requested_at,
            _email(d.decider),
            decided[0] if decided else None,
            d.outcome,
            d.rationale,
            reopened[0] if reopened else None,
            decided[-1] if reopened and len(decided) > 1 else None,
            steps.get("withdrawn", [None])[-1],
        ]


def escalation_rows() -> Iterator[list]:
    escalations = Escalation.objects.select_related("seam", "raised_by").order_by("raised_at", "pk")
    for e in escalations.iterator(chunk_size=2000):
        yield [
            e.seam.slug,
            e.summary,
            e.severity,
            e.cause,
            _email(e.raised_by),
            e.raised_at,
            e.resolved_at,
            e.resolution,
            e.root_cause,
        ]


def dependency_rows() -> Iterator[list]:
    dependencies = Dependency.objects.with_related().order_by("needed_by", "pk")
    for d in dependencies.iterator(chunk_size=2000):
        yield [
            d.title,
            d.consumer.slug,
            d.provider.slug,
            d.seam.slug if d.seam else "",
            _email(d.owner),
            d.needed_by,
            d.committed_date,
            d.status,
            d.created_at,
            d.delivered_at,
        ]


ROWS = {"decisions": decision_rows, "escalations": escalation_rows, "dependencies": dependency_rows}
