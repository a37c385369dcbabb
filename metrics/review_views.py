"""The monthly seam review of a month: its page, its printed pack's stylesheet and its CSV."""

from datetime import datetime, time
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from common.export import csv_lines
from contracts import catalogue
from contracts.models import Contract
from decisions import agenda as agenda_lists
from decisions.views import escalation_pareto
from metrics import (
    dashboard,
    engine,
    forecast_panels,
    review_table,
    reviews,
    seam_map,
    signals,
)
from metrics.models import Review
from metrics.views import asked_month
from seams import permissions


def review_scope(request: HttpRequest):
    """The month and contract a review page asks for, the contracts to pick from, and what
    was wrong with the asking."""
    month, problem = asked_month(request.GET.get("month"))
    contracts = list(dashboard.contracts_in_force())
    slug = request.GET.get("contract", "")
    contract = next((c for c in contracts if c.slug == slug), None)
    if slug and contract is None:
        problem = problem or f"No contract in force is called “{slug}”; showing all seams."
    return month, contract, contracts, problem


@login_required
@require_GET
def review_dashboard(request: HttpRequest) -> HttpResponse:
    """The monthly seam review: seams worst first with their targeted metrics, the agenda,
    the seam map, whether the last review's actions moved anything, and the escalation
    Pareto. `?pack=1` is the review pack: every seam on one page, for printing."""
    month, contract, contracts, problem = review_scope(request)
    segment = request.GET.get("status", "")
    if segment not in dashboard.SEGMENTS:
        problem = problem or f"“{segment}” is not a status to filter by; showing every seam."
        segment = ""
    pack = request.GET.get("pack") == "1"
    pair = (request.GET.get("from", ""), request.GET.get("to", ""))
    review = dashboard.build(
        month,
        contract,
        segment=segment,
        pair=pair if all(pair) else None,
        page=None if pack else request.GET.get("page") or 1,
    )
    query = {"month": f"{month:%Y-%m}", **({"contract": contract.slug} if contract else {})}
    context = {
        **_review_page(review, month, contract, query=query, segment=segment),
        **_meeting_and_follow_up(request, review, month, contract),
        "contracts": contracts,
        "problem": problem,
        "pack": pack,
    }
    return render(request, "metrics/review.html", context, status=400 if problem else 200)


def _review_page(
    review: dashboard.Review, month, contract: Contract | None, *, query: dict, segment: str
) -> dict:
    """The review's own parts: the month's tiles, the table, the phone's summary, the map."""
    scope_query = urlencode(query)
    icons = static("img/icons.svg")  # once, not once per tile
    return {
        "review": review,
        "month": month,
        "next": engine.next_month(month) if month < engine.current_month() else None,
        "current": engine.current_month(),
        "tiles": [catalogue.BY_NAME[m].label for m in dashboard.TILES],
        "direction": dashboard.direction_text(dashboard.TILES),
        "icons": icons,
        "table_rows": review_table.render(
            review.shown,
            icons=icons,
            previous=f"{review.previous:%b}",
            drift=_drift(review.shown, month) if review.computed else None,
        ),
        "phone_more": review_table.more_summary(review.shown[review_table.PHONE_HEAD :]),
        "scope_query": scope_query,
        "segment_query": urlencode(
            {**query, **({"status": segment} if segment else {}), **_pair_query(review)}
        ),
        "seam_map": seam_map.render(review.rows, scope_query),
    }


def _drift(rows: list[dashboard.Row], month) -> dict[int, str | None]:
    """Each shown seam's drift (contract vs reality) at the end of the month reviewed, or now
    while it runs: its queue p85 at that month end and the one before against its SLA."""
    end = timezone.make_aware(datetime.combine(engine.next_month(month), time()))
    found = signals.drift_for([row.seam.pk for row in rows], min(end, timezone.now()))
    return {seam_id: drift.status for seam_id, drift in found.items()}


def _meeting_and_follow_up(
    request: HttpRequest, review: dashboard.Review, month, contract: Contract | None
) -> dict:
    """What sits around the review: last review's actions, the escalation Pareto, and the
    meeting to start or continue."""
    last_day = engine.next_month(month) - timezone.timedelta(days=1)
    # A meeting reviews a full month: viewing the month still running, the button holds the
    # month under review.
    meeting_month = engine.month_under_review() if review.provisional else month
    scope_seams = agenda_lists.seams_of(contract) if contract else None
    return {
        "follow": dashboard.follow_up(month, contract),
        "today": timezone.localdate(),
        "pareto": escalation_pareto(month, last_day, scope_seams),
        "month_end": last_day,
        "can_hold": reviews.can_hold_reviews(request.user),
        "meeting_month": meeting_month,
        "meeting": Review.objects.filter(month=meeting_month, contract=contract).first(),
        "can_recompute": permissions.can_trigger_recompute(request.user),
        "now": timezone.now(),
        **_initiatives(month, last_day, scope_seams),
    }


def _initiatives(month, last_day, scope_seams) -> dict:
    """A line per initiative waiting on the scope's seams: its chance of landing on time as
    of the month's end (today while the month runs) and the seam adding most risk."""
    lines, more = forecast_panels.review_lines(
        seams=scope_seams, day=min(last_day, timezone.localdate())
    )
    return {"initiative_lines": lines, "more_initiatives": more}


@login_required
@require_GET
def review_pack_style(request: HttpRequest) -> HttpResponse:
    """The printed pack names its scope and month in the header and footer of every page. Page
    margin boxes take only CSS strings and the policy allows no inline style, so this small
    print stylesheet carries them."""
    month, contract, _contracts, _problem = review_scope(request)
    scope = f"{contract.title if contract else 'All seams'} · {date_format(month, 'F Y')}"
    header = review_table.css_string(scope)
    footer = review_table.css_string(f"Seamline · {scope} review pack · confidential")
    css = (
        "@page pack {\n"
        f"  @top-right {{ content: {header}; }}\n"
        f"  @bottom-left {{ content: {footer}; }}\n"
        "}\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def _pair_query(review: dashboard.Review) -> dict:
    return {"from": review.pair[0], "to": review.pair[1]} if review.pair else {}


@login_required
@require_GET
def review_export(request: HttpRequest) -> HttpResponse:
    """The month's review as CSV: one line per seam in scope, worst first, with each tile's
    value, target, status and change since last month, and the why."""
    month, contract, _contracts, problem = review_scope(request)
    if problem:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    review = dashboard.build(month, contract)
    header = ["seam", "from_team", "to_team", "owner", "status", "last_month_status"]
    for metric in dashboard.TILES:
        header += [metric, f"{metric}_target", f"{metric}_status", f"{metric}_change"]
    header.append("why")
    rows = (
        [
            row.seam.slug,
            row.seam.from_team.slug,
            row.seam.to_team.slug,
            row.owner,
            row.status,
            row.last_status or "",
            *(
                value
                for tile in row.tiles
                for value in (
                    tile.value,
                    tile.target.target if tile.target else None,
                    tile.status,
                    tile.delta,
                )
            ),
            row.why,
        ]
        for row in review.rows
    )
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    scope = contract.slug if contract else "all-seams"
    response["Content-Disposition"] = (
        f'attachment; filename="seam-review-{month:%Y-%m}-{scope}.csv"'
    )
    return response
