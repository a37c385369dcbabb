from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config.api import router
from config.landing import home
from config.views import PasswordResetView, api_docs, healthz
from connections.hooks_api import HandoffWebhook
from identity.sso_views import SignInView, sign_out

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    # Before django.contrib.auth's: signing out also ends a single sign-on at the provider.
    path("accounts/logout/", sign_out, name="logout"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path(
        "api/v1/hooks/handoffs/<slug:source>/",
        HandoffWebhook.as_view(),
        name="handoff-webhook",
    ),
    path("api/v1/", include(router.urls)),
    path("scim/v2/", include("identity.scim_urls", namespace="scim")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        login_required(api_docs),
        name="api-docs",
    ),
    path("", include("seams.urls")),
    path("", include("contracts.urls")),
    path("", include("decisions.urls")),
    path("", include("metrics.urls")),
    path("", include("onboarding.urls")),
    path("", include("identity.urls")),
    path("", include("connections.urls")),
    path("", include("audit.urls")),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

admin.site.site_header = "Seamline administration"
admin.site.site_title = "Seamline admin"
