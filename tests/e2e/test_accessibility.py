"""Every main page, as the people who use it see it, checked in Chromium by axe-core (no
critical or serious finding) and by the browser itself (no Content-Security-Policy violation
in the console; tests/e2e/conftest.py also fails any journey on a refused style or script).

axe-core comes from the npm registry: the first run installs it into `.cache/axe-core/`
(`npm install axe-core@4`); later runs reuse it.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from seams.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE_DIR = ROOT / ".cache" / "axe-core"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.11"


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is missing: axe-core is installed from the npm registry")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(AXE_DIR),
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE


# What each kind of person opens in a working week: (who, path). The seam and contract are the
# demo's; {seam} and {contract} are filled in from it.
PAGES = [
    ("elena", "/review/"),
    ("elena", "/review/?pack=1"),
    ("elena", "/review/seams/{seam}/"),
    ("elena", "/metrics/"),
    ("elena", "/actions/"),
    ("elena", "/contracts/"),
    ("elena", "/contracts/{contract}/"),
    ("elena", "/audit/"),
    ("priya", "/my-seams/"),
    ("priya", "/seams/"),
    ("priya", "/seams/{seam}/spec/"),
    ("priya", "/teams/"),
    ("olivia", "/today/"),
    ("olivia", "/decisions/"),
    ("olivia", "/escalations/"),
    ("olivia", "/dependencies/"),
    ("olivia", "/handoffs/"),
    ("olivia", "/handoffs/import/"),
    ("olivia", "/decisions/import/"),
    ("victor", "/review/"),
    ("victor", "/account/"),
    ("victor", "/connections/subscriptions/"),
    ("elena", "/connections/channels/"),
    ("elena", "/connections/channels/new/"),
    ("elena", "/connections/deliveries/"),
    ("elena", "/sign-in/groups/"),
    ("elena", "/initiatives/eu-enterprise-launch/"),
]


def _sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _findings(page: Page, axe: Path) -> list[str]:
    # Evaluated through the DevTools protocol, which the page's CSP (no inline script, rightly)
    # does not govern; a <script> tag would be refused.
    page.evaluate(axe.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(json.dumps(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.mark.django_db(transaction=True)
def test_every_main_page_passes_axe_and_the_content_security_policy(live_server, page, axe_script):
    from contracts.models import Contract
    from seams.models import Seam

    call_command("seed_demo", verbosity=0)
    seam = Seam.objects.order_by("name").first().slug
    contract = Contract.objects.order_by("title").first().slug
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    problems, signed_in_as = [], None
    for who, path in PAGES:
        if who != signed_in_as:
            _sign_in(page, live_server.url, who)
            signed_in_as = who
        url = live_server.url + path.format(seam=seam, contract=contract)
        console.clear()
        response = page.goto(url)
        assert response is not None, f"{who} {path}: no response"
        assert response.ok, f"{who} {path}: {response.status}"
        page.wait_for_load_state("networkidle")
        problems += [f"{who} {path}: {finding}" for finding in _findings(page, axe_script)]
        problems += [f"{who} {path}: console: {text}" for text in console]
    assert not problems, "\n".join(problems)
