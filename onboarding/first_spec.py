"""Step 3 of the guided start, the first spec: the template from the library that fits the
highest-friction seam best, and the spec form filled in from it."""

import re
from dataclasses import dataclass

from contracts.models import SpecTemplate
from onboarding.guide import Step
from onboarding.models import GuidedStart
from seams.models import Seam, User

# Words too common in seam and template names to say anything about the match.
_STOP_WORDS = """
and the for from with are its before after into team teams seam seams request requests work
needs asks ask
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())  # (words under three letters never count)


def _words(text: str) -> set[str]:
    """The telling words of a text, lower-cased, a plural s dropped ("reviews" → "review")."""
    words = set()
    for word in re.findall(r"[a-z0-9]+", text.casefold()):
        if len(word) < 3 or word in STOP_WORDS:
            continue
        words.add(word[:-1] if len(word) > 4 and word.endswith("s") else word)
    return words


@dataclass(frozen=True)
class TemplateMatch:
    template: SpecTemplate
    score: int
    words: tuple[str, ...]  # the seam's words the template shares, for the page to name


# How a template scores against a seam: the receiving team named in the template's name or
# description counts most (the template is about the work that team does), then the sending
# team, then each other word the seam's name and description share with the template's.
RECEIVER_POINTS = 3
SENDER_POINTS = 2
WORD_POINTS = 1


def match_score(seam: Seam, template: SpecTemplate) -> TemplateMatch:
    """How well a template fits a seam (see the points above); 0 is no match at all."""
    text = _words(f"{template.name} {template.description}")
    receiver, sender = _words(seam.to_team.name), _words(seam.from_team.name)
    shared = _words(f"{seam.name} {seam.description}") & text
    score = (
        RECEIVER_POINTS * bool(receiver & text)
        + SENDER_POINTS * bool(sender & text)
        + WORD_POINTS * len(shared - receiver - sender)
    )
    words = sorted((receiver | sender | shared) & text)
    return TemplateMatch(template, score, tuple(words))


def best_template(seam: Seam, templates: list[SpecTemplate]) -> TemplateMatch | None:
    """The template that fits the seam best: highest score, then library order; the blank
    template when nothing matches (None when the library has none)."""
    scored = [match_score(seam, t) for t in templates if t.slug != BLANK_TEMPLATE]
    best = max(scored, key=lambda m: m.score, default=None)  # max keeps the first of a tie
    if best is not None and best.score > 0:
        return best
    blank = next((t for t in templates if t.slug == BLANK_TEMPLATE), None)
    return TemplateMatch(blank, 0, ()) if blank else None


BLANK_TEMPLATE = "blank"


def spec_initial(seam: Seam, template: SpecTemplate | None, by: User) -> dict:
    """What the spec form starts with: the spec as it is, filled in from the template where
    the spec is still empty, and the leader as owner until someone else is named."""
    spec = seam.spec
    initial = {"owner": spec.owner or by, "escalate_to": spec.escalate_to or by}
    if template is not None:
        for name, value in template.spec_content().items():
            if value in (None, "", []):
                continue
            if getattr(spec, name) in (None, "", []) or spec.version == 0:
                initial[name] = value
        initial["note"] = f"First version, from the “{template.name}” template"
    return initial


def record_spec(*, guide: GuidedStart, seam: Seam, template: SpecTemplate | None, by: User):
    guide.top_seam = seam
    guide.template = template
    guide.save(update_fields=["top_seam", "template"])
    guide.advance(Step.SPEC, by=by)
