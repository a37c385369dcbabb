"""Production hardening: the deploy check, security headers, the Content Security Policy (also
in a real browser), and how the environment relaxes them for development.

This module is also the URLconf of the API docs tests: the project's URLs with /api/docs/
served by config.views.api_docs, the view that works under the policy.
"""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_required
from django.core.management import call_command
from django.core.management.utils import get_random_secret_key
from django.urls import path
from playwright.sync_api import Page, expect

import config.urls
from config.views import api_docs
from seams.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

urlpatterns = [
    path("api/docs/", login_required(api_docs), name="api-docs"),
    *config.urls.urlpatterns,
]
handler404 = config.urls.handler404
handler500 = config.urls.handler500
with_csp_docs = pytest.mark.urls("tests.test_production_settings")

PRINT = """
import json
from django.conf import settings
names = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY", "AXES_ENABLED", "AXES_FAILURE_LIMIT",
]
values = {name: getattr(settings, name) for name in names}
values["AXES_COOLOFF_MINUTES"] = settings.AXES_COOLOFF_TIME.total_seconds() / 60
values["THROTTLE_RATES"] = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
values["NUM_PROXIES"] = settings.REST_FRAMEWORK["NUM_PROXIES"]
values["PROXY_COUNT"] = settings.PROXY_COUNT
values["CSP"] = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
print(json.dumps(values))
"""
# Variables this module sets; any other in the environment (DATABASE_URL, …) passes through.
ENV_NAMES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_COOKIES",
    "HTTPS_REDIRECT_BY_PROXY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CSP_REPORT_URI",
    "LOGIN_LOCKOUT",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_MINUTES",
    "API_THROTTLE_ANON",
    "API_THROTTLE_USER",
    "PROXY_COUNT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by conftest.py for live-server tests
)
PRODUCTION = {"SECRET_KEY": get_random_secret_key(), "ALLOWED_HOSTS": "seamline.example.com"}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    return subprocess.run(
        [sys.executable, *args],
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_for(**env: str) -> dict:
    result = run(["-c", PRINT], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def sha256_source(snippet: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(snippet.encode()).digest()).decode() + "'"


# --- The deploy check and the environment -------------------------------------------------


def test_the_deploy_check_passes_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deploy_check_passes_when_the_proxy_redirects_to_https():
    env = {**PRODUCTION, "HTTPS_REDIRECT_BY_PROXY": "1"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert settings_for(**env)["SECURE_SSL_REDIRECT"] is False


def test_the_deploy_check_still_catches_an_insecure_setting():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        SECURE_HSTS_SECONDS="0",
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_production_is_secure_by_default():
    s = settings_for(**PRODUCTION)
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_HSTS_PRELOAD"] is True
    assert s["SESSION_COOKIE_SECURE"] is s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert (s["AXES_ENABLED"], s["AXES_FAILURE_LIMIT"], s["AXES_COOLOFF_MINUTES"]) == (
        True,
        5,
        15,
    )
    assert s["THROTTLE_RATES"] == {"anon": "60/min", "user": "600/min"}
    assert s["PROXY_COUNT"] == s["NUM_PROXIES"] == 0
    assert "report-uri" not in s["CSP"] or s["CSP"]["report-uri"] is None


def test_debug_relaxes_what_needs_https():
    s = settings_for(DEBUG="1")
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert s["SESSION_COOKIE_SECURE"] is s["CSRF_COOKIE_SECURE"] is False
    # What costs nothing over plain HTTP stays on, so development sees what production does.
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["CSP"]["script-src"][0] == "'self'"


def test_plain_http_deployments_turn_off_https_only_behaviour():
    """docker compose on a laptop: DEBUG off, served over plain HTTP."""
    s = settings_for(**PRODUCTION, SECURE_COOKIES="0")
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert s["SESSION_COOKIE_SECURE"] is False


def test_the_environment_tunes_hsts_lockout_throttles_proxies_and_csp_reports():
    s = settings_for(
        **PRODUCTION,
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_HSTS_PRELOAD="0",
        LOGIN_FAILURE_LIMIT="10",
        LOGIN_LOCKOUT_MINUTES="60",
        API_THROTTLE_ANON="10/min",
        API_THROTTLE_USER="1000/hour",
        CSP_REPORT_URI="https://csp.example.com/report",
        PROXY_COUNT="2",
    )
    assert (s["SECURE_HSTS_SECONDS"], s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]) == (3600, False)
    assert s["SECURE_HSTS_PRELOAD"] is False
    assert (s["AXES_FAILURE_LIMIT"], s["AXES_COOLOFF_MINUTES"]) == (10, 60)
    assert s["THROTTLE_RATES"] == {"anon": "10/min", "user": "1000/hour"}
    assert s["CSP"]["report-uri"] == "https://csp.example.com/report"
    assert s["PROXY_COUNT"] == s["NUM_PROXIES"] == 2
    assert settings_for(**PRODUCTION, LOGIN_LOCKOUT="0")["AXES_ENABLED"] is False


# --- Headers ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_carries_the_security_headers(viewer_client):
    response = viewer_client.get("/teams/", secure=True)  # ("/" now redirects to the landing)
    assert response.status_code == 200
    csp = dict(
        directive.partition(" ")[::2]
        for directive in response["Content-Security-Policy"].split("; ")
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_sign_in_page_and_error_pages_carry_the_policy_too(client, viewer_client):
    assert "frame-ancestors 'none'" in client.get("/accounts/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in viewer_client.get("/nowhere/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_plain_http_is_redirected_except_health_checks(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # production's value; the suite turns it off
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code == 200
    # Behind the proxy, a request that arrived over HTTPS is not redirected.
    forwarded = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert forwarded.status_code == 200


# --- The policy and the templates --------------------------------------------------------


def _template_sources() -> dict[Path, str]:
    return {path: path.read_text() for path in TEMPLATES.rglob("*.html")}


def test_templates_have_no_inline_styles_or_scripts():
    """The policy refuses them: a style attribute would be ignored, a script not run."""
    offences = [
        f"{template.relative_to(ROOT)}: {pattern}"
        for template, source in _template_sources().items()
        for pattern in (r"\sstyle=", r"<style", r"<script(?![^>]*\ssrc=)")
        if re.search(pattern, source)
    ]
    assert offences == []


def test_templates_have_no_inline_handlers_or_javascript_urls():
    """The policy runs no inline code at all: behaviours live in static/js/seamline.js."""
    offences = [
        f"{template.relative_to(ROOT)}: {match.group(0)}"
        for template, source in _template_sources().items()
        for match in re.finditer(r'\son[a-z]+=|href="javascript:', source)
    ]
    assert offences == []


@with_csp_docs
@pytest.mark.django_db
def test_the_api_docs_need_only_their_own_stylesheet_hash(viewer_client):
    response = viewer_client.get("/api/docs/")
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)  # the start-up script has a URL
    [style] = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    policy = response["Content-Security-Policy"]
    directives = dict(directive.partition(" ")[::2] for directive in policy.split("; "))
    assert directives["style-src"] == f"'self' {sha256_source(style)}"
    assert directives["script-src"] == "'self'"

    script_url = re.search(r'<script src="(/api/docs/\?[^"]*)"', page).group(1)
    script = viewer_client.get(script_url.replace("&amp;", "&"))
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


# --- In a real browser -------------------------------------------------------------------

REPORT_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


# Long: every kind of page under the one policy, in one browser session.
@pytest.mark.e2e
@with_csp_docs
@pytest.mark.django_db(transaction=True)
def test_pages_htmx_and_the_api_docs_work_under_the_policy(live_server, page: Page):
    call_command("seed_demo", verbosity=0)
    page.add_init_script(REPORT_VIOLATIONS)
    violations = []

    def visit(url: str) -> None:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        violations.extend(f"{url}: {v}" for v in page.evaluate("window.cspViolations"))

    visit("/accounts/login/")
    page.get_by_label("Username").fill("elena")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    for url in (
        "/",
        "/review/",
        "/my-seams/",
        "/teams/",
        "/seams/",
        "/seams/custom-integration-intake/",
        "/seams/custom-integration-intake/spec/",
        "/seams/custom-integration-intake/spec/edit/",
        "/contracts/",
        "/decisions/",
        "/escalations/",
        "/dependencies/",
        "/handoffs/",
        "/account/",
        "/accounts/password_change/",
        "/nowhere/",
    ):
        visit(url)

    # htmx still filters the seam list in place.
    visit("/seams/")
    page.evaluate("window.notReloaded = true")
    rows = page.locator("#seam-table tbody tr")
    before = rows.count()
    page.get_by_label("Search").fill("integration")
    expect(rows).not_to_have_count(before)
    expect(page).to_have_url(re.compile(r"q=integration"))
    assert page.evaluate("window.notReloaded") is True

    # Swagger UI renders the schema and calls the API.
    visit("/api/docs/")
    operation = page.locator("#operations-v1-v1_teams_list")
    operation.locator("button.opblock-summary-control").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_contain_text("200")
    violations.extend(page.evaluate("window.cspViolations"))

    assert violations == []
