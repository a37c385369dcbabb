"""The guided start: a leadership team's first sitting, from ten recent misses to a piloted
Team Execution Contract, in the five steps of the method.

1. Find the seams: recent misses, each tagged to a seam; the few seams that explain most.
2. Set the decision cadence: the decisions to make and constraints to remove at them.
3. Write the one-page spec of the highest-friction seam, from a template.
4. Connect the data, so queue time at that seam is measured.
5. Choose three metrics to review monthly; finishing pilots the contract for 30 days.

Everything a step writes is ordinary data (teams, seams, escalations, decisions, constraints,
the spec, a webhook source, the contract), so it stays editable on the usual pages; the
`GuidedStart` row only remembers where the leaders are and what they chose.
"""

import csv
import io
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date

from common.slugs import free_slug
from contracts import catalogue
from contracts.models import Contract, MetricTarget, SpecTemplate
from contracts.services import cover_seam, transition_contract
from decisions.models import Constraint, Decision, Escalation
from decisions.pareto import ParetoBar, pareto
from decisions.services import log_decision
from metrics.models import GuidedStart, Miss
from seams import handoff_rules, webhooks
from seams.models import Calendar, Seam, Team, User, WebhookSource
from seams.services import create_seam

Step = GuidedStart.Step

# The share of the misses the preselected seams must explain together.
PARETO_THRESHOLD = 70.0
MAX_MISSES = 100  # per paste: "ten recent misses", with room to spare
METRICS_TO_CHOOSE = 3


@dataclass(frozen=True)
class StepInfo:
    key: str
    number: int
    title: str
    sentence: str
    url_name: str


STEPS = [
    StepInfo(
        Step.SEAMS,
        1,
        "Find your seams",
        "Pull ten recent misses or escalations and tag each to the seam it happened at: two "
        "or three seams usually explain most of the pain.",
        "metrics:guide-seams",
    ),
    StepInfo(
        Step.CADENCE,
        2,
        "Set the decision cadence",
        "List the decisions to make and the constraints to remove at those seams: that is your "
        "first agenda.",
        "metrics:guide-cadence",
    ),
    StepInfo(
        Step.SPEC,
        3,
        "Write the spec",
        "Write a one-page handoff spec for the highest-friction seam, from a template, and "
        "pilot it for 30 days.",
        "metrics:guide-spec",
    ),
    StepInfo(
        Step.DATA,
        4,
        "Measure queue time",
        "Choose how handoffs at that seam reach Seamline (a CSV file, the Jira webhook, or by "
        "hand), so queue time is measured from day one.",
        "metrics:guide-data",
    ),
    StepInfo(
        Step.METRICS,
        5,
        "Review three metrics monthly",
        "Pick three seam metrics with targets and the day of the month you review them; "
        "finishing starts the 30-day pilot.",
        "metrics:guide-metrics",
    ),
]
BY_KEY = {step.key: step for step in STEPS}


def current() -> GuidedStart | None:
    """The organisation's guided start, if one was begun."""
    return GuidedStart.objects.first()


def begin(*, by: User) -> GuidedStart:
    """The guided start, begun by `by` if nobody has yet."""
    with transaction.atomic():
        guide = current()
        if guide is None:
            guide = GuidedStart.objects.create(started_by=by, updated_by=by)
    return guide


def is_needed() -> bool:
    """Leaders land on "Start here" while the organisation has no contract."""
    return not Contract.objects.exists()


def step_url(step: str) -> str:
    return reverse(BY_KEY[step].url_name) if step in BY_KEY else reverse("metrics:guide")


# --- Step 1: find the seams ---------------------------------------------------------------


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


@transaction.atomic
def add_misses(*, guide: GuidedStart, misses: list[MissInput], by: User) -> list[Miss]:
    """Add pasted misses; those that name their teams are tagged at once."""
    last = guide.misses.order_by("-position").values_list("position", flat=True).first() or 0
    added = []
    for offset, item in enumerate(misses, start=1):
        miss = Miss.objects.create(
            guided_start=guide,
            summary=item.summary,
            happened_on=item.happened_on,
            cause=item.cause,
            position=last + offset,
        )
        if item.from_team:
            tag_miss(miss=miss, from_team=item.from_team, to_team=item.to_team, by=by)
        added.append(miss)
    guide.touch(by=by)
    return added


class StepRefused(ValueError):
    """A step's write that can't be made: the message says why."""


