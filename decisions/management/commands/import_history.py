from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from decisions.history import may_give_past_times
from decisions.history_import import import_history
from decisions.history_rows import COLUMNS
from seams.csv_import import CsvRejected
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
        try:
            stream = file.open("rb")
        except OSError as exc:
            raise CommandError(f"Can't read {file}: {exc.strerror}.") from exc
        with stream:
            try:
                outcome = import_history(
                    stream, kind=kind, partial=partial, by=person, size=file.stat().st_size
                )
            except CsvRejected as rejected:
                raise CommandError(f"{file} was not imported: {rejected}") from rejected
        for note in outcome.notes():
            self.stdout.write(note)
        for error in outcome.errors:
            self.stderr.write(f"line {error['line']}: {error['message']}")
        if outcome.rejected > len(outcome.errors):
            self.stderr.write(f"… and {outcome.rejected - len(outcome.errors)} more rejected rows.")
        if not outcome.written:
            raise CommandError(
                f"Nothing imported: {outcome.rejected} row(s) rejected. Fix them, or run again "
                "with --partial to import the valid rows."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {outcome.created} {kind} from {file.name}: {outcome.unchanged} "
                f"imported before and left as they were, {outcome.rejected} rejected."
            )
        )
