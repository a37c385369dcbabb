"""Turning what happened into notifications and their deliveries.

`notify` records one notification, a delivery for each person it concerns (by email, unless
they turned the event off) and one for each active channel subscribed to the event whose scope
covers it, then has them sent after the write commits (connections.deliveries.dispatch). It is
quick bookkeeping in the caller's transaction: a rolled-back write notifies no one.

A notification may carry a key ("decision.overdue:12"): a second one with the same key is not
recorded, so the periodic scan and repeated events tell each thing once.

The named events this module subscribes to (connections' AppConfig.ready):
- "handoff.at_risk" (computed by the leading signals; registered here, handled when emitted),
- "handoff.breached" (the exception path escalated it), "handoff.returned",
- "revision.published" (its binding leaders are asked to sign).
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from common import events
from connections.deliveries import dispatch
from connections.models import (
    Channel,
    EmailSubscription,
    Notification,
    OutboundDelivery,
)
from contracts.models import Contract, ContractRevision
from seams.models import Handoff, HandoffReturn, Membership, Seam, User


def notify(
    *,
    kind: str,
    title: str,
    key: str | None = None,
    text: str = "",
    link: str = "",
    facts: dict | None = None,
    seam: Seam | None = None,
    contract: Contract | None = None,
    people: Iterable[User | None] = (),
) -> Notification | None:
    """Record the notification and its deliveries; None if one with this key exists."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                key=key,
                title=title[:300],
                text=text,
                link=link,
                facts={
                    name: str(value)
                    for name, value in (facts or {}).items()
                    if value not in (None, "")
                },
                seam=seam,
                contract=contract,
            )
    except IntegrityError:
        return None  # told already
    now = timezone.now()
    rows = [
        OutboundDelivery(notification=notification, person=person, next_attempt_at=now)
        for person in _subscribed_people(kind, people)
    ]
    rows += [
        OutboundDelivery(notification=notification, channel=channel, next_attempt_at=now)
        for channel in matching_channels(kind, seam=seam, contract=contract)
    ]
    created = OutboundDelivery.objects.bulk_create(rows)
    dispatch(delivery.pk for delivery in created)
    return notification


def _subscribed_people(kind: str, people: Iterable[User | None]) -> list[User]:
    unique = {person.pk: person for person in people if person and person.is_active}
    if not unique:
        return []
    chosen = dict(
        EmailSubscription.objects.filter(user_id__in=unique).values_list("user_id", "events")
    )
    return [
        person
        for pk, person in unique.items()
        if person.email and (pk not in chosen or kind in chosen[pk])
    ]


def matching_channels(
    kind: str, *, seam: Seam | None = None, contract: Contract | None = None
) -> list[Channel]:
    """Active channels subscribed to `kind` whose scope covers the seam or contract."""
    channels = [c for c in Channel.objects.filter(active=True) if kind in c.events]
    if not channels:
        return []
    team_ids = {seam.from_team_id, seam.to_team_id} if seam else set()
    contract_ids = {contract.pk} if contract else set()
    if seam:
        contract_ids |= set(seam.contracts.values_list("pk", flat=True))
    return [
        channel
        for channel in channels
        if (channel.seam_id is None or (seam and channel.seam_id == seam.pk))
        and (channel.team_id is None or channel.team_id in team_ids)
        and (channel.contract_id is None or channel.contract_id in contract_ids)
    ]


def send_test(*, channel: Channel, by: User) -> OutboundDelivery:
    """A test message to one channel, delivered and logged like any other."""
    notification = Notification.objects.create(
        kind="test",
        title=f"Test message for {channel.name}",
        text=f"{by.display_name} sent this test from Seamline. If you read it, the channel works.",
        link=reverse("connections:channel-list"),
        facts={"Channel": channel.name, "Sent by": by.display_name},
    )
    delivery = OutboundDelivery.objects.create(
        notification=notification, channel=channel, next_attempt_at=timezone.now()
    )
    dispatch([delivery.pk])
    return delivery


