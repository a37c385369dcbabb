from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from common import months
from common.paging import query_without_page
from contracts.models import Contract
from decisions import agenda as agenda_lists
from decisions import pareto
from decisions.forms import (
    BoardFilterForm,
    ConstraintForm,
    DecideForm,
    DecisionFilterForm,
    DependencyForm,
    EscalationForm,
    MoveForm,
    QuickDecisionForm,
    ReasonForm,
    ResolveForm,
    known_decision_types,
    seam_choices,
)
from decisions.models import (
    ON_TIME_Q,
    PENDING,
    Constraint,
    Decision,
    Dependency,
    Escalation,
    overdue_q,
)
from decisions.services import (
    DecisionRefused,
    EscalationRefused,
    decide,
    log_decision,
    move_dependency,
    reopen,
    resolve_escalation,
    withdraw,
)
from seams import permissions
from seams.templatetags.dates import short_date

PER_PAGE = 25
DONE_SHOWN_FOR = timedelta(days=30)


def _require_logger(request: HttpRequest) -> None:
    if not permissions.can_log_somewhere(request.user):
        raise PermissionDenied("Your role doesn't log decisions, escalations or dependencies.")


# --- Decision log -------------------------------------------------------------------------------


def _decision_log_context(
    request: HttpRequest,
    form: QuickDecisionForm | None = None,
    just_logged: Decision | None = None,
    confirmation: str = "",
):
    """The log's page. A decision `just_logged` leads the list (marked "Just logged") above the
    usual order, with the `confirmation` that says who decides it and by when."""
    now = timezone.now()
    filters = DecisionFilterForm(request.GET or None, auto_id="filter_%s")
    decisions = Decision.objects.with_related()
    if filters.is_valid():
        decisions = filters.apply(decisions, now)
    ordered = decisions.overdue_first(now).with_sla(now)
    if just_logged is not None:
        just_logged = ordered.filter(pk=just_logged.pk).first()
        if just_logged is not None:
            ordered = ordered.exclude(pk=just_logged.pk)
    page = Paginator(ordered, PER_PAGE).get_page(request.GET.get("page"))
    counts = Decision.objects.aggregate(
        all=Count("pk"),
        pending=Count("pk", filter=Q(status__in=PENDING)),
        overdue=Count("pk", filter=overdue_q(now)),
        reopened=Count("pk", filter=Q(status="reopened")),
        decided=Count("pk", filter=Q(status="decided")),
        withdrawn=Count("pk", filter=Q(status="withdrawn")),
    )
    return {
        "form": form or QuickDecisionForm(),
        "filters": filters,
        "page": page,
        "now": now,
        "counts": counts,
        "status": request.GET.get("status", ""),
        "query_string": query_without_page(request),
        "can_log": permissions.can_log_somewhere(request.user),
        "can_import": permissions.can_import_handoffs(request.user),
        "decision_types": known_decision_types(),
        "just_logged": just_logged,
        "confirmation": confirmation,
    }


@login_required
@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    # After a plain-form log the redirect lands here once with the new decision on top.
    logged = request.session.pop(JUST_LOGGED_KEY, None)
    just_logged = Decision.objects.filter(pk=logged).first() if isinstance(logged, int) else None
    context = _decision_log_context(request, just_logged=just_logged)
    template = (
        "decisions/decision_list.html#decision-table"
        if request.htmx
        else "decisions/decision_list.html"
    )
    return render(request, template, context)


JUST_LOGGED_KEY = "decisions.just_logged"


def _logged_confirmation(decision: Decision) -> str:
    """What the log says once a decision is logged: who decides it, and by when."""
    when = f"due {short_date(decision.due_at, 'D j M, H:i')}" if decision.due_at else "no SLA"
    return f"Logged “{decision.question}”. {decision.decider.display_name} decides, {when}."


