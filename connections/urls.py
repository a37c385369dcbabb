from django.urls import path

from connections import source_views

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
]
