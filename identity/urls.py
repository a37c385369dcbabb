from django.urls import path

from identity import sso_views, views

app_name = "identity"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/token/", views.account_token, name="account-token"),
    path("account/token/revoke/", views.account_token_revoke, name="account-token-revoke"),
    path("sign-in/groups/", views.groups, name="groups"),
    path("sign-in/groups/add/", views.group_mapping_add, name="group-mapping-add"),
    path(
        "sign-in/groups/<int:pk>/remove/",
        views.group_mapping_remove,
        name="group-mapping-remove",
    ),
    # Single sign-on: these URLs are what the identity provider's app registration names.
    path(
        "oidc/authenticate/",
        sso_views.SingleSignOnStart.as_view(),
        name="oidc-authenticate",
    ),
    path("oidc/callback/", sso_views.SingleSignOnCallback.as_view(), name="oidc-callback"),
]
