from django.urls import path

from connections import outbound_views

app_name = "connections"

urlpatterns: list = [
    # Outbound: channels, the delivery log, a person's email subscriptions.
    path("connections/channels/", outbound_views.channel_list, name="channel-list"),
    path("connections/channels/new/", outbound_views.channel_create, name="channel-create"),
    path("connections/channels/<int:pk>/edit/", outbound_views.channel_edit, name="channel-edit"),
    path("connections/channels/<int:pk>/test/", outbound_views.channel_test, name="channel-test"),
    path("connections/deliveries/", outbound_views.delivery_list, name="delivery-list"),
    path("connections/subscriptions/", outbound_views.subscriptions, name="subscriptions"),
]