@login_required
@require_POST
def decision_log(request: HttpRequest) -> HttpResponse:
    """Quick-add: with htmx the log comes back in place with the new row marked."""
    # The form refuses (403) places the user doesn't log for: see PlacedWriteForm.
    form = QuickDecisionForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        seam, contract = data.get("seam"), data.get("contract")
        decision = log_decision(
            question=data["question"],
            decision_type=data["decision_type"],
            seam=seam,
            contract=contract,
            requested_by=request.user,
            decider=data.get("decider"),
        )
        confirmation = _logged_confirmation(decision)
        if request.htmx:
            response = render(
                request,
                "decisions/decision_list.html#decision-log",
                _decision_log_context(request, just_logged=decision, confirmation=confirmation),
            )
            return trigger_client_event(response, "decisionLogged", {"id": decision.pk})
        messages.success(request, confirmation)
        request.session[JUST_LOGGED_KEY] = decision.pk
        return redirect("decisions:list")
    _require_logger(request)  # the form is invalid: shown back with its errors
    context = _decision_log_context(request, form=form)
    template = (
        "decisions/decision_list.html#decision-log"
        if request.htmx
        else "decisions/decision_list.html"
    )
    return render(request, template, context, status=400)


def _decision_context(request: HttpRequest, decision: Decision, **forms) -> dict:
    now = timezone.now()
    return {
        "decision": decision,
        "events": decision.events.select_related("by"),
        "now": now,
        "overdue": decision.is_overdue(now),
        "sla_breached": Decision.objects.breached(now).filter(pk=decision.pk).exists(),
        "can_decide": decision.is_pending and _can_decide(request, decision),
        "can_reopen": decision.status == "decided" and _can_reopen(request, decision),
        "can_withdraw": decision.is_pending and _can_withdraw(request, decision),
        "decide_form": forms.get("decide_form") or DecideForm(),
        "reopen_form": forms.get("reopen_form") or ReasonForm(prefix="reopen"),
        "withdraw_form": forms.get("withdraw_form") or ReasonForm(prefix="withdraw"),
    }


def _can_decide(request: HttpRequest, decision: Decision) -> bool:
    return permissions.can_decide(request.user, decision.decider, decision.place)


def _can_reopen(request: HttpRequest, decision: Decision) -> bool:
    return permissions.can_log_at(request.user, decision.place)


def _can_withdraw(request: HttpRequest, decision: Decision) -> bool:
    return request.user == decision.requested_by or permissions.can_import_handoffs(request.user)


def _get_decision(pk: int) -> Decision:
    return get_object_or_404(Decision.objects.with_related(), pk=pk)


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision(pk)
    return render(request, "decisions/decision_detail.html", _decision_context(request, decision))


def _decision_action(request: HttpRequest, pk: int, *, allowed, form_class, form_key, prefix, act):
    decision = _get_decision(pk)
    if not allowed(request, decision):
        raise PermissionDenied("Your role doesn't let you do that to this decision.")
    form = form_class(request.POST, prefix=prefix) if prefix else form_class(request.POST)
    if not form.is_valid():
        context = _decision_context(request, decision, **{form_key: form})
        return render(request, "decisions/decision_detail.html", context, status=400)
    try:
        act(decision, form.cleaned_data)
    except DecisionRefused as refused:
        messages.error(request, f"Not changed: {refused}")
    return redirect(decision)


@login_required
@require_POST
def decision_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision_action(
        request,
        pk,
        allowed=_can_decide,
        form_class=DecideForm,
        form_key="decide_form",
        prefix=None,
        act=lambda d, data: decide(
            decision=d, by=request.user, outcome=data["outcome"], rationale=data["rationale"]
        ),
    )


@login_required
@require_POST
def decision_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision_action(
        request,
        pk,
        allowed=_can_reopen,
        form_class=ReasonForm,
        form_key="reopen_form",
        prefix="reopen",
        act=lambda d, data: reopen(decision=d, by=request.user, reason=data["reason"]),
    )


