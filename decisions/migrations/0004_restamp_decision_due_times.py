"""Every stored decision due time, stamped again by DESIGN.md's rule.

Until now a contract-wide right's due time ran on the 24x7 clock, and a reopen moved the due
time to a new clock from the reopen. The rule is one clock from the first request, on the
calendar of the seam the decision is tagged to, whoever's right it is. Decisions without a
right have no due time and stay as they are.

The snapshots counted the old due times. Once this has run, metrics' post-migrate step
(metrics.staleness.recompute_after_restamp) queues the recompute of every month that has
snapshots through the outbox; `manage.py compute_metrics --all` does the same at once.
"""

from django.db import migrations


def working_time(calendar):
    """The historical calendar's rules, as seams.models.Calendar.working_time builds them."""
    from zoneinfo import ZoneInfo

    from seams.business_time import WorkingTime  # pure Python

    if calendar is None or calendar.is_24x7:
        return WorkingTime.around_the_clock()
    return WorkingTime(
        tz=ZoneInfo(calendar.time_zone),
        weekdays=frozenset(calendar.working_weekdays),
        start=calendar.day_start,
        end=calendar.day_end,
        holidays=frozenset(calendar.holidays.values_list("date", flat=True)),
    )


def restamp_due_times(apps, schema_editor) -> int:
    """Due = the right's SLA in business hours from `requested_at`, on the decision's seam's
    calendar (an untagged decision: its right's seam's calendar, else 24x7). Returns how many
    due times moved."""
    from seams.business_time import add_business_hours  # pure Python

    Decision = apps.get_model("decisions", "Decision")
    rows = Decision.objects.filter(decision_right__isnull=False).select_related(
        "decision_right__seam__calendar", "seam__calendar"
    )
    rules_by_calendar = {}
    moved = 0
    for decision in rows.iterator(chunk_size=500):
        right = decision.decision_right
        seam = decision.seam if decision.seam_id else right.seam
        calendar = seam.calendar if seam is not None else None
        key = calendar.pk if calendar is not None else None
        if key not in rules_by_calendar:
            rules_by_calendar[key] = working_time(calendar)
        due = add_business_hours(
            rules_by_calendar[key], decision.requested_at, right.decision_sla_hours
        )
        if due != decision.due_at:
            Decision.objects.filter(pk=decision.pk).update(due_at=due)
            moved += 1
    return moved


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0003_decision_latency_hours"),
        ("contracts", "0001_initial"),
        ("seams", "0004_builtin_24x7_calendar"),
    ]

    # The old due times are not worth restoring: going back leaves the corrected ones.
    operations = [migrations.RunPython(restamp_due_times, migrations.RunPython.noop)]
