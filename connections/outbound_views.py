"""The outbound pages: channels (leaders and ops manage them: their URLs are secrets), the
delivery log, and each person's email subscriptions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.paging import query_without_page
from connections.models import EVENTS, Channel, EmailSubscription, OutboundDelivery
from connections.notify import send_test
from connections.outbound_forms import ChannelForm, SubscriptionForm
from connections.outbound_payloads import new_secret
from seams import permissions

DELIVERIES_PER_PAGE = 25
NEW_SECRET = "outbound_new_secret"


def can_manage_channels(user) -> bool:
    return permissions.is_leader(user) or permissions.is_ops(user)


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_channels(request.user):
        raise PermissionDenied("Leaders and ops manage the outbound channels.")


@login_required
@require_GET
def channel_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    channels = Channel.objects.select_related("seam", "team", "contract")
    secret = request.session.pop(NEW_SECRET, None)
    return render(
        request,
        "connections/channel_list.html",
        {
            "channels": channels,
            "new_secret": secret,
            "events": EVENTS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def channel_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        channel = form.save(commit=False)
        channel.created_by = request.user
        if channel.kind == Channel.Kind.WEBHOOK:
            channel.secret = new_secret()
            request.session[NEW_SECRET] = {"channel": channel.name, "secret": channel.secret}
        channel.save()
        messages.success(request, f"Added the channel {channel.name}. Send it a test message.")
        return redirect("connections:channel-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "connections/channel_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    channel = get_object_or_404(Channel, pk=pk)
    form = ChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        channel = form.save(commit=False)
        if channel.kind == Channel.Kind.WEBHOOK and not channel.secret:
            channel.secret = new_secret()
            request.session[NEW_SECRET] = {"channel": channel.name, "secret": channel.secret}
        elif channel.kind != Channel.Kind.WEBHOOK:
            channel.secret = ""
        channel.save()
        messages.success(request, f"Saved the channel {channel.name}.")
        return redirect("connections:channel-list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "connections/channel_form.html",
        {"form": form, "channel": channel},
        status=status,
    )


@login_required
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    channel = get_object_or_404(Channel, pk=pk)
    with transaction.atomic():
        send_test(channel=channel, by=request.user)
    messages.success(
        request, f"A test message to {channel.name} is on its way: its outcome shows below."
    )
    return redirect(f"{reverse('connections:delivery-list')}?channel={channel.pk}")


@login_required
@require_GET
def delivery_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    deliveries = OutboundDelivery.objects.for_log()
    channel_id = request.GET.get("channel", "")
    status = request.GET.get("status", "")
    if channel_id.isdigit():
        deliveries = deliveries.filter(channel_id=int(channel_id))
    if status in OutboundDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "deliveries": page.object_list,
        "channels": Channel.objects.only("pk", "name"),
        "statuses": OutboundDelivery.Status.choices,
        "chosen_channel": channel_id,
        "chosen_status": status,
        "query_string": query_without_page(request),
        "waiting": any(d.status == OutboundDelivery.Status.PENDING for d in page.object_list),
    }
    template = "connections/delivery_list.html"
    if request.htmx:
        template += "#delivery-table"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def subscriptions(request: HttpRequest) -> HttpResponse:
    """Which of their own events a person gets by email; everyone manages their own."""
    current = EmailSubscription.objects.filter(user=request.user).first()
    chosen = current.events if current else list(EVENTS)
    # Every box unticked posts nothing at all: still a submitted form.
    data = request.POST if request.method == "POST" else None
    form = SubscriptionForm(data, initial={"events": chosen})
    if request.method == "POST" and form.is_valid():
        EmailSubscription.objects.update_or_create(
            user=request.user, defaults={"events": form.cleaned_data["events"]}
        )
        messages.success(request, "Saved: you get the emails you chose.")
        return redirect("connections:subscriptions")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "connections/subscriptions.html",
        {"form": form, "has_email": bool(request.user.email)},
        status=status,
    )
