from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/token/", views.account_token, name="account-token"),
    path("account/token/revoke/", views.account_token_revoke, name="account-token-revoke"),
]