@transaction.atomic
def tag_miss(
    *,
    miss: Miss,
    by: User,
    seam: Seam | None = None,
    from_team: str = "",
    to_team: str = "",
    cause: str | None = None,
) -> Miss:
    """Tag a miss to a seam, given or found between two teams (made on the spot if new), and
    keep its escalation on that seam."""
    if seam is None:
        seam = seam_between(from_team=from_team, to_team=to_team, by=by)
    if cause:  # a cause picked when tagging; none picked keeps the miss's own
        miss.cause = cause
    miss.seam = seam
    raised_at = _raised_at(miss.happened_on)
    escalation = miss.escalation
    if escalation is None:
        escalation = Escalation.objects.create(
            seam=seam,
            summary=miss.summary,
            cause=miss.cause or Escalation.Cause.OTHER,
            raised_by=by,
            raised_at=raised_at,
        )
    else:
        escalation.seam = seam
        escalation.cause = miss.cause or Escalation.Cause.OTHER
        escalation.save(update_fields=["seam", "cause"])
    miss.escalation = escalation
    miss.save(update_fields=["seam", "cause", "escalation"])
    return miss


def _raised_at(day: date | None) -> datetime:
    if day is None:
        return timezone.now()
    # A dated miss counts in its own day; noon keeps it there in any nearby time zone.
    return timezone.make_aware(datetime.combine(day, dt_time(12)))


def seam_between(*, from_team: str, to_team: str, by: User) -> Seam:
    """The seam from one team to another, by name; teams and seam are created when new."""
    from_team, to_team = readable_team_name(from_team), readable_team_name(to_team)
    if not from_team or not to_team:
        raise StepRefused(
            "Pick a seam, or name the team that sends the work and the one that receives it."
        )
    if from_team.lower() == to_team.lower():
        raise StepRefused("A seam connects two different teams.")
    sender, receiver = _team(from_team), _team(to_team)
    seam = (
        Seam.objects.filter(from_team=sender, to_team=receiver)
        .exclude(status=Seam.Status.RETIRED)
        .order_by("created_at", "pk")
        .first()
    )
    if seam is None:
        name = f"{sender.name} → {receiver.name}"[: Seam._meta.get_field("name").max_length]
        seam = Seam(
            name=name,
            slug=free_slug(Seam, name, fallback="seam"),
            from_team=sender,
            to_team=receiver,
            calendar=Calendar.objects.default_for_new_seams(),
            description="Found in the guided start.",
        )
        seam.full_clean()
        create_seam(seam=seam, owner=None, by=by, note="Found in the guided start")
    return seam


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


def _team(name: str) -> Team:
    name = readable_team_name(name)
    team = Team.objects.filter(name__iexact=name).first()
    if team is not None:
        return team
    if problem := team_name_problem(name):
        raise StepRefused(problem)
    team = Team(name=name)
    try:
        team.full_clean(exclude=["slug"])  # clean() derives it
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
        raise StepRefused(f"Team “{name}”: {' '.join(messages)}") from exc
    team.save()
    return team


@transaction.atomic
def remove_miss(*, miss: Miss, by: User) -> None:
    """Take a miss out, with the escalation it became."""
    escalation = miss.escalation
    miss.delete()
    if escalation is not None:
        escalation.delete()
    miss.guided_start.touch(by=by)


@dataclass(frozen=True)
class SeamShare:
    """One seam's bar in the live Pareto."""

    seam: Seam
    bar: ParetoBar

    @property
    def preselected(self) -> bool:
        return self.bar.vital


def seam_pareto(misses: list[Miss]) -> list[SeamShare]:
    """Seams by how many of the tagged misses they explain; the smallest set reaching 70 %
    together is marked (ties at the edge are broken by name, so the set is stable)."""
    counts: dict[int, int] = {}
    seams: dict[int, Seam] = {}
    for miss in misses:
        if miss.seam_id:
            counts[miss.seam_id] = counts.get(miss.seam_id, 0) + 1
            seams[miss.seam_id] = miss.seam
    # The bars link to each seam's page, and that address says which seam a bar is.
    by_url = {seams[pk].get_absolute_url(): seams[pk] for pk in counts}
    rows = [(seam.name, counts[seam.pk], url) for url, seam in by_url.items()]
    bars = pareto(rows, threshold=PARETO_THRESHOLD)
    return [SeamShare(by_url[bar.url], bar) for bar in bars]


@transaction.atomic
def choose_seams(*, guide: GuidedStart, seams: list[Seam], by: User) -> None:
    """The seams to work on, in Pareto order: the first is the highest-friction one."""
    if not seams:
        raise StepRefused("Choose at least one seam to work on.")
    guide.seams.set(seams)
    if guide.top_seam_id not in {seam.pk for seam in seams}:
        guide.top_seam = seams[0]
        guide.save(update_fields=["top_seam"])
    guide.advance(Step.SEAMS, by=by)


