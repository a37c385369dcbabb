"""The demo organisation's last two monthly reviews: root causes for the seams that hurt and
corrective actions against the metrics they should move, so the dashboard can show whether
they moved. Written through metrics.reviews, so the demo keeps the product's rules."""

from datetime import date, timedelta

from django.utils import timezone

from metrics import dashboard, engine, reviews
from metrics.models import CorrectiveAction, Review
from seams.demo import DemoOrganisation
from seams.models import Seam

# What the meeting would say, by the metric that hurt most; {seam} is the seam's name.
CAUSES = {
    "queue_time_p85_hours": "Requests wait for one person at {seam}: no cover when they are out.",
    "sla_breach_rate": "{seam} has no triage: urgent and routine requests share one queue.",
    "rework_rate": "Requests reach {seam} without the definition-of-ready inputs.",
    "decision_latency_p85_hours": "Nobody holds the decision right at {seam}; it goes upward.",
    "escalations": "Escalations at {seam} go round the exception path, not through it.",
}
ACTIONS = {
    "queue_time_p85_hours": "Name a second owner and a daily triage slot",
    "sla_breach_rate": "Split urgent requests into their own lane with a 4 h SLA",
    "rework_rate": "Reject requests missing a ready item at the door, with a checklist",
    "decision_latency_p85_hours": "Publish the decision rights for this seam",
    "escalations": "Walk both teams through the exception path",
    "throughput": "Batch the week's requests into one planning slot",
}
SEAMS_PER_REVIEW = 3


def seed(org: DemoOrganisation) -> None:
    leader = org.people["elena"]
    today = timezone.localdate()
    latest_full = engine.previous_month(engine.current_month())
    for month in (engine.previous_month(latest_full), latest_full):
        # Held on the 4th of the month after (today at the latest), then closed.
        held = min(engine.next_month(month) + timedelta(days=3), today)
        if Review.objects.filter(month=month, contract=None).exists():
            continue  # seeded before: reviews are not rewritten
        review = reviews.start_review(month=month, contract=None, by=leader)
        Review.objects.filter(pk=review.pk).update(held_on=held)
        review.refresh_from_db()
        board = dashboard.build(month)
        hurting = [row for row in board.rows if row.status in ("red", "amber")]
        for index, row in enumerate(hurting[:SEAMS_PER_REVIEW]):
            metric = _worst_metric(row)
            seam = Seam.objects.select_related("spec__owner").get(pk=row.seam.pk)
            reviews.record_root_cause(
                review=review,
                seam=seam,
                text=CAUSES[metric].format(seam=row.seam.name),
                by=leader,
            )
            owner = getattr(getattr(seam, "spec", None), "owner", None)
            action = reviews.add_action(
                review=review,
                seam=seam,
                title=ACTIONS.get(metric, ACTIONS["queue_time_p85_hours"]),
                owner=owner or leader,
                due_on=held + timedelta(days=14 + 7 * index),
                metric=metric,
                by=leader,
            )
            if month < latest_full and index < 2:  # the older review's first two are done
                _done(action, held + timedelta(days=10 + index))
        reviews.close_review(
            review=review, by=leader, notes=f"Reviewed {len(hurting)} red and amber seams."
        )


def _worst_metric(row: dashboard.Row) -> str:
    """The targeted metric furthest past its target."""
    worst = {"red": 0, "amber": 1}
    judged = [t for t in row.tiles if t.status in worst] + row.off_target
    judged.sort(key=lambda t: worst.get(t.status, 2))
    return judged[0].metric if judged else "queue_time_p85_hours"


def _done(action: CorrectiveAction, on: date) -> None:
    action.status, action.done_on = CorrectiveAction.Status.DONE, min(on, timezone.localdate())
    action.save(update_fields=["status", "done_on"])
