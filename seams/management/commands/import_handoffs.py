from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seams.csv_import import CsvRejected, read_csv
from seams.ingest import RowError, ingest


class Command(BaseCommand):
    help = (
        "Import handoffs from a CSV file (DESIGN.md columns). All or nothing unless --partial; "
        "every rejected row is reported with its line number. Safe to run twice: rows are "
        "upserted on (source, external_id)."
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
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Can't read {file}: {exc.strerror}.") from exc
        try:
            csv_file = read_csv(data)
        except CsvRejected as rejected:
            raise CommandError(f"{file} was not imported: {rejected}") from rejected
        for note in csv_file.notes():
            self.stdout.write(note)
        shape = [RowError(line, "", {"row": reason}) for line, reason in csv_file.shape_errors]
        result = ingest(csv_file.rows, source=source, partial=partial, known_errors=shape)
        for error in result.errors:
            self.stderr.write(f"line {error.row}: {error.message}")
        if not result.written:
            raise CommandError(
                f"Nothing imported: {len(result.errors)} row(s) rejected. Fix them, or run "
                "again with --partial to import the valid rows."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.created + result.updated} handoffs from {file.name}: "
                f"{result.created} new, {result.updated} updated, {len(result.errors)} rejected."
            )
        )
