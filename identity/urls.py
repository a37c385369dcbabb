from django.urls import path

from identity import views

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
]
