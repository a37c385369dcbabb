from django.urls import path

from seams import views

app_name = "seams"

urlpatterns = [
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<slug:slug>/", views.team_detail, name="team-detail"),
    path("teams/<slug:slug>/edit/", views.team_edit, name="team-edit"),
    path("account/", views.account, name="account"),
    path("account/token/", views.account_token, name="account-token"),
    path("account/token/revoke/", views.account_token_revoke, name="account-token-revoke"),
    path("seams/", views.seam_list, name="list"),
    path("seams/new/", views.seam_create, name="create"),
    path("seams/<slug:slug>/", views.seam_detail, name="detail"),
    path("seams/<slug:slug>/edit/", views.seam_edit, name="edit"),
    path("seams/<slug:slug>/pilot/start/", views.seam_start_pilot, name="start-pilot"),
    path("seams/<slug:slug>/spec/", views.spec_detail, name="spec"),
    path("seams/<slug:slug>/spec/edit/", views.spec_edit, name="spec-edit"),
    path(
        "seams/<slug:slug>/spec/edit/<slug:section>/",
        views.spec_section_edit,
        name="spec-section-edit",
    ),
    path("seams/<slug:slug>/spec/print/", views.spec_print, name="spec-print"),
    path("seams/<slug:slug>/spec/sla-example/", views.spec_sla_example, name="spec-sla-example"),
    path("seams/<slug:slug>/spec/versions/", views.spec_history, name="spec-history"),
    path("seams/<slug:slug>/spec/versions/<int:number>/", views.spec_version, name="spec-version"),
    path(
        "seams/<slug:slug>/spec/versions/<int:number>/restore/",
        views.spec_restore,
        name="spec-restore",
    ),
    path("seams/<slug:slug>/spec/compare/", views.spec_compare, name="spec-compare"),
    path("calendars/", views.calendar_list, name="calendars"),
    path("calendars/new/", views.calendar_create, name="calendar-create"),
    path("calendars/<slug:slug>/", views.calendar_detail, name="calendar-detail"),
    path("handoffs/", views.handoff_list, name="handoffs"),
    path("handoffs/submit/", views.handoff_submit, name="handoff-submit"),
    path("handoffs/import/", views.handoff_import, name="handoff-import"),
    path("handoffs/export.csv", views.handoff_export, name="handoff-export"),
    path("handoffs/import/<int:pk>/", views.handoff_import_detail, name="handoff-import-detail"),
    path(
        "handoffs/<int:pk>/<str:move>/",
        views.handoff_move,
        name="handoff-move",
    ),
]
