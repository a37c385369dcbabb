"""`python manage.py compute_metrics [--month YYYY-MM | --all] [--queue]`"""

import time

from django.core.management.base import BaseCommand, CommandError

from metrics import engine
from metrics.tasks import compute_metrics


class Command(BaseCommand):
    help = (
        "Compute the monthly seam metrics (DESIGN.md) and store their snapshots: the current "
        "month by default, one month with --month, every month with data with --all. It runs "
        "here, set-based over all seams; --queue fans out one Celery task per seam and month."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--month", help="The month to compute, as YYYY-MM.")
        which.add_argument(
            "--all", action="store_true", dest="every", help="Every month with data."
        )
        parser.add_argument(
            "--queue", action="store_true", help="Send one task per seam and month to workers."
        )

    def handle(self, *args, month=None, every=False, queue=False, **options):
        if month:
            try:
                months = [engine.parse_month(month)]
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        elif every:
            months = engine.all_months()
        else:
            months = [engine.current_month()]
        if queue:
            sent = compute_metrics.delay([f"{m:%Y-%m}" for m in months])
            self.stdout.write(f"Queued the recompute of {len(months)} month(s) ({sent.id}).")
            return
        started = time.perf_counter()
        written = engine.compute(months)
        self.stdout.write(
            f"Computed {written} snapshot(s) for {len(months)} month(s) "
            f"({months[0]:%Y-%m} to {months[-1]:%Y-%m}) in {time.perf_counter() - started:.1f} s."
        )
