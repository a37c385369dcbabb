"""Step 1 of the guided start, reading what the leaders paste: recent misses, one per line or
as a small CSV, and the team names in them."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.dateparse import parse_date

from decisions.models import Escalation
from seams.models import Team

MAX_MISSES = 100  # per paste: "ten recent misses", with room to spare


class MissesRefused(ValueError):
    """Pasted misses that can't be read; `problems` names each bad line."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class MissInput:
    summary: str
    happened_on: date | None = None
    cause: str = ""
    from_team: str = ""
    to_team: str = ""


CSV_COLUMNS = {
    "summary": ("summary", "miss", "what happened", "description", "title"),
    "happened_on": ("date", "happened_on", "raised_on", "when"),
    "cause": ("cause", "category"),
    "from_team": ("from", "from_team", "sender", "sending team"),
    "to_team": ("to", "to_team", "receiver", "receiving team"),
}
# "- ", "* ", "• ", "3. ", "3) " at the start of a pasted line; "3.5 days" keeps its number.
BULLET = re.compile(r"^\s*(?:[-*•–]|\d+[.)])(?:\s+|$)")
CAUSES_BY_NAME = {
    name.lower(): value
    for value, label in Escalation.Cause.choices
    for name in (value, label, value.replace("_", " "))
}


def parse_misses(text: str) -> list[MissInput]:
    """Misses typed one per line, or a small CSV whose header names a `summary` column.

    Bullets and numbering people paste from notes ("- ", "3. ") are dropped. Any bad line
    refuses the whole paste, naming each problem by its line number.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if _csv_header(lines[0] if lines else ""):
        misses = _parse_csv(text)
    else:
        misses, problems = [], []
        for number, line in enumerate(lines, start=1):
            summary = _strip_bullet(line)
            if not summary:
                continue
            if len(summary) > 300:
                problems.append(f"Line {number} is longer than 300 characters; shorten it.")
            misses.append(MissInput(summary))
        if problems:
            raise MissesRefused(problems)
    if not misses:
        raise MissesRefused(["Type or paste at least one miss."])
    if len(misses) > MAX_MISSES:
        raise MissesRefused(
            [f"That is {len(misses)} misses; paste at most {MAX_MISSES} at a time."]
        )
    return misses


def _strip_bullet(line: str) -> str:
    return BULLET.sub("", line).strip()


def _csv_header(first_line: str) -> dict[str, str] | None:
    """Which column means what, when the first line is a CSV header with a summary column."""
    if "," not in first_line and "\t" not in first_line:
        return None
    cells = next(csv.reader([first_line], dialect=_dialect(first_line)))
    found = {}
    for cell in cells:
        name = cell.strip().lower()
        for field, aliases in CSV_COLUMNS.items():
            if name in aliases:
                found[field] = cell
    return found if "summary" in found else None


def _dialect(sample: str) -> type[csv.Dialect]:
    return csv.excel_tab if "\t" in sample and "," not in sample else csv.excel


def _parse_csv(text: str) -> list[MissInput]:
    columns = _csv_header(text.split("\n", 1)[0]) or {}
    reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text.split("\n", 1)[0]))
    misses, problems = [], []
    for row in reader:
        line = reader.line_num
        values = {field: (row.get(column) or "").strip() for field, column in columns.items()}
        if not any(values.values()):
            continue
        summary = values.get("summary", "")
        if not summary:
            problems.append(f"Line {line} has no summary.")
            continue
        if len(summary) > 300:
            problems.append(f"Line {line}: the summary is longer than 300 characters.")
        happened_on = None
        if values.get("happened_on"):
            happened_on = _parse_day(values["happened_on"])
            if happened_on is None:
                problems.append(
                    f"Line {line}: “{values['happened_on']}” is not a date (use YYYY-MM-DD)."
                )
            elif happened_on > timezone.localdate():
                problems.append(f"Line {line}: {happened_on:%Y-%m-%d} is in the future.")
        cause = ""
        if values.get("cause"):
            cause = CAUSES_BY_NAME.get(values["cause"].lower(), "")
            if not cause:
                known = ", ".join(label.lower() for _, label in Escalation.Cause.choices)
                problems.append(f"Line {line}: “{values['cause']}” is not a cause ({known}).")
        from_team, to_team = values.get("from_team", ""), values.get("to_team", "")
        if bool(from_team) != bool(to_team):
            problems.append(f"Line {line}: name both teams, or neither.")
        elif from_team and from_team.lower() == to_team.lower():
            problems.append(f"Line {line}: a seam connects two different teams.")
        for team in (from_team, to_team):
            if team and (problem := team_name_problem(team)):
                problems.append(f"Line {line}: {problem}")
        misses.append(MissInput(summary[:300], happened_on, cause, from_team, to_team))
    if problems:
        raise MissesRefused(problems)
    return misses


def _parse_day(text: str) -> date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


TEAM_NAME_LENGTH = Team._meta.get_field("name").max_length


def team_name_problem(name: str) -> str:
    """What is wrong with a new team's name, for people; empty when nothing is."""
    shown = name if len(name) <= 40 else f"{name[:40]}…"
    if len(name) > TEAM_NAME_LENGTH:
        return f"The team name “{shown}” is longer than {TEAM_NAME_LENGTH} characters."
    if not any(character.isalpha() for character in name):
        return f"The team name “{shown}” needs at least one letter."
    return ""


def readable_team_name(name: str) -> str:
    """A team name as typed in a hurry, made readable: spaces trimmed and collapsed, and an
    all-lower-case name title-cased ("  sales   ops" → "Sales Ops"). A name with capitals
    already ("DevOps", "IT") is left as written."""
    name = " ".join(name.split())
    if name == name.lower():
        name = " ".join(word[:1].upper() + word[1:] for word in name.split(" "))
    return name
