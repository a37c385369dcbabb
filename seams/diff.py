"""Side-by-side differences between two versions of a spec's content.

Pure functions over {field: value} dicts (see SpecContent.content()); templates render the
segments, so no HTML is built here.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

FIELD_LABELS = {
    "owner": "Owner",
    "definition_of_ready": "Definition of ready",
    "definition_of_done": "Definition of done",
    "response_sla_hours": "Response SLA",
    "completion_sla_hours": "Completion SLA",
    "escalate_to": "Escalate to",
    "escalate_after_hours": "Escalate after",
    "forum": "Forum",
    "notes": "Notes",
}
TEXT_FIELDS = {"definition_of_done", "notes", "forum"}
CHECKLIST_FIELDS = {"definition_of_ready"}


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "delete" (old side) or "insert" (new side)
    text: str


@dataclass
class FieldDiff:
    field: str
    label: str
    changed: bool
    kind: str  # "text", "checklist" or "value"
    old: list[Segment] = field(default_factory=list)
    new: list[Segment] = field(default_factory=list)


def display(field_name: str, value) -> str:
    """A value as people read it: names for people, '16 h' for hours, '—' for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if field_name.endswith("hours"):
        return f"{_plain_number(value)} h"
    if hasattr(value, "display_name"):
        return value.display_name
    return str(value)


def _plain_number(value) -> str:
    number = Decimal(value).normalize()
    return f"{number:f}"


def _words(text: str) -> list[str]:
    return re.findall(r"\S+|\s+", text or "")


# Below this share of common words, two texts are shown as one replaced by the other: a
# word-by-word diff of unrelated sentences only highlights stray "the"s.
SIMILAR_ENOUGH = 0.5


def _side_by_side(
    old: list[str], new: list[str], *, whole_below: float = 0.0
) -> tuple[list[Segment], list[Segment]]:
    matcher = SequenceMatcher(a=old, b=new, autojunk=False)
    if old and new and matcher.ratio() < whole_below:
        return [Segment("delete", t) for t in old], [Segment("insert", t) for t in new]
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left += [Segment("equal", t) for t in old[i1:i2]]
            right += [Segment("equal", t) for t in new[j1:j2]]
        else:
            left += [Segment("delete", t) for t in old[i1:i2]]
            right += [Segment("insert", t) for t in new[j1:j2]]
    return left, right


def _merge_runs(segments: list[Segment]) -> list[Segment]:
    """Join neighbouring words of the same kind, so a changed phrase is one highlight.

    White space between two changed words belongs to the change: "seam sync" → "stand-up"
    reads as one replaced phrase, not two.
    """
    segments = [
        Segment(segments[i - 1].op, seg.text)
        if seg.op == "equal"
        and seg.text.isspace()
        and 0 < i < len(segments) - 1
        and segments[i - 1].op == segments[i + 1].op != "equal"
        else seg
        for i, seg in enumerate(segments)
    ]
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].op == segment.op:
            merged[-1] = Segment(segment.op, merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return merged


def diff_field(field_name: str, old_value, new_value) -> FieldDiff:
    label = FIELD_LABELS[field_name]
    changed = _comparable(old_value) != _comparable(new_value)
    if field_name in CHECKLIST_FIELDS:
        left, right = _side_by_side(list(old_value or []), list(new_value or []))
        return FieldDiff(field_name, label, changed, "checklist", left, right)
    if field_name in TEXT_FIELDS:
        left, right = _side_by_side(
            _words(old_value), _words(new_value), whole_below=SIMILAR_ENOUGH
        )
        return FieldDiff(field_name, label, changed, "text", _merge_runs(left), _merge_runs(right))
    old_text, new_text = display(field_name, old_value), display(field_name, new_value)
    op_old, op_new = ("delete", "insert") if changed else ("equal", "equal")
    if old_value in (None, ""):
        op_old = "equal"  # nothing was there: there is nothing to strike out
    return FieldDiff(
        field_name,
        label,
        changed,
        "value",
        [Segment(op_old, old_text)],
        [Segment(op_new, new_text)],
    )


def _comparable(value):
    if hasattr(value, "pk"):
        return ("person", value.pk)
    if isinstance(value, Decimal | int | float):
        return Decimal(value)
    if value in (None, "", []):
        return None
    return value


def diff_contents(old: dict, new: dict) -> list[FieldDiff]:
    """One FieldDiff per spec field, in the spec's order."""
    return [diff_field(name, old.get(name), new.get(name)) for name in FIELD_LABELS]


def changed_fields(old: dict, new: dict) -> list[str]:
    return [d.label for d in diff_contents(old, new) if d.changed]
