"""Fill the business clocks of handoffs and returns recorded before there were any, and close
the returns recorded before start in earlier versions at the moment they happened.

Returns recorded before waiting on the sender existed never paused anything: a return before
the start gets `resubmitted_at = returned_at`, a pause of no length, so no deadline and no queue
time recorded until now moves (and a later restamp, after a start or a calendar change, does
not turn an old return into a long pause). Clocks are computed per calendar, in chunks.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import migrations
from django.db.models import F, Q

from seams import business_time

CHUNK = 2000
HOURS = Decimal("0.0001")


def _rules(calendar) -> business_time.WorkingTime:
    if calendar.is_24x7:
        return business_time.WorkingTime.around_the_clock()
    return business_time.WorkingTime(
        tz=ZoneInfo(calendar.time_zone),
        weekdays=frozenset(calendar.working_weekdays),
        start=calendar.day_start,
        end=calendar.day_end,
        holidays=frozenset(calendar.holidays.values_list("date", flat=True)),
    )


def _clock(rules, instant: datetime) -> Decimal:
    return Decimal(str(business_time.clock_hours(rules, instant))).quantize(HOURS)


def fill(apps, schema_editor) -> None:
    Calendar = apps.get_model("seams", "Calendar")
    Handoff = apps.get_model("seams", "Handoff")
    HandoffReturn = apps.get_model("seams", "HandoffReturn")
    # Set-based: returns before the start close where they happened.
    HandoffReturn.objects.filter(resubmitted_at__isnull=True).filter(
        Q(handoff__started_at__isnull=True) | Q(handoff__started_at__gt=F("returned_at"))
    ).update(resubmitted_at=F("returned_at"))
    for calendar in Calendar.objects.all():
        rules = _rules(calendar)
        handoffs = Handoff.objects.filter(seam__calendar=calendar, submitted_clock__isnull=True)
        batch = []
        for handoff in handoffs.only("pk", "submitted_at").iterator(chunk_size=CHUNK):
            handoff.submitted_clock = _clock(rules, handoff.submitted_at)
            batch.append(handoff)
            if len(batch) >= CHUNK:
                Handoff.objects.bulk_update(batch, ["submitted_clock"])
                batch.clear()
        Handoff.objects.bulk_update(batch, ["submitted_clock"])
        returns = HandoffReturn.objects.filter(
            handoff__seam__calendar=calendar, returned_clock__isnull=True
        ).values_list(
            "pk", "returned_at", "resubmitted_at", "handoff__started_at", "handoff__sla_deadline"
        )
        batch = []
        for pk, returned, resubmitted, started, deadline in returns.iterator(chunk_size=CHUNK):
            pauses = (started is None or returned < started) and (
                deadline is None or returned < deadline
            )
            batch.append(
                HandoffReturn(
                    pk=pk,
                    returned_clock=_clock(rules, returned),
                    pauses=pauses,
                    pause_hours=Decimal(0) if pauses and resubmitted == returned else None,
                )
            )
            if len(batch) >= CHUNK:
                HandoffReturn.objects.bulk_update(
                    batch, ["returned_clock", "pauses", "pause_hours"]
                )
                batch.clear()
        HandoffReturn.objects.bulk_update(batch, ["returned_clock", "pauses", "pause_hours"])


class Migration(migrations.Migration):
    dependencies = [("seams", "0016_waiting_on_the_sender")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
