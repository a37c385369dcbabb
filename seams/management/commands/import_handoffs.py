from pathlib import Path

from django.core.management.base import BaseCommand

from seams.csv_import import import_csv
from seams.management.csv_command import import_file, report


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
        outcome = import_file(
            file, lambda stream, size: import_csv(stream, source=source, partial=partial, size=size)
        )
        report(self, outcome, [(error.row, error.message) for error in outcome.errors])
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {outcome.created + outcome.updated} handoffs from {file.name}: "
                f"{outcome.created} new, {outcome.updated} updated, {outcome.rejected} rejected."
            )
        )
