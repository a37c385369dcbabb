"""Single sign-on's settings from the environment (imported fresh in a subprocess)."""

import json
import os
import subprocess
import sys

from tests.test_settings import ROOT

PRINT = """
import json
from django.conf import settings
print(json.dumps({
    "issuer": settings.OIDC_ISSUER,
    "client_id": settings.OIDC_RP_CLIENT_ID,
    "secret": settings.OIDC_RP_CLIENT_SECRET,
    "scopes": settings.OIDC_RP_SCOPES,
    "groups_claim": settings.OIDC_GROUPS_CLAIM,
    "create": settings.OIDC_CREATE_USER,
    "password_login": settings.PASSWORD_LOGIN,
    "pkce": settings.OIDC_USE_PKCE,
    "nonce": settings.OIDC_USE_NONCE,
    "store_id_token": settings.OIDC_STORE_ID_TOKEN,
    "algorithm": settings.OIDC_RP_SIGN_ALGO,
    "form_action": [str(v) for v in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]],
}))
"""


NAMES = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_SCOPES", "PASSWORD_LOGIN")


def _settings(**env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_") and k not in NAMES}
    result = subprocess.run(
        [sys.executable, "-c", PRINT],
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "k", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_has_single_sign_on_off_and_passwords_on_by_default():
    s = _settings()
    assert s["issuer"] == ""
    assert s["client_id"] == ""
    assert s["password_login"] is True
    assert s["scopes"] == "openid email profile"
    assert s["groups_claim"] == "groups"
    assert s["create"] is True
    assert (s["pkce"], s["nonce"], s["store_id_token"]) == (True, True, True)
    assert s["algorithm"] == "RS256"
    assert s["form_action"] == ["'self'"]


def test_it_reads_single_sign_on_from_the_environment():
    s = _settings(
        OIDC_ISSUER="https://login.microsoftonline.com/tenant-id/v2.0",
        OIDC_CLIENT_ID="app-id",
        OIDC_CLIENT_SECRET="s3cret",
        OIDC_SCOPES="openid email profile groups",
        OIDC_GROUPS_CLAIM="roles",
        OIDC_CREATE_USERS="0",
        PASSWORD_LOGIN="0",
    )
    assert s["issuer"] == "https://login.microsoftonline.com/tenant-id/v2.0"
    assert (s["client_id"], s["secret"]) == ("app-id", "s3cret")
    assert s["scopes"] == "openid email profile groups"
    assert s["groups_claim"] == "roles"
    assert s["create"] is False
    assert s["password_login"] is False
    # The sign-out form's answer may redirect to the provider's end-session page.
    assert s["form_action"] == ["'self'", "https://login.microsoftonline.com"]
