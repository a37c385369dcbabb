"""Single sign-ons in the audit log (identity.signals): each sign-in is an "accessed" entry on
the person, with the provider, the subject and the groups it sent; each refused one is a
refused request, with the reason."""

from auditlog.models import LogEntry
from django.http import HttpRequest

from audit.middleware import _remote_addr
from audit.models import RefusedWrite
from identity.oidc import REFUSALS
from identity.signals import sso_refused, sso_signed_in

# additional_data["kind"] of a single sign-on's entry.
SSO_SIGN_IN = "sso_sign_in"


def connect() -> None:
    sso_signed_in.connect(log_sso_sign_in, dispatch_uid="seamline-audit-sso-sign-in")
    sso_refused.connect(log_sso_refusal, dispatch_uid="seamline-audit-sso-refused")


def log_sso_sign_in(sender, request: HttpRequest, user, issuer: str, subject: str, groups, **kw):
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=user,
        actor_email=user.email or None,
        remote_addr=_remote_addr(request),
        changes={},
        additional_data={
            "kind": SSO_SIGN_IN,
            "issuer": issuer,
            "subject": subject,
            "groups": groups,
        },
    )


def log_sso_refusal(sender, request: HttpRequest, reason: str, issuer: str, **kw) -> None:
    user = kw.get("user")
    status, title, _ = REFUSALS.get(reason, (403, reason, ""))
    email = kw.get("email") or ""
    who = f" ({email})" if email else ""
    RefusedWrite.objects.create(
        user=user,
        username=(user.get_username() if user else email)[:150],
        remote_addr=_remote_addr(request),
        method=request.method[:10],
        path=request.path[:500],
        view_name=_view_name(request),
        target={"issuer": issuer[:200], "subject": (kw.get("subject") or "")[:200]},
        status=status,
        reason=f"Single sign-on refused{who}: {title}."[:500],
    )


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match else "")[:200]