# --- Step 2: the decision cadence ---------------------------------------------------------


DEFAULT_DECISION_TYPE = "Seam operating decision"


@transaction.atomic
def add_decision(
    *, guide: GuidedStart, question: str, seam: Seam, decider: User, decision_type: str, by: User
) -> Decision:
    decision = log_decision(
        question=question,
        decision_type=decision_type or DEFAULT_DECISION_TYPE,
        seam=seam,
        requested_by=by,
        decider=decider,
    )
    guide.decisions.add(decision)
    guide.touch(by=by)
    return decision


@transaction.atomic
def add_constraint(
    *, guide: GuidedStart, description: str, seam: Seam, owner: User, by: User
) -> Constraint:
    constraint = Constraint(description=description, seam=seam, owner=owner)
    constraint.full_clean()
    constraint.save()
    guide.constraints.add(constraint)
    guide.touch(by=by)
    return constraint


def first_agenda(guide: GuidedStart) -> tuple[list[Decision], list[Constraint]]:
    """The decisions to make and the constraints to remove at the chosen seams."""
    seams = guide.seams.all()
    decisions = (
        Decision.objects.pending()
        .filter(seam__in=seams)
        .select_related("seam", "decider")
        .order_by("requested_at", "pk")
    )
    constraints = (
        Constraint.objects.in_place()
        .filter(seam__in=seams)
        .select_related("seam", "owner")
        .order_by("raised_at", "pk")
    )
    return list(decisions), list(constraints)


# --- Step 3: the spec ---------------------------------------------------------------------


def chosen_seams(guide: GuidedStart) -> list[Seam]:
    """The chosen seams, the highest-friction (most misses) first."""
    seams = list(guide.seams.select_related("from_team", "to_team", "spec"))
    counts: dict[int, int] = {}
    for seam_id in guide.misses.filter(seam__in=seams).values_list("seam_id", flat=True):
        counts[seam_id] = counts.get(seam_id, 0) + 1
    return sorted(seams, key=lambda s: (-counts.get(s.pk, 0), s.name.casefold(), s.pk))


def chosen_queryset(guide: GuidedStart) -> QuerySet[Seam]:
    """The chosen seams as a queryset for choice fields, in the same order."""
    order = [seam.pk for seam in chosen_seams(guide)]
    rank = Case(*[When(pk=pk, then=Value(n)) for n, pk in enumerate(order)], default=Value(0))
    return (
        Seam.objects.filter(pk__in=order)
        .select_related("from_team", "to_team")
        .order_by(rank, "name")
    )


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


# --- Step 4: connect the data -------------------------------------------------------------


