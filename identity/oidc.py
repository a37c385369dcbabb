"""Single sign-on with OpenID Connect: the provider's discovery document, and what the
provider's claims say of a person (their verified email, subject and groups).

mozilla-django-oidc does the protocol (state, nonce, PKCE, the token exchange, the ID token's
signature); it wants each endpoint as a setting, and here they come from the issuer's
discovery document instead, fetched once an hour and checked against OIDC_ISSUER.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_CACHE_SECONDS = 60 * 60
# Endpoints Seamline needs from the discovery document.
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
# Group names longer than this are not names any mapping could hold (GroupMapping.group).
MAX_GROUP_LENGTH = 255
# More groups than this are read only this far: a person's groups are a few hundred at most
# (Entra ID stops at 200 in a token), so the rest is noise, not a reason to fail.
MAX_GROUPS = 100_000
# How many groups the directory account keeps for leaders to read.
KEPT_GROUPS = 200
MAX_EMAIL_LENGTH = 254
MAX_SUBJECT_LENGTH = 255


class ProviderUnavailable(Exception):
    """The identity provider can't be reached, or its discovery document is not usable."""


class SignInRefused(Exception):
    """A single sign-on Seamline refuses: `reason` is one of REFUSALS' keys."""

    def __init__(self, reason: str, *, email: str = "", subject: str = "", user=None):
        super().__init__(reason)
        self.reason = reason
        self.email = email
        self.subject = subject
        self.user = user


# Why a single sign-on was refused: (status, title, what to do), shown on the refusal page.
REFUSALS: dict[str, tuple[int, str, str]] = {
    "not_configured": (
        404,
        "Single sign-on is not set up",
        "This Seamline signs people in with a username and password.",
    ),
    "provider_error": (
        400,
        "Your identity provider did not sign you in",
        "It answered with an error. Try again; if it happens again, tell your Seamline "
        "administrator what the provider said.",
    ),
    "bad_state": (
        400,
        "This sign-in could not be checked",
        "The sign-in did not come back the way it started (it may have expired, been used "
        "already or been altered). Start again from the sign-in page.",
    ),
    "bad_token": (
        400,
        "Your identity provider's answer could not be verified",
        "Its signature, issuer, audience or one-time value did not match, so nobody was "
        "signed in. Start again from the sign-in page.",
    ),
    "unavailable": (
        503,
        "Your identity provider can't be reached",
        "Seamline could not talk to the identity provider. Try again in a moment; if it "
        "goes on, tell your Seamline administrator.",
    ),
    "missing_email": (
        403,
        "Your identity provider did not send your email address",
        "Seamline finds people by their email address. Ask your administrator to release "
        "the email claim to Seamline.",
    ),
    "unverified_email": (
        403,
        "Your email address is not verified",
        "Your identity provider says it has not verified your email address, so Seamline "
        "can't tell who you are. Verify it with your provider, then try again.",
    ),
    "unknown_person": (
        403,
        "You don't have a Seamline account yet",
        "Nobody in Seamline has your email address. Ask a leader to add you, then sign in again.",
    ),
    "several_people": (
        403,
        "Your email address belongs to more than one person here",
        "Seamline can't tell which of them you are. Ask your Seamline administrator to give "
        "each person their own address.",
    ),
    "deactivated": (
        403,
        "Your Seamline account is deactivated",
        "Ask a leader to activate it again if you should have access.",
    ),
    "subject_mismatch": (
        403,
        "This is not the directory account Seamline knows for you",
        "Your email address is linked to another account of your identity provider. Ask "
        "your Seamline administrator to check your directory account.",
    ),
    "subject_taken": (
        403,
        "This directory account belongs to another person here",
        "Your identity provider's account is already linked to someone else in Seamline. "
        "Ask your Seamline administrator to check it.",
    ),
    "bad_claims": (
        403,
        "Your identity provider sent something Seamline can't read",
        "Your account's details (its subject or email address) are not in a form Seamline "
        "accepts. Tell your Seamline administrator.",
    ),
}


def sso_enabled() -> bool:
    """Single sign-on is on when an issuer and a client id are set."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def _cache_key() -> str:
    return f"oidc-discovery:{settings.OIDC_ISSUER}"


def discovery() -> dict:
    """The issuer's discovery document, checked: its `issuer` is OIDC_ISSUER exactly and it
    names every endpoint Seamline uses. Cached for an hour; a failure is not cached."""
    document = cache.get(_cache_key())
    if document is not None:
        return document
    issuer = settings.OIDC_ISSUER
    url = issuer.rstrip("/") + DISCOVERY_PATH
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        log.warning("Discovery document of %s not read: %s", issuer, error)
        raise ProviderUnavailable(f"The discovery document at {url} could not be read.") from None
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"The discovery document at {url} is not a JSON object.")
    if document.get("issuer") != issuer:
        # OpenID Connect Discovery 4.3: the issuer must be the one asked for, exactly.
        log.warning("Discovery of %s names another issuer: %r", issuer, document.get("issuer"))
        raise ProviderUnavailable(
            f"The discovery document at {url} names another issuer than OIDC_ISSUER."
        )
    missing = [name for name in REQUIRED_ENDPOINTS if not isinstance(document.get(name), str)]
    if missing:
        raise ProviderUnavailable(f"The discovery document at {url} lacks {', '.join(missing)}.")
    cache.set(_cache_key(), document, DISCOVERY_CACHE_SECONDS)
    return document


def forget_discovery() -> None:
    cache.delete(_cache_key())


# --- What the claims say ---------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """A person as the provider describes them, read defensively from its claims."""

    subject: str
    email: str
    email_verified: bool
    groups: list[str] | None  # None: the provider's groups are not read (OIDC_GROUPS_CLAIM="")
    first_name: str
    last_name: str
    # An email claim was sent but is no readable address (not text, too long, a NUL).
    email_unreadable: bool = False


def _text(value: object, limit: int) -> str:
    """A claim's text, or "" when it is not text, is too long or holds a NUL."""
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        return ""
    return value.strip()


def read_groups(value: object) -> list[str]:
    """The groups claim as a list of names. A list keeps its text items (duplicates and
    impossible names dropped); one text is one group; anything else is no group."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return []
    groups: list[str] = []
    seen: set[str] = set()
    for item in value[:MAX_GROUPS]:
        name = _text(item, MAX_GROUP_LENGTH)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            groups.append(name)
    return groups


def _verified(value: object) -> bool:
    # Some providers send the boolean as text.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def read_identity(claims: Mapping) -> Identity:
    groups_claim = settings.OIDC_GROUPS_CLAIM
    email = _text(claims.get("email"), MAX_EMAIL_LENGTH)
    first_name = _text(claims.get("given_name"), 150)
    last_name = _text(claims.get("family_name"), 150)
    if not first_name and not last_name:
        # Only a full name ("Lena Lind"): its last word is taken as the family name.
        first_name, _, last_name = _text(claims.get("name"), 301).rpartition(" ")
        if not first_name:
            first_name, last_name = last_name, ""
    return Identity(
        subject=_text(claims.get("sub"), MAX_SUBJECT_LENGTH),
        email=email,
        email_unreadable=not email and claims.get("email") not in (None, ""),
        email_verified=_verified(claims.get(settings.OIDC_EMAIL_VERIFIED_CLAIM)),
        groups=read_groups(claims.get(groups_claim)) if groups_claim else None,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
    )
