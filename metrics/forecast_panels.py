"""The forecast on the initiative's page (a slot of the contracts page, common/panels.py): the
chance that every open dependency lands by its needed-by date, the histogram of the latest
delivery date, the dependencies worst first, the seam that adds most risk, and, for each
dependency below an even chance, the assumption that connects the two teams' commitments (or
an offer to record one)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from common.panels import Panel
from contracts.models import Assumption, Initiative
from decisions.models import Dependency
from metrics.forecast import OPEN as OPEN_STATUSES
from metrics.forecast import DependencyForecast, Forecast, forecast_initiative, open_on
from metrics.forecast_chart import latest_delivery_chart
from seams import permissions

# Below an even chance, a dependency asks for the assumption behind it.
WEAK = 0.5


def percent(chance: float | None) -> str:
    """A chance as a whole percentage that never rounds to certainty it doesn't have."""
    if chance is None:
        return "—"
    value = round(100 * chance)
    if value == 100 and chance < 1:
        return "99 %"
    if value == 0 and chance > 0:
        return "<1 %"
    return f"{value} %"


@dataclass
class Row:
    item: DependencyForecast
    assumption: Assumption | None = None
    record_url: str = ""  # where to record the connecting assumption, when there is none
    missing_commitments: str = ""  # why no assumption can be recorded yet
    can_unlink: bool = False

    @property
    def percent(self) -> str:
        return percent(self.item.chance_on_time)

    @property
    def look(self) -> str:
        return look(self.item.chance_on_time)


def look(chance: float | None) -> str:
    """The RAG look of a chance of being on time (design README: red below even odds)."""
    if chance is None:
        return "nodata"
    if chance >= 0.85:
        return "green"
    return "amber" if chance >= WEAK else "red"


def worst_first(forecast: Forecast) -> list[DependencyForecast]:
    """Lowest chance first; beyond history (no chance) last; then by needed-by date."""
    return sorted(
        forecast.dependencies,
        key=lambda f: (
            f.chance_on_time is None,
            f.chance_on_time or 0,
            f.dependency.needed_by,
            f.dependency.pk,
        ),
    )


def initiative_forecast_panel(request: HttpRequest) -> Panel | None:
    match = request.resolver_match
    slug = match.kwargs.get("slug") if match else None
    initiative = Initiative.objects.filter(slug=slug).first()
    if initiative is None:
        return None
    forecast = forecast_initiative(initiative=initiative)
    rows = _rows(initiative, worst_first(forecast))
    user = request.user
    for row in rows:
        row.can_unlink = permissions.can_log_at(user, *row.item.dependency.places)
    return Panel(
        "metrics/initiative_forecast.html",
        {
            "forecast": forecast,
            "rows": rows,
            "linkable": linkable(user) if permissions.can_log_somewhere(user) else [],
            "here": request.get_full_path(),
            "chance_look": look(forecast.chance_all_on_time),
            "chance": percent(forecast.chance_all_on_time),
            "gain_points": round(100 * forecast.riskiest_seam.gain)
            if forecast.riskiest_seam
            else None,
            "chart": latest_delivery_chart(
                forecast.histogram, initiative.target_date, forecast.draws
            ),
        },
    )


# The link form offers at most this many open dependencies, soonest needed first.
LINKABLE = 200


def linkable(user) -> list[Dependency]:
    """Open dependencies no initiative counts yet, that `user` may change."""
    candidates = (
        Dependency.objects.filter(initiative__isnull=True, status__in=OPEN_STATUSES)
        .select_related("provider", "consumer", "seam")
        .order_by("needed_by", "pk")[:LINKABLE]
    )
    return [d for d in candidates if permissions.can_log_at(user, *d.places)]


def _rows(initiative: Initiative, items: list[DependencyForecast]) -> list[Row]:
    weak = [f for f in items if f.chance_on_time is not None and f.chance_on_time < WEAK]
    if not weak:
        return [Row(item) for item in items]
    weak_ids = {id(f) for f in weak}
    commitments = {c.team_id: c for c in initiative.commitments.select_related("team")}
    assumptions = list(
        initiative.assumptions.select_related("owner", "from_commitment", "to_commitment")
    )
    rows = []
    for item in items:
        row = Row(item)
        if id(item) in weak_ids:
            _connect(row, initiative, commitments, assumptions)
        rows.append(row)
    return rows


def _connect(row: Row, initiative: Initiative, commitments: dict, assumptions: list) -> None:
    """The assumption by which the consumer's commitment relies on the provider's."""
    dependency = row.item.dependency
    pair = (dependency.consumer_id, dependency.provider_id)
    for wanted in (pair, pair[::-1]):
        for assumption in assumptions:
            teams = (assumption.from_commitment.team_id, assumption.to_commitment.team_id)
            if teams == wanted:
                row.assumption = assumption
                return
    relying, relied_on = commitments.get(pair[0]), commitments.get(pair[1])
    if relying is None or relied_on is None:
        missing = [
            team.name
            for team, commitment in (
                (dependency.consumer, relying),
                (dependency.provider, relied_on),
            )
            if commitment is None
        ]
        row.missing_commitments = " and ".join(missing)
        return
    query = urlencode(
        {
            "assume_from": relying.pk,
            "assume_to": relied_on.pk,
            "assume_statement": f"{dependency.provider.name} delivers “{dependency.title}” "
            f"by {dependency.needed_by:%-d %b %Y}",
        }
    )
    row.record_url = f"{reverse('contracts:initiative', args=[initiative.slug])}?{query}"


# --- On the review: a line per initiative in scope --------------------------------------------

# The review names this many initiatives at most, worst first; the rest are counted.
REVIEW_LINES = 5


@dataclass
class InitiativeLine:
    initiative: Initiative
    forecast: Forecast

    @property
    def percent(self) -> str:
        return percent(self.forecast.chance_all_on_time)

    @property
    def look(self) -> str:
        return look(self.forecast.chance_all_on_time)


def review_lines(*, seams, day) -> tuple[list[InitiativeLine], int]:
    """The initiatives with a dependency open on `day` at one of `seams` (a queryset; None:
    any seam or none), forecast as of `day`, worst chance first; and how many more there are.
    """
    open_on_day = open_on(day)
    if seams is not None:
        open_on_day = open_on_day.filter(seam__in=seams)
    initiatives = list(
        Initiative.objects.filter(
            pk__in=open_on_day.filter(initiative__isnull=False).values("initiative")
        ).order_by("name")
    )
    lines = [
        InitiativeLine(i, forecast_initiative(initiative=i, today=day))
        for i in initiatives[: REVIEW_LINES * 2]
    ]
    lines.sort(
        key=lambda line: (
            line.forecast.chance_all_on_time is None,
            line.forecast.chance_all_on_time or 0,
        )
    )
    return lines[:REVIEW_LINES], max(len(initiatives) - REVIEW_LINES, 0)
