from django.core.management.base import BaseCommand
from django.db import transaction

from contracts import demo as contracts_demo
from decisions import demo as decisions_demo
from metrics import demo as metrics_demo
from metrics import engine, staleness
from seams import demo as seams_demo
from seams.models import Team, User


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organisation (Northwind Cloud): teams, people in every "
        "role, contracts, decisions, twelve months of handoffs and their monthly metrics. "
        "Idempotent: running it twice leaves the same data. Prints the demo logins."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only when the database has no people and no teams yet (used by make run).",
        )

    def handle(self, *args, if_empty: bool = False, **options) -> None:
        if if_empty and (User.objects.exists() or Team.objects.exists()):
            self.stdout.write("The database already has data; the demo was not seeded again.")
        else:
            with transaction.atomic(), staleness.paused():
                org = seams_demo.seed()
                contracts_demo.seed(org)
                decisions_demo.seed(org)
                seams_demo.seed_handoffs(org)
                seams_demo.seed_live_handoffs(org)
                # Every month of snapshots, so the metrics pages have something to show.
                engine.compute(engine.all_months())
                # The last two monthly reviews, written once their months have metrics.
                metrics_demo.seed(org)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo organisation ready: {len(org.teams)} teams, {len(org.people)} people, "
                    f"{len(org.seams)} seams."
                )
            )
        self.print_logins()

    def print_logins(self) -> None:
        samples = list(User.objects.filter(username__in=seams_demo.SAMPLE_LOGINS, is_active=True))
        if not samples:
            return
        samples.sort(key=lambda u: seams_demo.SAMPLE_LOGINS.index(u.username))
        self.stdout.write(
            f'\nSign in at http://127.0.0.1:8000/ with the password "{seams_demo.DEMO_PASSWORD}" '
            "and one of these usernames (every demo person has that password):"
        )
        for user in samples:
            self.stdout.write(f"  {seams_demo.describe_login(user)}")
        self.stdout.write("")
