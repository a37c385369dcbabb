from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Signing in: accounts, API tokens, single sign-on (OpenID Connect) and SCIM provisioning."""

    name = "identity"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from identity import checks  # noqa: F401 (registers the sign-in settings' checks)
        from identity.services import remember_session

        def _remember(sender, request, user, **kwargs) -> None:
            session = getattr(request, "session", None)
            remember_session(user=user, session_key=session.session_key if session else None)

        user_logged_in.connect(
            _remember, weak=False, dispatch_uid="seamline-identity-remember-session"
        )
