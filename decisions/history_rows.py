"""One row of a history CSV (decisions, escalations, dependencies): its checks and its write.

Each kind has its columns (README, "History from other tools"), a `check` that turns the row's
text into clean values or says, per column, what is wrong, a natural key that makes importing
the same file twice add nothing, and a `write` that goes through the same services as the
pages and the API, with the row's times. People are named by email, seams, contracts and
teams by slug; times are ISO 8601 (naive ones in the organisation's time zone), dates
YYYY-MM-DD; an empty cell is "not yet" (or the default the column names).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date

from contracts.models import Contract
from decisions.history import check_day, start_of_day
from decisions.models import Decision, Dependency, Escalation
from decisions.services import (
    decide,
    find_decision_right,
    log_decision,
    move_dependency,
    reopen,
    resolve_escalation,
    withdraw,
)
from seams import permissions
from seams.ingest import parse_time
from seams.models import Seam, Team, User

COLUMNS = {
    "decisions": [
        "seam",
        "contract",
        "question",
        "decision_type",
        "requested_by",
        "requested_at",
        "decider",
        "decided_at",
        "outcome",
        "rationale",
        "reopened_at",
        "decided_again_at",
        "withdrawn_at",
    ],
    "escalations": [
        "seam",
        "summary",
        "severity",
        "cause",
        "raised_by",
        "raised_at",
        "resolved_at",
        "resolution",
        "root_cause",
    ],
    "dependencies": [
        "title",
        "consumer",
        "provider",
        "seam",
        "owner",
        "needed_by",
        "committed_date",
        "status",
        "created_at",
        "delivered_at",
    ],
}
TEXT_LIMITS = {"question": 300, "decision_type": 80, "summary": 300, "title": 200}
LONG_TEXT = 4000  # outcome, rationale, resolution, root cause
IMPORTED = "Imported from another tool."


class Lookups:
    """Seams, contracts, teams and people named in the file, each read once."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], object] = {}

    def _get(self, kind: str, key: str, load: Callable[[str], object]):
        if (kind, key) not in self._found:
            self._found[kind, key] = load(key)
        return self._found[kind, key]

    def seam(self, slug: str) -> Seam | None:
        load = Seam.objects.select_related("calendar", "from_team", "to_team").filter
        return self._get("seam", slug, lambda s: load(slug=s).first())

    def contract(self, slug: str) -> Contract | None:
        return self._get("contract", slug, lambda s: Contract.objects.filter(slug=s).first())

    def team(self, slug: str) -> Team | None:
        return self._get("team", slug, lambda s: Team.objects.filter(slug=s).first())

    def person(self, email: str) -> User | None:
        active = User.objects.filter(is_active=True)
        return self._get("person", email.lower(), lambda e: active.filter(email__iexact=e).first())


class Row:
    """One row's cells, and what is wrong with them so far (column → message)."""

    def __init__(self, raw: dict[str, str], lookups: Lookups) -> None:
        self.raw, self.lookups = raw, lookups
        self.errors: dict[str, str] = {}

    def cell(self, name: str) -> str:
        return (self.raw.get(name) or "").strip()

    def text(self, name: str, *, required: bool = False, limit: int = LONG_TEXT) -> str:
        value = self.cell(name)
        if required and not value:
            self.errors[name] = "It is missing."
        elif "\x00" in value:
            self.errors[name] = "It contains a NUL character."
        elif len(value) > limit:
            self.errors[name] = f"Longer than {limit} characters."
        return value

    def moment(self, name: str, *, required: bool = False) -> datetime | None:
        value = self.cell(name)
        moment, problem = parse_time(value)
        if problem:
            self.errors[name] = problem
        elif moment is None and required:
            self.errors[name] = "It is missing."
        return moment

    def day(self, name: str, *, required: bool = False, past: bool = False) -> date | None:
        value = self.cell(name)
        if not value:
            if required:
                self.errors[name] = "It is missing."
            return None
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            self.errors[name] = f"“{value}” is not a date (2026-11-20)."
        elif day.year < 2000:
            self.errors[name] = f"“{value}” is before 2000."
        elif past and day > timezone.localdate():
            self.errors[name] = f"“{value}” is in the future."
        return day

    def named(self, name: str, kind: str, *, required: bool = False):
        value = self.cell(name)
        if not value:
            if required:
                self.errors[name] = "It is missing."
            return None
        found = getattr(self.lookups, kind)(value)
        if found is None:
            what = {"person": "active person with the email", "team": "team"}.get(kind, kind)
            self.errors[name] = f"No {what} “{value}”."
        return found

    def choice(self, name: str, choices, *, default: str = "") -> str:
        value = self.cell(name).lower() or default
        if value not in choices.values:
            self.errors[name] = f"“{self.cell(name)}” is not one of: {', '.join(choices.values)}."
        return value

    def order(self, later: str, earlier: str, what: str) -> None:
        """`later` must not be before `earlier` (both clean by now, or skipped)."""
        first, then = self.clean.get(earlier), self.clean.get(later)
        if first is not None and then is not None and then < first and later not in self.errors:
            self.errors[later] = f"It is before {what}."

    clean: dict