def example_csv(seam: Seam) -> str:
    """A handoff CSV for the seam that imports as it is: the columns of DESIGN.md."""
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    rows = [
        ("EX-101", "First example request", "standard", now - timedelta(days=6), 3, 30, 0),
        ("EX-102", "Second example request", "expedited", now - timedelta(days=4), 1, 8, 1),
        (
            "EX-103",
            "Third example request, not started yet",
            "",
            now - timedelta(days=1),
            None,
            None,
            0,
        ),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(handoff_rules.CSV_COLUMNS)
    for external_id, title, kind, submitted, start_after, done_after, returned in rows:
        started = submitted + timedelta(hours=start_after) if start_after is not None else None
        completed = submitted + timedelta(hours=done_after) if done_after is not None else None
        writer.writerow(
            [
                seam.slug,
                external_id,
                title,
                kind,
                submitted.isoformat(timespec="minutes"),
                started.isoformat(timespec="minutes") if started else "",
                completed.isoformat(timespec="minutes") if completed else "",
                returned,
            ]
        )
    return out.getvalue()


@transaction.atomic
def choose_source(*, guide: GuidedStart, source: str, by: User) -> None:
    """How handoffs will arrive. The Jira choice makes the seam's webhook source (once)."""
    guide.data_source = source
    fields = ["data_source"]
    if source == GuidedStart.Source.JIRA and guide.webhook is None:
        guide.webhook = jira_source(guide.top_seam)
        fields.append("webhook")
    guide.touch(by=by, fields=fields)


def jira_source(seam: Seam) -> WebhookSource:
    """A Jira webhook source for the seam, with a fresh secret and the usual status names."""
    slug = free_slug(WebhookSource, f"jira-{seam.slug}", fallback="jira")
    return WebhookSource.objects.create(
        slug=slug,
        name=f"Jira: {seam.name}"[:120],
        kind=WebhookSource.Kind.JIRA,
        secret=secrets.token_urlsafe(32),
        seam=seam,
        started_statuses="In Progress",
        done_statuses="Done",
    )


@dataclass(frozen=True)
class DeliveryCheck:
    ok: bool
    message: str


def send_test_delivery(source: WebhookSource) -> DeliveryCheck:
    """Send a signed sample Jira event through the webhook, exactly as Jira's would arrive
    (signature, mapping, seam), and keep nothing: the delivery is rolled back."""
    started = (source.started_statuses.split(",")[0] or "In Progress").strip()
    key = f"SEAMLINE-TEST-{secrets.token_hex(3).upper()}"
    body = json.dumps(
        {
            "timestamp": int(time.time() * 1000),
            "webhookEvent": "jira:issue_updated",
            "issue": {
                "key": key,
                "fields": {
                    "summary": "Seamline test delivery",
                    "created": timezone.now().isoformat(),
                    "issuetype": {"name": "Test"},
                },
            },
            "changelog": {
                "items": [{"field": "status", "fromString": "To Do", "toString": started}]
            },
        }
    ).encode()
    stamp = str(int(time.time()))
    headers = {
        "X-Seamline-Timestamp": stamp,
        "X-Seamline-Signature": webhooks.signature(source.secret, stamp, body),
        "X-Seamline-Delivery": f"test-{key}",
    }
    try:
        with transaction.atomic():
            result = webhooks.receive(source, headers, body)
            transaction.set_rollback(True)
    except webhooks.WebhookRefused as refused:
        return DeliveryCheck(False, f"The test delivery was refused: {refused}")
    state = result.get("state", "")
    if state != "started":
        return DeliveryCheck(
            False,
            f"The delivery arrived, but “{started}” did not start the handoff (it is "
            f"{state or 'unknown'}). Check the status mapping.",
        )
    return DeliveryCheck(
        True,
        f"Signed test delivery accepted: issue {key} became a handoff on {source.seam.name} "
        f"and “{started}” started it. Nothing was kept.",
    )


def record_source(*, guide: GuidedStart, by: User) -> None:
    guide.advance(Step.DATA, by=by)


# --- Step 5: three metrics, and the pilot -------------------------------------------------


FALLBACK_TARGETS = [
    ("queue_time_p85_hours", None),
    ("sla_breach_rate", Decimal(10)),
    ("rework_rate", Decimal(15)),
]


def suggested_targets(guide: GuidedStart) -> list[tuple[str, Decimal | None]]:
    """Three (metric, target) pairs: the template's, following the spec's response SLA."""
    sla = guide.top_seam.spec.response_sla_hours if guide.top_seam else None
    template = guide.template or SpecTemplate.objects.filter(slug="blank").first()
    suggestions = template.targets_for(sla) if template else []
    if len(suggestions) < METRICS_TO_CHOOSE:
        taken = {metric for metric, _ in suggestions}
        for metric, target in FALLBACK_TARGETS:
            if metric not in taken and len(suggestions) < METRICS_TO_CHOOSE:
                suggestions.append((metric, sla if target is None else target))
    return suggestions[:METRICS_TO_CHOOSE]


@transaction.atomic
def finish(
    *,
    guide: GuidedStart,
    title: str,
    scope: str,
    review_day: int,
    targets: list[tuple[str, Decimal]],
    by: User,
    today: date | None = None,
) -> Contract:
    """Create the contract on the top seam with its three targets, move it to pilot and start
    the seam's 30-day pilot; the first monthly review is the contract's next review day."""
    today = today or timezone.localdate()
    # Two leaders finishing at once: the second waits here, then finds it finished.
    guide = GuidedStart.objects.select_for_update().get(pk=guide.pk)
    if guide.finished_at:
        raise StepRefused("The guided start is already finished.")
    seam = guide.top_seam
    if seam is None:
        raise StepRefused("Choose the seam to pilot first (step 3).")
    contract = Contract(title=title, scope=scope, leader=by, review_day=review_day)
    contract.full_clean(exclude=["slug"])  # clean() derives it
    contract.save()
    cover_seam(contract=contract, seam=seam)
    for metric, target in targets:
        MetricTarget.objects.create(
            contract=contract,
            seam=seam,
            metric=metric,
            target=target,
            direction=catalogue.BY_NAME[metric].better,
        )
    transition_contract(contract=contract, to_status=Contract.Status.PILOT, by=by)
    if seam.status != Seam.Status.PILOT:
        seam.start_pilot(today)
    guide.decisions.filter(contract__isnull=True).update(contract=contract)
    guide.contract = contract
    guide.first_review_on = contract.next_review(today)
    guide.finished_at = timezone.now()
    guide.step = Step.DONE
    guide.touch(by=by, fields=["contract", "first_review_on", "finished_at", "step"])
    contract.refresh_from_db()
    return contract
