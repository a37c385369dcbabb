"""What the CSV import commands share: reading the file, telling each rejected line, and
failing when an all-or-nothing import wrote nothing."""

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from django.core.management.base import BaseCommand, CommandError

from seams.csv_import import CsvRejected

Outcome = TypeVar("Outcome")


def import_file(file: Path, run: Callable[[BinaryIO, int], Outcome]) -> Outcome:
    """`run(stream, size)` on the opened file; a file that can't be read or is refused as a
    whole is a CommandError that says why."""
    try:
        stream = file.open("rb")
    except OSError as exc:
        raise CommandError(f"Can't read {file}: {exc.strerror}.") from exc
    with stream:
        try:
            return run(stream, file.stat().st_size)
        except CsvRejected as rejected:
            raise CommandError(f"{file} was not imported: {rejected}") from rejected


def report(command: BaseCommand, outcome, lines: list[tuple[int, str]]) -> None:
    """The notes on stdout, each rejected line (as many as were kept) on stderr; a
    CommandError when nothing was written."""
    for note in outcome.notes():
        command.stdout.write(note)
    for line, message in lines:
        command.stderr.write(f"line {line}: {message}")
    if outcome.rejected > len(lines):
        command.stderr.write(f"… and {outcome.rejected - len(lines)} more rejected rows.")
    if not outcome.written:
        raise CommandError(
            f"Nothing imported: {outcome.rejected} row(s) rejected. Fix them, or run again "
            "with --partial to import the valid rows."
        )
