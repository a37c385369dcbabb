"""Pages for inbound sources: list, create, and one source's URL, rules, statuses, secret and
recent deliveries. Everyone signed in reads them (no secret is ever shown but once, to the
leader or ops person who made it); leaders and ops manage them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connections import sources
from connections.models import Delivery, MappingRule, Source
from connections.source_forms import RotateForm, RuleForm, SourceForm, StatusesForm
from seams import permissions

SECRET_KEY = "connections-secret-{pk}"


def _require_manager(user) -> None:
    if not permissions.can_import_handoffs(user):
        raise PermissionDenied("Leaders and ops manage inbound sources.")


@login_required
@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    rows = Source.objects.annotate(
        received=Count("deliveries"),
        failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        rule_count=Count("rules", distinct=True),
    ).order_by("name")
    context = {"sources": rows, "can_manage": permissions.can_import_handoffs(request.user)}
    return render(request, "connections/source_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def source_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        source, secret = sources.create_source(**form.cleaned_data)
        request.session[SECRET_KEY.format(pk=source.pk)] = secret
        messages.success(request, f"Created {source.name}. Copy its secret now.")
        return redirect("connections:source-detail", source.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "connections/source_form.html", {"form": form}, status=status)


def _render_detail(request: HttpRequest, source: Source, *, status: int = 200, **forms):
    can_manage = permissions.can_import_handoffs(request.user)
    deliveries = Paginator(source.deliveries.recent(), 25).get_page(request.GET.get("page"))
    context = {
        "source": source,
        "url": request.build_absolute_uri(reverse("handoff-webhook", args=[source.slug])),
        "hint": sources.SETUP_HINTS[source.kind],
        "rules": source.rules.select_related("seam"),
        "counts": source.counts(),
        "page": deliveries,
        "now": timezone.now(),
        "can_manage": can_manage,
        "secret": request.session.pop(SECRET_KEY.format(pk=source.pk), "") if can_manage else "",
        "secrets": source.secrets.order_by("-created_at") if can_manage else [],
        "rule_form": forms.get("rule_form") or RuleForm(),
        "statuses_form": forms.get("statuses_form") or StatusesForm(instance=source),
        "rotate_form": forms.get("rotate_form") or RotateForm(),
    }
    if request.htmx and not forms:
        return render(request, "connections/source_detail.html#deliveries", context)
    return render(request, "connections/source_detail.html", context, status=status)


@login_required
@require_GET
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_detail(request, get_object_or_404(Source, slug=slug))


def _managed(request: HttpRequest, slug: str) -> Source:
    _require_manager(request.user)
    return get_object_or_404(Source, slug=slug)


@login_required
@require_POST
def source_rule_add(request: HttpRequest, slug: str) -> HttpResponse:
    source = _managed(request, slug)
    form = RuleForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, source, status=400, rule_form=form)
    rule = sources.add_rule(source=source, **form.cleaned_data)
    messages.success(request, f"Added the rule: {rule}.")
    return redirect("connections:source-detail", source.slug)


@login_required
@require_POST
def source_rule_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    source = _managed(request, slug)
    rule = get_object_or_404(MappingRule, source=source, pk=pk)
    action = request.POST.get("action", "")
    if action in ("up", "down"):
        sources.move_rule(rule=rule, up=action == "up")
    elif action == "remove":
        rule.delete()
        messages.success(request, f"Removed the rule: {rule}.")
    else:
        form = RuleForm(request.POST, instance=rule)
        if not form.is_valid():
            return _render_detail(request, source, status=400, rule_form=form)
        form.save()
        messages.success(request, f"Saved the rule: {rule}.")
    return redirect("connections:source-detail", source.slug)


@login_required
@require_POST
def source_statuses(request: HttpRequest, slug: str) -> HttpResponse:
    source = _managed(request, slug)
    form = StatusesForm(request.POST, instance=source)
    if not form.is_valid():
        return _render_detail(request, source, status=400, statuses_form=form)
    form.save()
    messages.success(request, "Saved the statuses.")
    return redirect("connections:source-detail", source.slug)


@login_required
@require_POST
def source_rotate(request: HttpRequest, slug: str) -> HttpResponse:
    source = _managed(request, slug)
    form = RotateForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, source, status=400, rotate_form=form)
    secret = sources.rotate_secret(
        source=source, overlap=form.overlap, value=form.cleaned_data["value"]
    )
    request.session[SECRET_KEY.format(pk=source.pk)] = secret
    hours = form.cleaned_data["overlap_hours"]
    messages.success(
        request, f"New secret made. The old one keeps working for {hours} hours. Copy it now."
    )
    return redirect("connections:source-detail", source.slug)


@login_required
@require_POST
def source_test(request: HttpRequest, slug: str) -> HttpResponse:
    source = _managed(request, slug)
    result = sources.send_test_delivery(source=source)
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("connections:source-detail", source.slug)
