"""The review meeting's record (root causes and corrective actions agreed at the meeting)
and the list of corrective actions."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.redirects import back_url
from contracts import catalogue
from metrics import dashboard, reviews
from metrics.forms import CorrectiveActionForm
from metrics.models import CorrectiveAction, Review
from metrics.views import asked_month
from seams.models import Seam, User


@login_required
@require_POST
def review_start(request: HttpRequest) -> HttpResponse:
    month, problem = asked_month(request.POST.get("month"))
    slug = request.POST.get("contract") or ""
    contract = dashboard.contracts_in_force().filter(slug=slug).first() if slug else None
    if problem or (slug and contract is None):
        messages.error(request, problem or f"No contract in force is called “{slug}”.")
        return redirect("metrics:review")
    try:
        review = reviews.start_review(month=month, contract=contract, by=request.user)
    except reviews.ReviewRefused as refused:
        return _refused(request, refused)
    # From a seam's drill-down: back to that seam's place in the meeting.
    seam = Seam.objects.filter(slug=request.POST.get("seam") or "").values_list("slug", flat=True)
    anchor = f"#seam-{seam[0]}" if seam else ""
    return redirect(reverse("metrics:review-record", args=[review.pk]) + anchor)


def _review_context(request: HttpRequest, review: Review) -> dict:
    board = dashboard.build(review.month, review.contract)
    hurting = [row for row in board.rows if row.status in ("red", "amber")]
    causes = {c.seam_id: c for c in review.root_causes.select_related("recorded_by")}
    actions = defaultdict(list)
    for action in review.actions.select_related("owner", "seam"):
        actions[action.seam_id].append(action)
    earlier = list(
        CorrectiveAction.objects.filter(
            review__contract=review.contract, review__month__lt=review.month
        )
        .exclude(status=CorrectiveAction.Status.DROPPED)
        .select_related("owner", "seam", "review")
        .order_by("-review__month", "due_on")[:20]
    )
    reviews.judge(earlier)
    return {
        "review": review,
        "seams": [
            {
                "row": row,
                "cause": causes.get(row.seam.pk),
                "actions": actions.get(row.seam.pk, []),
                "should_move": row.worst_metric,
            }
            for row in hurting
        ],
        "progress": board.progress,
        "earlier": earlier,
        "can_hold": reviews.can_hold_reviews(request.user) and review.is_open,
        "people": User.objects.filter(is_active=True).order_by("first_name", "last_name"),
        "metrics": catalogue.CHOICES,
        "icons": static("img/icons.svg"),
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("contract", "started_by"), pk=pk)
    return render(request, "metrics/review_record.html", _review_context(request, review))


def _back_to(request: HttpRequest, review: Review, seam: Seam | None = None) -> HttpResponse:
    context = _review_context(request, review)
    if request.htmx and seam is not None:
        block = next((s for s in context["seams"] if s["row"].seam.pk == seam.pk), None)
        if block is not None:
            return render(request, "metrics/review_record.html#seam-block", context | {"s": block})
    anchor = f"#seam-{seam.slug}" if seam else ""
    return redirect(reverse("metrics:review-record", args=[review.pk]) + anchor)


@login_required
@require_POST
def review_root_cause(request: HttpRequest, pk: int, seam: str) -> HttpResponse:
    review = get_object_or_404(Review, pk=pk)
    seam_obj = get_object_or_404(Seam, slug=seam)
    try:
        reviews.record_root_cause(
            review=review, seam=seam_obj, text=request.POST.get("text", ""), by=request.user
        )
    except reviews.ReviewRefused as refused:
        return _refused(request, refused)
    return _back_to(request, review, seam_obj)


@login_required
@require_POST
def review_add_action(request: HttpRequest, pk: int, seam: str) -> HttpResponse:
    review = get_object_or_404(Review, pk=pk)
    seam_obj = get_object_or_404(Seam, slug=seam)
    form = CorrectiveActionForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _refused(request, reviews.ReviewRefused(message))
    try:
        reviews.add_action(review=review, seam=seam_obj, by=request.user, **form.cleaned_data)
    except reviews.ReviewRefused as refused:
        return _refused(request, refused)
    return _back_to(request, review, seam_obj)


@login_required
@require_POST
def review_close(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review, pk=pk)
    try:
        reviews.close_review(review=review, by=request.user, notes=request.POST.get("notes", ""))
    except reviews.ReviewRefused as refused:
        return _refused(request, refused)
    messages.success(request, f"{review} is closed.")
    return redirect("metrics:review-record", review.pk)


def _posted_id(request: HttpRequest, name: str) -> int:
    """A record's id sent in a form; a clear 400 (BadRequest) when it is not a whole number."""
    text = request.POST.get(name, "")
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise BadRequest(f"“{name}” must be the id of a record: a whole number.")
    return int(text)


def _refused(request: HttpRequest, refused: Exception) -> HttpResponse:
    status = 403 if isinstance(refused, reviews.ReviewForbidden) else 400
    # "Go back" to the page the form was on, when it is one of ours; else to the review.
    context = {"message": str(refused), "back": back_url(request, "metrics:review")}
    return render(request, "metrics/refused.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def action_list(request: HttpRequest) -> HttpResponse:
    """Corrective actions: open, overdue, done. Owners update their own; leaders any."""
    if request.method == "POST":
        action = get_object_or_404(CorrectiveAction, pk=_posted_id(request, "action"))
        try:
            reviews.update_action(
                action=action, status=request.POST.get("status", ""), by=request.user
            )
        except reviews.ReviewRefused as refused:
            return _refused(request, refused)
        return redirect(f"{reverse('metrics:actions')}?show={request.GET.get('show', 'open')}")
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    actions = CorrectiveAction.objects.select_related("owner", "seam", "review")
    chosen = {
        "open": actions.open(),
        "overdue": actions.overdue(today),
        "done": actions.filter(status=CorrectiveAction.Status.DONE),
    }.get(show, actions.open())
    page = Paginator(chosen.order_by("due_on", "pk"), 50).get_page(request.GET.get("page"))
    counts = {
        "open": actions.open().count(),
        "overdue": actions.overdue(today).count(),
        "done": actions.filter(status=CorrectiveAction.Status.DONE).count(),
    }
    for action in page:
        action.can_update = reviews.can_update_action(request.user, action)
    return render(
        request,
        "metrics/action_list.html",
        {"page": page, "show": show, "counts": counts, "today": today},
    )
