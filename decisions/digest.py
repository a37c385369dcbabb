"""The daily digest email: what each person must decide or unblock today.

A decider hears about their decisions that are overdue or due tomorrow; a dependency owner
about theirs that are at risk. One email per person per day: the day is claimed in the same
transaction as the send, so a rerun the same day (or a retried task) sends nothing twice.
A person whose digest fails is logged and skipped, the day left unclaimed so that a rerun
sends it; the others get theirs.

Later apps add sections of their own with `add_section` (corrective actions due or overdue,
yesterday's notifications the person subscribes to): still one digest, once a day.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from common.batch import Batch
from common.mail import header_text
from decisions.models import Decision, Dependency, DigestSent
from seams.models import User

log = logging.getLogger(__name__)

# (heading, noun for the subject's count, collect(today) → {person: [line, …]})
Section = tuple[str, str, Callable[[date], dict[User, list[str]]]]
SECTIONS: list[Section] = []


def add_section(heading: str, noun: str, collect: Callable[[date], dict]) -> None:
    """Add a section to everyone's digest; adding the same one twice adds it once."""
    if (heading, noun, collect) not in SECTIONS:
        SECTIONS.append((heading, noun, collect))


def digest_items(today: date) -> dict[User, dict[str, list]]:
    """Per person: overdue decisions, decisions due tomorrow, dependencies at risk."""
    tz = timezone.get_current_timezone()
    start_of_today = datetime.combine(today, time.min, tzinfo=tz)
    tomorrow_start = start_of_today + timedelta(days=1)
    day_after = start_of_today + timedelta(days=2)
    items: dict[User, dict[str, list]] = defaultdict(
        lambda: {"overdue": [], "due_tomorrow": [], "at_risk": [], "sections": []}
    )
    pending = Decision.objects.pending().select_related("decider", "seam").order_by("due_at")
    for decision in pending.overdue(timezone.now()):
        items[decision.decider]["overdue"].append(decision)
    for decision in pending.filter(due_at__gte=tomorrow_start, due_at__lt=day_after):
        items[decision.decider]["due_tomorrow"].append(decision)
    at_risk = Dependency.objects.filter(status=Dependency.Status.AT_RISK).with_related()
    for dependency in at_risk.order_by("needed_by"):
        items[dependency.owner]["at_risk"].append(dependency)
    for heading, noun, collect in SECTIONS:
        for user, lines in collect(today).items():
            if lines:
                items[user]["sections"].append({"heading": heading, "noun": noun, "lines": lines})
    return {user: lists for user, lists in items.items() if user.is_active and user.email}


def send_daily_digests(*, today: date | None = None) -> int:
    """Send today's digests; returns how many were sent by this run."""
    today = today or timezone.localdate()
    sent = 0
    batch = Batch("Daily digests", log)
    for user, lists in digest_items(today).items():
        with batch.item(f"user {user.pk}"):
            try:
                with transaction.atomic():
                    DigestSent.objects.create(user=user, day=today)
                    _send(user, lists, today)
            except IntegrityError:
                continue  # already sent today
            sent += 1
    batch.report()
    return sent


def _send(user: User, lists: dict[str, list], today: date) -> None:
    counts = []
    if lists["overdue"]:
        counts.append(f"{len(lists['overdue'])} overdue")
    if lists["due_tomorrow"]:
        counts.append(f"{len(lists['due_tomorrow'])} due tomorrow")
    if lists["at_risk"]:
        counts.append(f"{len(lists['at_risk'])} at risk")
    for section in lists.get("sections", []):
        counts.append(f"{len(section['lines'])} {section['noun']}")
    context = {"user": user, "today": today, **lists}
    send_mail(
        subject=header_text(f"Seamline today: {', '.join(counts)}"),
        message=render_to_string("decisions/digest_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
