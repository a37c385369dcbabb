"""Start-up checks of the sign-in settings (`manage.py check`): a setting that would leave
single sign-on silently off, or nobody but superusers able to sign in."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def sign_in_settings(app_configs, **kwargs) -> list[Warning]:
    warnings = []
    if bool(settings.OIDC_ISSUER) != bool(settings.OIDC_RP_CLIENT_ID):
        warnings.append(
            Warning(
                "Single sign-on is off: it needs both OIDC_ISSUER and OIDC_CLIENT_ID.",
                id="identity.W001",
            )
        )
    if not settings.PASSWORD_LOGIN and not (settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID):
        warnings.append(
            Warning(
                "PASSWORD_LOGIN is off but single sign-on is not set up: only superusers "
                "can sign in.",
                id="identity.W002",
            )
        )
    return warnings
