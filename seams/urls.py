from django.urls import path

from seams import handoff_views, spec_views, team_views, views

app_name = "seams"

urlpatterns = [
    path("teams/", team_views.team_list, name="teams"),
    path("teams/new/", team_views.team_create, name="team-create"),
    path("teams/<slug:slug>/", team_views.team_detail, name="team-detail"),
    path("teams/<slug:slug>/edit/", team_views.team_edit, name="team-edit"),
    path("seams/", views.seam_list, name="list"),
    path("seams/new/", views.seam_create, name="create"),
    path("seams/<slug:slug>/", views.seam_detail, name="detail"),
    path("seams/<slug:slug>/edit/", views.seam_edit, name="edit"),
    path("seams/<slug:slug>/pilot/start/", views.seam_start_pilot, name="start-pilot"),
    path("seams/<slug:slug>/spec/", spec_views.spec_detail, name="spec"),
    path("seams/<slug:slug>/spec/edit/", spec_views.spec_edit, name="spec-edit"),
    path(
        "seams/<slug:slug>/spec/edit/<slug:section>/",
        spec_views.spec_section_edit,
        name="spec-section-edit",
    ),
    path("seams/<slug:slug>/spec/print/", spec_views.spec_print, name="spec-print"),
    path(
        "seams/<slug:slug>/spec/sla-example/",
        spec_views.spec_sla_example,
        name="spec-sla-example",
    ),
    path("seams/<slug:slug>/spec/versions/", spec_views.spec_history, name="spec-history"),
    path(
        "seams/<slug:slug>/spec/versions/<int:number>/",
        spec_views.spec_version,
        name="spec-version",
    ),
    path(
        "seams/<slug:slug>/spec/versions/<int:number>/restore/",
        spec_views.spec_restore,
        name="spec-restore",
    ),
    path("seams/<slug:slug>/spec/compare/", spec_views.spec_compare, name="spec-compare"),
    path("calendars/", views.calendar_list, name="calendars"),
    path("calendars/new/", views.calendar_create, name="calendar-create"),
    path("calendars/<slug:slug>/", views.calendar_detail, name="calendar-detail"),
    path("handoffs/", handoff_views.handoff_list, name="handoffs"),
    path("handoffs/submit/", handoff_views.handoff_submit, name="handoff-submit"),
    path("handoffs/import/", handoff_views.handoff_import, name="handoff-import"),
    path("handoffs/export.csv", handoff_views.handoff_export, name="handoff-export"),
    path(
        "handoffs/import/<int:pk>/",
        handoff_views.handoff_import_detail,
        name="handoff-import-detail",
    ),
    path(
        "handoffs/<int:pk>/<str:move>/",
        handoff_views.handoff_move,
        name="handoff-move",
    ),
]
