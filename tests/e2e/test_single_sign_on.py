"""Single sign-on in Chromium against a real OpenID provider (oidc-provider, started for the
session by tests/identity/provider.py): lena's groups make her a leader and a member of
Security; victor, in no mapped group, gets the viewer's rights; an altered state or nonce and
an unverified email are refused with nobody signed in; signing out ends the provider's session
too."""

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from auditlog.models import LogEntry
from playwright.sync_api import Page, Route, expect

from identity.models import DirectoryAccount, GroupMapping
from seams.models import Membership, User
from tests.e2e import test_accessibility as accessibility
from tests.factories import TeamFactory

pytestmark = pytest.mark.e2e

# axe-core, as the accessibility journey installs it.
axe_script = accessibility.axe_script


@pytest.fixture
def mappings(db):
    security = TeamFactory(name="Security")
    GroupMapping.objects.create(group="seamline-leaders", role=GroupMapping.Role.LEADER)
    GroupMapping.objects.create(group="Security", team=security)
    return security


@pytest.fixture
def browser_page(page: Page) -> Page:
    # The provider's development pages import a web font; this machine has no internet.
    page.route(re.compile(r"^https://fonts\.(googleapis|gstatic)\.com/"), lambda r: r.abort())
    return page


def _start(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/")
    page.get_by_role("link", name="Sign in with single sign-on").click()


def _provider_sign_in(page: Page, username: str) -> None:
    """The provider's own login page by keyboard, then its consent page."""
    login = page.get_by_placeholder("Enter any login")
    expect(login).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("any password")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Continue").click()


def _signed_out(page: Page, base: str) -> None:
    page.goto(f"{base}/teams/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/teams/")


def _rewrite(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, value if k == name else v) for k, v in parse_qsl(parts.query)]
    assert name in dict(query), url
    return parts._replace(query=urlencode(query)).geturl()


def _alter_on_the_way(page: Page, target: str, name: str, value: str, when=lambda request: True):
    """A route handler that sends the request, follows its redirects until one leads to an
    address starting with `target`, and hands the browser that redirect with the query
    parameter `name` rewritten. (A route sees only the first request of a chain: the
    browser's own redirects pass it by, so they are followed here.)"""

    def handler(route: Route) -> None:
        if not when(route.request):
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        while response.status in (301, 302, 303, 307, 308):
            location = urljoin(response.url, response.headers["location"])
            if location.startswith(target):
                route.fulfill(
                    status=response.status, headers={"location": _rewrite(location, name, value)}
                )
                return
            response = page.request.get(location, max_redirects=0)
        route.fulfill(response=response)

    return handler


@pytest.mark.django_db(transaction=True)
def test_it_signs_lena_in_as_a_leader_and_out_through_the_provider(
    live_server, browser_page: Page, sso, mappings
):
    page, base = browser_page, live_server.url
    _start(page, base)
    expect(page).to_have_url(re.compile(rf"^{re.escape(sso.issuer)}/interaction/"))
    _provider_sign_in(page, "lena")

    user_menu = page.locator(".user-meta")
    expect(user_menu).to_contain_text("Lena Lind")
    expect(user_menu.locator(".role")).to_have_text("Leader")
    lena = User.objects.get(email="lena@example.com")
    assert list(lena.groups.values_list("name", flat=True)) == ["leader"]
    assert Membership.objects.filter(user=lena, team=mappings, role=Membership.Role.MEMBER).exists()
    account = DirectoryAccount.objects.get(user=lena)
    assert (account.oidc_issuer, account.oidc_subject) == (sso.issuer, "lena")
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(lena.pk))
    assert entry.additional_data["groups"] == ["seamline-leaders", "Security"]

    # A leader reads her own sign-in in the audit log.
    page.goto(f"{base}/audit/")
    row = page.get_by_role("row").filter(has_text="Signed in with single sign-on")
    expect(row).to_contain_text("seamline-leaders, Security")
    expect(row).to_contain_text("Lena Lind")

    # Signing out goes through the provider's end-session page and back to sign-in.
    page.locator("summary").filter(has_text="Lena Lind").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(sso.issuer)}/session/end"))
    page.get_by_role("button", name=re.compile("Yes, sign me out", re.I)).click()
    expect(page).to_have_url(f"{base}/accounts/login/")
    _signed_out(page, base)
    # The provider's session ended too: single sign-on asks for the login again.
    page.get_by_role("link", name="Sign in with single sign-on").click()
    expect(page.get_by_placeholder("Enter any login")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_it_gives_victor_in_no_mapped_group_the_viewers_rights(
    live_server, browser_page: Page, sso, mappings
):
    page, base = browser_page, live_server.url
    _start(page, base)
    _provider_sign_in(page, "victor")

    expect(page.locator(".user-meta .role")).to_have_text("Viewer")
    victor = User.objects.get(email="victor@example.com")
    assert not victor.groups.exists()
    assert not Membership.objects.filter(user=victor).exists()
    response = page.goto(f"{base}/contracts/new/")
    assert response.status == 403


@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_altered_state(live_server, browser_page: Page, sso, mappings):
    page, base = browser_page, live_server.url

    # The consent's answer redirects (through the provider) to Seamline's callback.
    page.route(
        f"{sso.issuer}/interaction/*",
        _alter_on_the_way(
            page,
            f"{base}/oidc/callback/",
            "state",
            "altered",
            when=lambda request: "prompt=consent" in (request.post_data or ""),
        ),
    )
    _start(page, base)
    _provider_sign_in(page, "lena")

    expect(page.get_by_role("alert")).to_contain_text("This sign-in could not be checked")
    expect(page.get_by_role("alert")).to_contain_text("Nobody was signed in.")
    assert not User.objects.exists()
    page.get_by_role("link", name="Back to sign-in").click()
    expect(page).to_have_url(f"{base}/accounts/login/")
    _signed_out(page, base)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_altered_nonce(live_server, browser_page: Page, sso, mappings):
    page, base = browser_page, live_server.url
    # Seamline's start redirects to the provider's authorization endpoint, nonce and all.
    page.route(
        f"{base}/oidc/authenticate/**",
        _alter_on_the_way(page, f"{sso.authorize_url}?", "nonce", "a-nonce-seamline-never-made"),
    )
    _start(page, base)
    _provider_sign_in(page, "lena")

    expect(page.get_by_role("alert")).to_contain_text(
        "Your identity provider's answer could not be verified"
    )
    assert not User.objects.exists()
    _signed_out(page, base)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_mallory_whose_email_is_unverified(
    live_server, browser_page: Page, sso, mappings
):
    page, base = browser_page, live_server.url
    _start(page, base)
    _provider_sign_in(page, "mallory")

    expect(page.get_by_role("alert")).to_contain_text("Your email address is not verified")
    assert not User.objects.exists()
    _signed_out(page, base)


@pytest.mark.django_db(transaction=True)
def test_its_sign_in_and_refusal_pages_pass_axe(
    live_server, browser_page: Page, sso, settings, axe_script
):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    expect(page.get_by_role("link", name="Sign in with single sign-on")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    problems = accessibility._findings(page, axe_script)

    settings.PASSWORD_LOGIN = False
    page.reload()
    expect(page.get_by_label("Password")).to_have_count(0)
    problems += accessibility._findings(page, axe_script)

    page.goto(f"{base}/oidc/callback/?code=a&state=b")
    expect(page.get_by_role("alert")).to_contain_text("This sign-in could not be checked")
    problems += accessibility._findings(page, axe_script)
    assert not problems, "\n".join(problems)
