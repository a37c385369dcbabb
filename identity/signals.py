"""What identity tells later apps (the audit log listens; identity never names them).

sso_signed_in: a person signed in with single sign-on.
    request, user, issuer, subject, groups (the groups claim as read, or None)
sso_refused: a single sign-on was refused; nobody was signed in.
    request, reason (a key of identity.oidc.REFUSALS), issuer, subject, email, user (or None)
"""

from django.dispatch import Signal

sso_signed_in = Signal()
sso_refused = Signal()
