"""The demo organisation's two monthly reviews before the month under review: root causes for
the seams that hurt and corrective actions against the metrics they should move, so the review
can show whether they moved. Written through metrics.reviews, so the demo keeps the product's
rules.

The month under review itself has no review yet: its meeting is the one a leader starts. Last
review (of the month before it) agreed five actions that seams.demo_plan's story judges two
moved, one partly and two not moved; the review before that agreed four, since done.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from metrics import engine, reviews
from metrics.models import CorrectiveAction, Review
from seams import permissions
from seams.demo import DemoOrganisation
from seams.demo_plan import working_day, working_days_from
from seams.models import Seam

REVIEW_DAY = 9  # the launch contract's review day


@dataclass(frozen=True)
class Agreed:
    seam: str
    root_cause: str
    action: str
    metric: str
    owner: str  # username; the seam's spec owner when they can't be named there
    done_after: int | None  # working days after the review it was done; None: still open
    due_after: int  # working days after the review it is due


# Last review: the month before the month under review.
LAST_REVIEW = [
    Agreed(
        "Security sign-off",
        "One reviewer signs off every release: when Arjun is out, the queue stops.",
        "Onboard a second security reviewer and split the queue by risk",
        "queue_time_p85_hours",
        "arjun",
        done_after=9,
        due_after=10,
    ),
    Agreed(
        "Pricing approval",
        "Discounts above 20 % wait for the CFO, who sees them once a day at 16:00.",
        "Publish a discount matrix so the deal desk approves up to 20 % itself",
        "decision_latency_p85_hours",
        "hannah",
        done_after=6,
        due_after=8,
    ),
    Agreed(
        "Redline turnaround",
        "Redlines queue behind contract drafting; nobody sorts them by the deal's close date.",
        "Start a redline template library and a 48 h triage rota",
        "sla_breach_rate",
        "sofia",
        done_after=4,
        due_after=5,
    ),
    Agreed(
        "Custom integration intake",
        "Requests arrive by Slack DM and skip the form, so the sync hears of them only when "
        "the customer chases.",
        "Take integration requests through the intake form only; DMs get a link to it",
        "escalations",
        "priya",
        done_after=None,
        due_after=12,
    ),
    Agreed(
        "Environment provisioning",
        "Non-standard sizes come in without the budget owner's approval and are sent back.",
        "Self-service templates for the three standard environment sizes",
        "rework_rate",
        "luis",
        done_after=None,
        due_after=25,
    ),
]
# The review before: the month two months before the month under review.
EARLIER_REVIEW = [
    Agreed(
        "Security sign-off",
        "Security reviews are booked ad hoc, so every request waits for a free afternoon.",
        "Book a standing security review slot on Tuesdays and Thursdays",
        "queue_time_p85_hours",
        "arjun",
        done_after=3,
        due_after=5,
    ),
    Agreed(
        "Pricing approval",
        "The deal desk doesn't know when to escalate to the CFO and when to decide.",
        "Write down the deal desk's escalation path to the CFO",
        "decision_latency_p85_hours",
        "hannah",
        done_after=7,
        due_after=10,
    ),
    Agreed(
        "Redline turnaround",
        "Only one person redlines, and the holiday cover is the same person's inbox.",
        "Name a back-up redliner for holidays and sickness",
        "sla_breach_rate",
        "sofia",
        done_after=12,
        due_after=10,
    ),
    Agreed(
        "Contract language",
        "DPA requests don't say which product capability the clause depends on.",
        "Add the product capability to the DPA request form",
        "rework_rate",
        "sofia",
        done_after=5,
        due_after=8,
    ),
]


def held_on(month: date) -> date:
    """The review of `month` meets on the review day of the month after, on a working day."""
    return working_day(engine.next_month(month).replace(day=REVIEW_DAY))


def notes(month: date, before: date) -> dict[date, str]:
    """What each review's notes say, by month."""
    return {
        before: (
            f"{before:%B}: security sign-off, pricing approval and redline turnaround are red, "
            "contract language amber on rework. Four actions agreed, all due before the next "
            "review. Maya asked to see the security queue split by risk next time."
        ),
        month: (
            f"{month:%B}: security sign-off, pricing approval and redline turnaround still red; "
            "integration intake amber on escalations and environments on rework. "
            f"All four actions from {before:%B} are done, though only the redline back-up shows "
            "in the numbers yet. Five actions agreed; owners report progress at the Thursday "
            "sync."
        ),
    }


def seed(org: DemoOrganisation) -> None:
    leader = org.people["elena"]
    today = timezone.localdate()
    last = engine.previous_month(engine.month_under_review())
    earlier = engine.previous_month(last)
    said = notes(last, earlier)
    for month, agreed in ((earlier, EARLIER_REVIEW), (last, LAST_REVIEW)):
        if Review.objects.filter(month=month, contract=None).exists():
            continue  # seeded before: reviews are not rewritten
        held = min(held_on(month), today)
        review = reviews.start_review(month=month, contract=None, by=leader)
        Review.objects.filter(pk=review.pk).update(held_on=held)
        review.refresh_from_db()
        for item in agreed:
            seam = Seam.objects.select_related("spec__owner").get(pk=org.seams[item.seam].pk)
            reviews.record_root_cause(review=review, seam=seam, text=item.root_cause, by=leader)
            spec_owner = getattr(getattr(seam, "spec", None), "owner", None)
            owner = next(
                person
                for person in (org.people[item.owner], spec_owner, leader)
                if person and not permissions.named_person_error(person, seam)
            )
            action = reviews.add_action(
                review=review,
                seam=seam,
                title=item.action,
                owner=owner,
                due_on=working_days_from(held, item.due_after),
                metric=item.metric,
                by=leader,
            )
            if item.done_after is not None:
                done = working_days_from(held, item.done_after)
                if done < today:
                    _done(action, done)
        reviews.close_review(review=review, by=leader, notes=said[month])
        Review.objects.filter(pk=review.pk).update(
            closed_at=datetime.combine(held, time(11, 40), tzinfo=timezone.get_default_timezone())
        )


def _done(action: CorrectiveAction, on: date) -> None:
    action.status, action.done_on = CorrectiveAction.Status.DONE, on
    action.save(update_fields=["status", "done_on"])