# --- The named events ---------------------------------------------------------------------------


def _handoff(handoff_id: int) -> Handoff | None:
    return (
        Handoff.objects.select_related("seam__spec__owner", "seam__spec__escalate_to")
        .filter(pk=handoff_id)
        .first()
    )


def _handoff_facts(handoff: Handoff) -> dict:
    due = handoff.sla_deadline and timezone.localtime(handoff.sla_deadline)
    return {
        "Seam": handoff.seam.name,
        "Handoff": f"{handoff.source}/{handoff.external_id}",
        "Response due": f"{due:%a %-d %b %H:%M}" if due else "",
    }


def handoff_at_risk(*, handoff_id: int, **_) -> None:
    handoff = _handoff(handoff_id)
    if handoff is None:
        return
    spec = getattr(handoff.seam, "spec", None)
    notify(
        kind="handoff.at_risk",
        key=f"handoff.at_risk:{handoff.pk}",
        title=f"At risk: {handoff.title}",
        text=f"“{handoff.title}” is not started and has used most of its response SLA.",
        link=handoff.seam.get_absolute_url(),
        facts=_handoff_facts(handoff),
        seam=handoff.seam,
        # Whoever answers for the spec, and the owners of the team that must start the work.
        people=[spec.owner if spec else None, *_receiving_owners(handoff.seam)],
    )


def _receiving_owners(seam: Seam) -> list[User]:
    return list(
        User.objects.filter(
            memberships__team_id=seam.to_team_id, memberships__role=Membership.Role.OWNER
        ).order_by("pk")
    )


def handoff_breached(*, handoff_id: int, **_) -> None:
    handoff = _handoff(handoff_id)
    if handoff is None:
        return
    spec = getattr(handoff.seam, "spec", None)
    notify(
        kind="handoff.breached",
        key=f"handoff.breached:{handoff.pk}",
        title=f"Breached: {handoff.title}",
        text=f"“{handoff.title}” was not started by its response deadline and was escalated.",
        link=handoff.seam.get_absolute_url(),
        facts=_handoff_facts(handoff),
        seam=handoff.seam,
        # The spec's escalate_to already has the exception path's own email.
        people=[spec.owner if spec else None],
    )


def handoff_returned(*, handoff_id: int, return_id: int, **_) -> None:
    handoff = _handoff(handoff_id)
    returned = HandoffReturn.objects.filter(pk=return_id).first()
    if handoff is None or returned is None:
        return
    spec = getattr(handoff.seam, "spec", None)
    notify(
        kind="handoff.returned",
        key=f"handoff.returned:{returned.pk}",
        title=f"Returned: {handoff.title}",
        text=f"Returned to its sender: {returned.reason}"[:1000],
        link=handoff.seam.get_absolute_url(),
        facts=_handoff_facts(handoff) | {"Missing": returned.missing_item},
        seam=handoff.seam,
        people=[spec.owner if spec else None],
    )


def revision_published(*, revision_id: int, **_) -> None:
    revision = ContractRevision.objects.select_related("contract").filter(pk=revision_id).first()
    if revision is None:
        return
    contract = revision.contract
    signed = set(revision.signatures.values_list("leader_id", flat=True))
    notify(
        kind="revision.awaiting_signature",
        key=f"revision.awaiting_signature:{revision.pk}",
        title=f"{contract.title}: revision {revision.number} awaits your signature",
        text=revision.changelog[:1000],
        link=reverse("contracts:revision", args=[contract.slug, revision.number]),
        facts={"Contract": contract.title, "Revision": revision.number},
        contract=contract,
        people=[p for p in revision.binding_leaders.all() if p.pk not in signed],
    )


HANDLERS = {
    "handoff.at_risk": handoff_at_risk,
    "handoff.breached": handoff_breached,
    "handoff.returned": handoff_returned,
    "revision.published": revision_published,
}


def subscribe_to_events() -> None:
    for name, handler in HANDLERS.items():
        events.subscribe(name, handler)