@login_required
@require_POST
def decision_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision_action(
        request,
        pk,
        allowed=_can_withdraw,
        form_class=ReasonForm,
        form_key="withdraw_form",
        prefix="withdraw",
        act=lambda d, data: withdraw(decision=d, by=request.user, reason=data["reason"]),
    )


# --- Escalations and their Pareto ---------------------------------------------------------------


def _day(text: str, default: date) -> tuple[date, str]:
    """A YYYY-MM-DD date asked for in the URL, else the default and what's wrong."""
    try:
        day = parse_date(text)
    except ValueError:  # well-formed but impossible, like 2026-02-30
        day = None
    if text and day is None:
        return default, f"“{text[:20]}” is not a date (YYYY-MM-DD); showing {default:%-d %B %Y}."
    return day or default, ""


def _period(request: HttpRequest) -> tuple[date, date, str]:
    """The escalations' period [start, end] asked for, and what was wrong with the asking."""
    today = timezone.localdate()
    start, bad_start = _day(
        request.GET.get("from", ""), today.replace(day=1) - timezone.timedelta(days=365)
    )
    end, bad_end = _day(request.GET.get("to", ""), today)
    if start > end:
        start, end = end, start
    return start, end, bad_start or bad_end


def escalation_pareto(start, end, seams=None) -> dict:
    """Escalations raised in [start, end] (on `seams`, a queryset, if given), counted by seam
    and by cause, as Pareto charts."""
    raised = Escalation.objects.filter(raised_at__date__gte=start, raised_at__date__lte=end)
    if seams is not None:
        raised = raised.filter(seam__in=seams)
    by_seam = raised.values("seam__name", "seam__slug").annotate(n=Count("pk")).order_by()
    by_cause = raised.values("cause").annotate(n=Count("pk")).order_by()
    causes = dict(Escalation.Cause.choices)
    seam_bars = pareto.pareto((row["seam__name"], row["n"]) for row in by_seam)
    cause_bars = pareto.pareto((causes[row["cause"]], row["n"]) for row in by_cause)
    return {
        "seam_chart": pareto.pareto_chart(seam_bars, title="Escalations by seam"),
        "cause_chart": pareto.pareto_chart(cause_bars, title="Escalations by cause"),
        "total": sum(bar.count for bar in seam_bars),
    }


@login_required
@require_http_methods(["GET", "POST"])
def escalation_list(request: HttpRequest) -> HttpResponse:
    # ?seam=<slug> (from a seam's page) preselects the seam to log against.
    slug = request.GET.get("seam")
    chosen = seam_choices().filter(slug=slug).first() if slug else None
    form = EscalationForm(
        request.POST or None, user=request.user, initial={"seam": chosen} if chosen else None
    )
    if request.method == "POST":
        if not form.is_valid():
            _require_logger(request)  # shown back with its errors
        else:
            escalation = form.save(commit=False)
            escalation.raised_by = request.user
            escalation.save()
            messages.success(request, f"Escalation logged on {escalation.seam.name}.")
            return redirect("decisions:escalations")
    start, end, problem = _period(request)
    escalations = Escalation.objects.select_related("seam__from_team", "seam__to_team", "raised_by")
    page = Paginator(escalations, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "start": start,
        "end": end,
        "can_log": permissions.can_log_somewhere(request.user),
        "can_import": permissions.can_import_handoffs(request.user),
        # One resolve form per open escalation, each with its own element ids.
        "rows": [
            (e, None if e.resolved_at else ResolveForm(auto_id=f"id_resolve{e.pk}_%s"))
            for e in page.object_list
        ],
        **escalation_pareto(start, end),
        "problem": problem,
    }
    return render(
        request,
        "decisions/escalation_list.html",
        context,
        status=400 if form.errors or problem else 200,
    )