@dataclass
class Kind:
    check: Callable[[Row], dict]
    key: Callable[[dict], tuple]
    exists: Callable[[dict], bool]
    write: Callable[[dict, User], None]
    noun: str
    key_columns: tuple[str, ...]


# --- Decisions -------------------------------------------------------------------------------


def check_decision(row: Row) -> dict:
    row.clean = clean = {
        "seam": row.named("seam", "seam", required=True),
        "contract": row.named("contract", "contract"),
        "question": row.text("question", required=True, limit=TEXT_LIMITS["question"]),
        "decision_type": row.text(
            "decision_type", required=True, limit=TEXT_LIMITS["decision_type"]
        ),
        "requested_by": row.named("requested_by", "person", required=True),
        "requested_at": row.moment("requested_at", required=True),
        "decider": row.named("decider", "person"),
        "decided_at": row.moment("decided_at"),
        "outcome": row.text("outcome"),
        "rationale": row.text("rationale"),
        "reopened_at": row.moment("reopened_at"),
        "decided_again_at": row.moment("decided_again_at"),
        "withdrawn_at": row.moment("withdrawn_at"),
    }
    row.order("decided_at", "requested_at", "it was asked (requested_at)")
    row.order("reopened_at", "decided_at", "it was decided (decided_at)")
    row.order("decided_again_at", "reopened_at", "it was reopened (reopened_at)")
    decided, reopened, again = (clean[n] for n in ("decided_at", "reopened_at", "decided_again_at"))
    if reopened and not decided and "decided_at" not in row.errors:
        row.errors["reopened_at"] = "Only a decided decision is reopened: give decided_at."
    if again and not reopened and "reopened_at" not in row.errors:
        row.errors["decided_again_at"] = "It is decided again only after a reopen."
    if (decided or again) and not clean["outcome"] and "outcome" not in row.errors:
        row.errors["outcome"] = "Say what was decided."
    if clean["withdrawn_at"]:
        if again or (decided and not reopened):
            row.errors["withdrawn_at"] = "A decided decision isn't withdrawn."
        else:
            last = "reopened_at" if reopened else "requested_at"
            row.order("withdrawn_at", last, f"its last step ({last})")
    return clean


def decision_key(clean: dict) -> tuple:
    return (clean["seam"].pk, clean["question"], clean["requested_at"])


def decision_exists(clean: dict) -> bool:
    seam, question, asked = decision_key(clean)
    return Decision.objects.filter(seam_id=seam, question=question, requested_at=asked).exists()


def write_decision(clean: dict, by: User) -> None:
    seam, decider = clean["seam"], clean["decider"]
    right = find_decision_right(seam=seam, decision_type=clean["decision_type"])
    problem = permissions.named_person_error(decider, seam) if decider and not right else ""
    if problem:
        raise ValueError(f"decider: {problem}")
    decision = log_decision(
        question=clean["question"],
        decision_type=clean["decision_type"],
        seam=seam,
        contract=clean["contract"],
        requested_by=clean["requested_by"],
        decider=decider,
        requested_at=clean["requested_at"],
    )
    outcome, rationale = clean["outcome"], clean["rationale"]
    if clean["decided_at"]:
        first = outcome if not clean["decided_again_at"] else f"{IMPORTED} Decided before a reopen."
        decide(
            decision=decision,
            by=decision.decider,
            outcome=first,
            rationale=rationale,
            at=clean["decided_at"],
        )
    if clean["reopened_at"]:
        reopen(decision=decision, by=by, reason=IMPORTED, at=clean["reopened_at"])
    if clean["decided_again_at"]:
        decide(
            decision=decision,
            by=decision.decider,
            outcome=outcome,
            rationale=rationale,
            at=clean["decided_again_at"],
        )
    if clean["withdrawn_at"]:
        withdraw(decision=decision, by=by, reason=IMPORTED, at=clean["withdrawn_at"])


# --- Escalations -----------------------------------------------------------------------------


def check_escalation(row: Row) -> dict:
    row.clean = clean = {
        "seam": row.named("seam", "seam", required=True),
        "summary": row.text("summary", required=True, limit=TEXT_LIMITS["summary"]),
        "severity": row.choice("severity", Escalation.Severity, default="medium"),
        "cause": row.choice("cause", Escalation.Cause),
        "raised_by": row.named("raised_by", "person"),
        "raised_at": row.moment("raised_at", required=True),
        "resolved_at": row.moment("resolved_at"),
        "resolution": row.text("resolution"),
        "root_cause": row.text("root_cause"),
    }
    row.order("resolved_at", "raised_at", "it was raised (raised_at)")
    if clean["resolved_at"]:
        for name in ("resolution", "root_cause"):
            if not clean[name] and name not in row.errors:
                row.errors[name] = "A resolved escalation needs it."
    elif (clean["resolution"] or clean["root_cause"]) and "resolved_at" not in row.errors:
        row.errors["resolved_at"] = "Give when it was resolved."
    return clean


