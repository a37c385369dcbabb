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
    path("handoffs/", views.handoff_list, name="handoffs"),
]