@login_required
@require_POST
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = get_object_or_404(Escalation.objects.select_related("seam"), pk=pk)
    permissions.require_log_at(request.user, escalation.seam)
    form = ResolveForm(request.POST)
    form.is_valid()  # the service says what is missing, for the page and the API alike
    try:
        resolve_escalation(
            escalation=escalation,
            resolution=form.cleaned_data.get("resolution", ""),
            root_cause=form.cleaned_data.get("root_cause", ""),
        )
    except EscalationRefused as refused:
        messages.error(request, f"Not resolved: {refused}")
    except ValidationError as invalid:
        problems = " ".join(m for ms in invalid.message_dict.values() for m in ms)
        messages.error(request, f"Not resolved: {problems}")
    else:
        messages.success(request, "Escalation resolved.")
    return redirect("decisions:escalations")


# --- Constraints --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def constraint_list(request: HttpRequest) -> HttpResponse:
    form = ConstraintForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not form.is_valid():
            _require_logger(request)  # shown back with its errors
        else:
            form.save()
            messages.success(request, "Constraint recorded.")
            return redirect("decisions:constraints")
    constraints = Constraint.objects.select_related("owner", "seam", "team")
    open_constraints = constraints.in_place()
    page = Paginator(open_constraints, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "open": page.object_list,
        "removed": constraints.filter(removed_at__isnull=False).order_by("-removed_at", "-pk")[:20],
        "today": timezone.localdate(),
        "can_log": permissions.can_log_somewhere(request.user),
    }
    return render(
        request, "decisions/constraint_list.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def constraint_remove(request: HttpRequest, pk: int) -> HttpResponse:
    constraint = get_object_or_404(Constraint.objects.select_related("seam"), pk=pk)
    permissions.require_log_at(request.user, *constraint.places)
    if constraint.removed_at is None:
        constraint.removed_at = timezone.localdate()
        constraint.save(update_fields=["removed_at"])
        messages.success(request, "Constraint removed.")
    return redirect("decisions:constraints")


# --- Dependency board ---------------------------------------------------------------------------


def _board_filters(request: HttpRequest) -> BoardFilterForm:
    # Its own ids: the new-dependency form on the same page has a seam field too.
    return BoardFilterForm(request.GET or None, auto_id="filter_%s")


def _board_summary(dependencies, cards: list[Dependency], today: date) -> dict:
    """The line above the board, by the metric's own rules (`due_between`, `on_time`): due this
    month; open cards at risk or flagged; and for the last full month, the due ones not
    delivered on time and the share that were (`dependencies_on_time` / `dependencies_due`)."""
    month = months.month_start(today)
    last_month = months.previous_month(month)
    in_last = Q(needed_by__lt=month)
    counts = dependencies.due_between(last_month, months.next_month(month)).aggregate(
        due=Count("pk", filter=Q(needed_by__gte=month)),
        last_due=Count("pk", filter=in_last),
        last_on_time=Count("pk", filter=in_last & ON_TIME_Q),
    )
    last_due, last_on_time = counts["last_due"], counts["last_on_time"]
    return {
        "month": month,
        "last_month": last_month,
        "due": counts["due"],
        "at_risk": sum(1 for d in cards if d.is_at_risk(today)),
        "missed": last_due - last_on_time,
        "on_time_percent": round(100 * last_on_time / last_due) if last_due else None,
    }


def _board_context(
    request: HttpRequest, form: DependencyForm | None = None, said: str = "", refused: bool = False
) -> dict:
    today = timezone.localdate()
    filters = _board_filters(request)
    dependencies = Dependency.objects.with_related()
    if filters.is_valid():
        if filters.cleaned_data.get("team"):
            team = filters.cleaned_data["team"]
            dependencies = dependencies.filter(Q(consumer=team) | Q(provider=team))
        if filters.cleaned_data.get("seam"):
            dependencies = dependencies.filter(seam=filters.cleaned_data["seam"])
    # Finished cards stay on the board for a month; older ones are counted, not shown.
    recent = today - DONE_SHOWN_FOR
    older = dict(
        dependencies.finished()
        .filter(needed_by__lt=recent)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    cards = list(dependencies.exclude(status__in=Dependency.FINISHED, needed_by__lt=recent))
    user = request.user
    columns = [
        {
            "status": status,
            "label": label,
            "older": older.get(status, 0),
            "cards": [
                (d, d.flag(today), permissions.can_log_at(user, *d.places))
                for d in cards
                if d.status == status
            ],
        }
        for status, label in Dependency.Status.choices
    ]
    return {
        "columns": columns,
        "filters": filters,
        "form": form or DependencyForm(),
        "statuses": Dependency.Status.choices,
        "today": today,
        "summary": _board_summary(dependencies, cards, today),
        "can_log": permissions.can_log_somewhere(user),
        "can_import": permissions.can_import_handoffs(user),
        # The filters ride along on every move, so the board comes back as it was filtered.
        "filter_query": request.GET.urlencode(),
        "said": said,
        "refused": refused,
    }


def _board_url(request: HttpRequest) -> str:
    query = request.GET.urlencode()
    return reverse("decisions:dependencies") + (f"?{query}" if query else "")


@login_required
@require_http_methods(["GET", "POST"])
def dependency_board(request: HttpRequest) -> HttpResponse:
    form = DependencyForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not form.is_valid():
            _require_logger(request)  # shown back with its errors
        else:
            form.save()
            messages.success(request, "Dependency added.")
            return redirect("decisions:dependencies")
    template = (
        "decisions/dependency_board.html#board"
        if request.htmx and request.method == "GET"
        else "decisions/dependency_board.html"
    )
    return render(
        request, template, _board_context(request, form), status=400 if form.errors else 200
    )


def _move_refused(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    """A move not made: the board comes back saying why (htmx), or the page does (plain)."""
    said = f"Not moved: {reason}"
    if request.htmx:
        context = _board_context(request, said=said, refused=True)
        return render(request, "decisions/dependency_board.html#board", context, status=status)
    messages.error(request, said)
    return redirect(_board_url(request))


@login_required
@require_POST
def dependency_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card to another column: the card's own form, a drag and drop, or the API's
    `move`, all through `move_dependency`. The response says what happened, or why not."""
    dependency = get_object_or_404(Dependency.objects.with_related(), pk=pk)
    if not permissions.can_log_at(request.user, *dependency.places):
        if not request.htmx:
            permissions.require_log_at(request.user, *dependency.places)  # the 403 page
        return _move_refused(request, permissions.NOT_YOUR_PLACE, status=403)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _move_refused(request, "choose a column to move the card to.", status=400)
    to_status = form.cleaned_data["status"]
    label = Dependency.Status(to_status).label
    if dependency.status == to_status:
        return _move_refused(request, f"“{dependency.title}” is already in {label}.", status=400)
    move_dependency(dependency=dependency, to_status=to_status, by=request.user)
    said = f"Moved “{dependency.title}” to {label}."
    if request.htmx:
        context = _board_context(request, said=said)
        response = render(request, "decisions/dependency_board.html#board", context)
        return trigger_client_event(response, "dependencyMoved", {"id": dependency.pk})
    messages.success(request, said)
    return redirect(_board_url(request))


# --- The decision-cadence agenda ----------------------------------------------------------------


@login_required
@require_GET
def agenda(request: HttpRequest) -> HttpResponse:
    """Exactly two lists: decisions to make (overdue first) and constraints to remove."""
    now = timezone.now()
    contract = None
    slug = request.GET.get("contract")
    if slug:
        contract = get_object_or_404(Contract, slug=slug)
    context = {
        "contract": contract,
        "contracts": Contract.objects.exclude(status=Contract.Status.RETIRED),
        "decisions": agenda_lists.decisions_to_make(contract).overdue_first(now),
        "constraints": agenda_lists.constraints_to_remove(contract),
        "now": now,
        "today": timezone.localdate(),
    }
    return render(request, "decisions/agenda.html", context)
