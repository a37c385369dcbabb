from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seams.csv_import import CsvRejected, import_csv


class Command(BaseCommand):
    help = (
        "Import handoffs from a CSV file (DESIGN.md columns). All or nothing unless --partial; "
        "every rejected row is reported with its line number. Safe to run twice: rows are "
        "upserted on (source, external_id). Reads the file in chunks: memory stays flat."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--source", default="csv", help='Where the rows come from (default "csv").'
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Import the valid rows even if some are rejected.",
        )

    def handle(self, *args, file: Path, source: str, partial: bool, **options) -> None:
        try:
            stream = file.open("rb")
        except OSError as exc:
            raise CommandError(f"Can't read {file}: {exc.strerror}.") from exc
        with stream:
            try:
                outcome = import_csv(
                    stream, source=source, partial=partial, size=file.stat().st_size
                )
            except CsvRejected as rejected:
                raise CommandError(f"{file} was not imported: {rejected}") from rejected
        for note in outcome.notes():
            self.stdout.write(note)
        for error in outcome.errors:
            self.stderr.write(f"line {error.row}: {error.message}")
        if outcome.rejected > len(outcome.errors):
            self.stderr.write(f"… and {outcome.rejected - len(outcome.errors)} more rejected rows.")
        if not outcome.written:
            raise CommandError(
                f"Nothing imported: {outcome.rejected} row(s) rejected. Fix them, or run again "
                "with --partial to import the valid rows."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {outcome.created + outcome.updated} handoffs from {file.name}: "
                f"{outcome.created} new, {outcome.updated} updated, {outcome.rejected} rejected."
            )
        )
