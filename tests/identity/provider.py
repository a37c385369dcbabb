"""A real OpenID provider for the single sign-on tests: oidc-provider (certified, pinned in
tests/identity/op/package-lock.json) run with node, for the whole session.

`openid_provider` starts it on a free port, its client's redirect URIs being the live server's
callback and the test client's (http://testserver/...); `sso` points Seamline at it for one
test; `sign_in_with_provider` walks the provider's development login and consent pages with
`requests` and hands the answer to Django's test client.
"""

import copy
import html
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from identity.oidc import forget_discovery

OP_DIR = Path(__file__).parent / "op"
CLIENT_ID = "seamline"
CLIENT_SECRET = "seamline-test-secret"
TEST_CLIENT = "http://testserver"


@dataclass(frozen=True)
class Provider:
    issuer: str

    @property
    def authorize_url(self) -> str:
        return f"{self.issuer}/auth"


def _free_port() -> int:
    """A port the system picks: two test runs side by side (CI runs SQLite's beside
    PostgreSQL's) never reach for the same one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _missing(what: str) -> None:
    if os.environ.get("SEAMLINE_REQUIRE_BROWSER"):
        pytest.fail(f"{what} is missing: apt-get install -y nodejs npm")
    pytest.skip(f"{what} is missing: apt-get install -y nodejs npm")


@pytest.fixture(scope="session")
def openid_provider(live_server):
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _missing("node or npm")
    if not (OP_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=OP_DIR, check=True, timeout=300)
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORT": str(port),
        "REDIRECT_URIS": f"{live_server.url}/oidc/callback/,{TEST_CLIENT}/oidc/callback/",
        "POST_LOGOUT_REDIRECT_URIS": (
            f"{live_server.url}/accounts/login/,{TEST_CLIENT}/accounts/login/"
        ),
    }
    process = subprocess.Popen(
        [node, "op.mjs"],
        cwd=OP_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_discovery(issuer, process)
        yield Provider(issuer=issuer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_discovery(issuer: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The provider stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            answer = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
        except requests.RequestException as error:
            # Still starting: node takes a moment to listen. The last error is reported below.
            last_error = repr(error)
        else:
            if answer.ok and process.poll() is None:
                return
            last_error = f"HTTP {answer.status_code}"
        time.sleep(0.2)
    raise RuntimeError(
        f"The provider did not answer its discovery URL within 30 s (last: {last_error})."
    )


@pytest.fixture
def sso(settings, openid_provider) -> Provider:
    """Seamline's single sign-on pointed at the test provider, groups requested."""
    settings.OIDC_ISSUER = openid_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    # As config/settings.py allows the issuer's origin as a form's target (signing out).
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(openid_provider.issuer)
    settings.CONTENT_SECURITY_POLICY = policy
    forget_discovery()
    yield openid_provider
    forget_discovery()


def _form_action(page: requests.Response) -> str:
    match = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert match, f"No form on the provider's page {page.url}:\n{page.text[:500]}"
    return urljoin(page.url, html.unescape(match.group(1)))


def provider_answer(authorize_url: str, username: str) -> str:
    """Sign in as `username` on the provider's development pages (any password) and consent;
    the URL the provider sends the browser back to (Seamline's callback, with code and state,
    or with an error)."""
    browser = requests.Session()
    login_page = browser.get(authorize_url, timeout=10)
    response = browser.post(
        _form_action(login_page),
        data={"prompt": "login", "login": username, "password": "any"},
        allow_redirects=False,
        timeout=10,
    )
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(authorize_url))
    consented = False
    while True:
        assert response.status_code in (302, 303), response.text[:500]
        location = urljoin(response.url, response.headers["Location"])
        if not location.startswith(origin + "/"):
            return location  # back to Seamline
        page = browser.get(location, allow_redirects=False, timeout=10)
        if page.status_code == 200 and not consented:
            consented = True
            response = browser.post(
                _form_action(page), data={"prompt": "consent"}, allow_redirects=False, timeout=10
            )
        else:
            response = page


def sign_in_with_provider(client, username: str, *, next_url: str = "/"):
    """The whole single sign-on through the test client: Seamline's answer to the callback."""
    start = client.get("/oidc/authenticate/", {"next": next_url})
    assert start.status_code == 302, start.content[:500]
    callback = provider_answer(start["Location"], username)
    assert callback.startswith(f"{TEST_CLIENT}/oidc/callback/"), callback
    return client.get(callback.removeprefix(TEST_CLIENT))
