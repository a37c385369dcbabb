from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from decisions.history import may_give_past_times
from decisions.history_import import import_history
from decisions.history_rows import COLUMNS
from seams.management.csv_command import import_file, report
from seams.models import User


class Command(BaseCommand):
    help = (
        "Import history from other tools: a CSV of decisions, escalations or dependencies "
        "(README columns). All or nothing unless --partial; every rejected row is reported "
        "with its line number. Safe to run twice: rows imported before are left as they are."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=sorted(COLUMNS))
        parser.add_argument(
            "--by",
            required=True,
            metavar="EMAIL",
            help="The leader or ops person the import is recorded as.",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Import the valid rows even if some are rejected.",
        )

    def handle(self, *args, file: Path, kind: str, by: str, partial: bool, **options) -> None:
        person = User.objects.filter(is_active=True, email__iexact=by).first()
        if person is None:
            raise CommandError(f"No active person with the email {by}.")
        if not may_give_past_times(person):
            raise CommandError(f"{by} is neither a leader nor ops: only they import history.")
        outcome = import_file(
            file,
            lambda stream, size: import_history(
                stream, kind=kind, partial=partial, by=person, size=size
            ),
        )
        report(self, outcome, [(error["line"], error["message"]) for error in outcome.errors])
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {outcome.created} {kind} from {file.name}: {outcome.unchanged} "
                f"imported before and left as they were, {outcome.rejected} rejected."
            )
        )