def escalation_key(clean: dict) -> tuple:
    return (clean["seam"].pk, clean["summary"], clean["raised_at"])


def escalation_exists(clean: dict) -> bool:
    seam, summary, raised = escalation_key(clean)
    return Escalation.objects.filter(seam_id=seam, summary=summary, raised_at=raised).exists()


def write_escalation(clean: dict, by: User) -> None:
    escalation = Escalation.objects.create(
        seam=clean["seam"],
        summary=clean["summary"],
        severity=clean["severity"],
        cause=clean["cause"],
        raised_by=clean["raised_by"] or by,
        raised_at=clean["raised_at"],
    )
    if clean["resolved_at"]:
        resolve_escalation(
            escalation=escalation,
            resolution=clean["resolution"],
            root_cause=clean["root_cause"],
            at=clean["resolved_at"],
        )


# --- Dependencies ----------------------------------------------------------------------------


def check_dependency(row: Row) -> dict:
    row.clean = clean = {
        "title": row.text("title", required=True, limit=TEXT_LIMITS["title"]),
        "consumer": row.named("consumer", "team", required=True),
        "provider": row.named("provider", "team", required=True),
        "seam": row.named("seam", "seam"),
        "owner": row.named("owner", "person", required=True),
        "needed_by": row.day("needed_by", required=True),
        "committed_date": row.day("committed_date"),
        "status": row.choice("status", Dependency.Status, default="requested"),
        "created_at": row.moment("created_at"),
        "delivered_at": row.day("delivered_at", past=True),
    }
    if clean["consumer"] and clean["consumer"] == clean["provider"]:
        row.errors["provider"] = "A dependency is between two different teams."
    delivered, created = clean["delivered_at"], clean["created_at"] or timezone.now()
    if clean["status"] == Dependency.Status.DELIVERED and not delivered:
        if "delivered_at" not in row.errors:
            row.errors["delivered_at"] = "A delivered dependency needs its delivery date."
    elif delivered and clean["status"] != Dependency.Status.DELIVERED:
        row.errors["delivered_at"] = "Only a delivered dependency has a delivery date."
    elif delivered and "delivered_at" not in row.errors and "created_at" not in row.errors:
        start = timezone.localdate(created)
        if delivered < start:
            row.errors["delivered_at"] = f"It is before it was logged (created_at, {start})."
    if clean["owner"] and clean["consumer"] and clean["provider"]:
        places = Dependency.places_of(clean["provider"], clean["consumer"], clean["seam"])
        if problem := permissions.named_person_error(clean["owner"], *places):
            row.errors["owner"] = problem
    return clean


def dependency_key(clean: dict) -> tuple:
    return (clean["consumer"].pk, clean["provider"].pk, clean["title"], clean["needed_by"])


def dependency_exists(clean: dict) -> bool:
    consumer, provider, title, needed = dependency_key(clean)
    return Dependency.objects.filter(
        Q(consumer_id=consumer, provider_id=provider, title=title, needed_by=needed)
    ).exists()


def write_dependency(clean: dict, by: User) -> None:
    dependency = Dependency.objects.create(
        title=clean["title"],
        consumer=clean["consumer"],
        provider=clean["provider"],
        seam=clean["seam"],
        owner=clean["owner"],
        needed_by=clean["needed_by"],
        committed_date=clean["committed_date"],
        created_at=clean["created_at"] or timezone.now(),
    )
    status = clean["status"]
    if status == Dependency.Status.REQUESTED:
        return
    delivered = clean["delivered_at"]
    if delivered is not None:
        check_day(delivered, not_before=timezone.localdate(dependency.created_at))
    # Where the other tool gave no time for the move, it is recorded when the card was logged.
    at = None if delivered else dependency.created_at
    if delivered and start_of_day(delivered) < dependency.created_at:
        at = dependency.created_at
    move_dependency(dependency=dependency, to_status=status, by=by, at=at, delivered_at=delivered)


# Each kind's natural key: a row whose key is already in Seamline was imported before.
KINDS = {
    "decisions": Kind(
        check_decision,
        decision_key,
        decision_exists,
        write_decision,
        "decision",
        ("seam", "question", "requested_at"),
    ),
    "escalations": Kind(
        check_escalation,
        escalation_key,
        escalation_exists,
        write_escalation,
        "escalation",
        ("seam", "summary", "raised_at"),
    ),
    "dependencies": Kind(
        check_dependency,
        dependency_key,
        dependency_exists,
        write_dependency,
        "dependency",
        ("consumer", "provider", "title", "needed_by"),
    ),
}
