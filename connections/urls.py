from django.urls import path

from connections import outbound_views, source_views

app_name = "connections"

urlpatterns: list = [
    path("connections/sources/", source_views.source_list, name="source-list"),
    path("connections/sources/new/", source_views.source_create, name="source-create"),
    path("connections/sources/<slug:slug>/", source_views.source_detail, name="source-detail"),
    path(
        "connections/sources/<slug:slug>/rules/add/",
        source_views.source_rule_add,
        name="source-rule-add",
    ),
    path(
        "connections/sources/<slug:slug>/rules/<int:pk>/edit/",
        source_views.source_rule_edit,
        name="source-rule-edit",
    ),
    path(
        "connections/sources/<slug:slug>/statuses/",
        source_views.source_statuses,
        name="source-statuses",
    ),
    path(
        "connections/sources/<slug:slug>/secret/rotate/",
        source_views.source_rotate,
        name="source-rotate",
    ),
    path("connections/sources/<slug:slug>/test/", source_views.source_test, name="source-test"),
    # Outbound: channels, the delivery log, a person's email subscriptions.
    path("connections/channels/", outbound_views.channel_list, name="channel-list"),
    path("connections/channels/new/", outbound_views.channel_create, name="channel-create"),
    path("connections/channels/<int:pk>/edit/", outbound_views.channel_edit, name="channel-edit"),
    path("connections/channels/<int:pk>/test/", outbound_views.channel_test, name="channel-test"),
    path("connections/deliveries/", outbound_views.delivery_list, name="delivery-list"),
    path("connections/subscriptions/", outbound_views.subscriptions, name="subscriptions"),
]
