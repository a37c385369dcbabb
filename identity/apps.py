from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Signing in: accounts, API tokens, and later single sign-on and SCIM provisioning."""

    name = "identity"
