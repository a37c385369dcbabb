"""How people sign in: with a password (unless PASSWORD_LOGIN is off, when only superusers
may), and with single sign-on (OpenID Connect, mozilla-django-oidc's backend)."""

from collections.abc import Mapping

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from identity.oidc import SignInRefused, discovery, read_identity, sso_enabled
from identity.services import sign_in_with_sso


class PasswordBackend(ModelBackend):
    """Django's username and password, refused to everyone but superusers when
    PASSWORD_LOGIN is off (people then sign in with single sign-on; a superuser keeps a way
    in should the identity provider fail)."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return settings.PASSWORD_LOGIN or user.is_superuser


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with its endpoints taken from the provider's discovery
    document, the ID token's issuer and audience checked, and people found by verified email
    (identity.services.sign_in_with_sso)."""

    def __init__(self, *args, **kwargs) -> None:
        # Not the library's __init__: Django builds a backend for every request's session, and
        # reading endpoints there would fetch the discovery document on each page.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # the library's attribute names
        return discovery()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return discovery()["userinfo_endpoint"]

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return discovery()["jwks_uri"]

    def authenticate(self, request, **kwargs):
        # Only the callback passes a nonce: a password sign-in whose URL happens to carry
        # `code` and `state` must never start a token exchange.
        if request is None or "nonce" not in kwargs or not sso_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs) -> dict:
        """The signature and nonce (the library), then what the library leaves out: the
        issuer, the audience and the expiry (OpenID Connect Core 3.1.3.7)."""
        if not isinstance(token, str) or not token:
            raise SuspiciousOperation("The provider sent no ID token.")
        try:
            payload = super().verify_token(token, **kwargs)
        except jwt.PyJWTError as error:
            raise SuspiciousOperation(f"The ID token is not valid: {error}") from None
        if not isinstance(payload, dict):
            raise SuspiciousOperation("The token is not a JSON object.")
        if payload.get("iss") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("The token names another issuer.")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The token is not meant for Seamline.")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("The token was issued to another party.")
        if not isinstance(payload.get("exp"), int | float):
            raise SuspiciousOperation("The token has no expiry.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, Mapping):
            raise SignInRefused("bad_claims")
        if userinfo.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.2: userinfo about someone else must not be used.
            raise SignInRefused("bad_claims")
        claims = {**payload, **userinfo}
        identity = read_identity(claims)
        user = sign_in_with_sso(
            issuer=settings.OIDC_ISSUER,
            identity=identity,
            create_people=settings.OIDC_CREATE_USER,
        )
        user.sso_identity = identity  # for the sign-in's audit entry
        return user

    def get_user(self, user_id):
        """The session's person, if they may still sign in: a deactivated person's session
        ends (the library's would return anyone by id)."""
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
