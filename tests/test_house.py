"""The layout STYLE.md describes, read from the code itself (*Where things live*).

Imports flow one way down the list of apps: `common` imports no app, `seams` only `common`,
`contracts` the two above, and so on; nothing imports `audit`, and no app imports the project's
`config/`. The core doesn't name a later app even in a string (a model label, a URL name, a
lazy import). And no file is over 600 lines, no function over 50, outside migrations and demo
data, unless a comment says why: `# Long file: …` anywhere in the file, `# Long: …` on the
line above the function (or above its decorators).
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Apps in import order, as settings install them: each may import those before it.
APPS = [app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()]
# Below `metrics` the apps "import what they need": any app but `audit`.
PEERS = {"onboarding", "identity", "connections"}
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 50
# Demo data: long by nature (a world of teams, seams and months written out).
DEMO_DATA = {"demo.py", "demo_plan.py"}
CODE_DIRS = [*APPS, "config", "tests", "bench"]


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def python_files(*dirs: str, migrations: bool = False) -> list[Path]:
    found = []
    for name in dirs:
        for path in sorted((ROOT / name).rglob("*.py")):
            if not migrations and "migrations" in path.parts:
                continue
            found.append(path)
    return found


def app_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def imported_apps(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level package) for every import in the module, lazy ones included."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def allowed(importer: str, imported: str) -> bool:
    if imported == importer:
        return True
    if imported == "audit" or imported == "config":
        return False
    if importer in PEERS:
        return imported in APPS
    return APPS.index(imported) < APPS.index(importer)


def import_findings(source: str, path: str) -> list[Finding]:
    importer = path.split("/")[0]
    return [
        Finding(path, line, f"{importer} imports {imported}")
        for line, imported in imported_apps(ast.parse(source))
        if imported in [*APPS, "config"] and not allowed(importer, imported)
    ]


LATER = [app for app in APPS if app not in ("common", "seams")]
# "metrics.Review", "metrics:teams", "decisions.models": a later app named in the core.
NAMED = re.compile(rf"\b({'|'.join(LATER)})[.:][A-Za-z_]")


def string_findings(source: str, path: str) -> list[Finding]:
    """Strings in the core that name a later app's model, URL or module, and
    `apps.get_model("metrics", …)`-style lookups of a later app by its label."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if match := NAMED.search(node.value):
                found.append(Finding(path, node.lineno, f"names {match.group(0)}…"))
        elif isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            if (
                isinstance(first, ast.Constant)
                and first.value in LATER
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "get_model"
            ):
                found.append(Finding(path, node.lineno, f"looks up a model of {first.value}"))
    return found


TEMPLATE_URL = re.compile(rf"""{{%\s*url\s+["']({"|".join(LATER)}):""")


def template_findings(text: str, path: str) -> list[Finding]:
    return [
        Finding(path, number, "links to a later app's URL")
        for number, line in enumerate(text.splitlines(), 1)
        if TEMPLATE_URL.search(line)
    ]


def size_findings(source: str, path: str) -> list[Finding]:
    lines = source.splitlines()
    found = []
    if len(lines) > MAX_FILE_LINES and not any(
        line.lstrip().startswith("# Long file:") for line in lines
    ):
        found.append(Finding(path, 1, f"{len(lines)} lines"))
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = node.end_lineno - node.lineno + 1
        top = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        above = lines[top - 2].strip() if top >= 2 else ""
        if length > MAX_FUNCTION_LINES and not above.startswith("# Long:"):
            found.append(Finding(path, node.lineno, f"{node.name} is {length} lines"))
    return found


def read(path: Path) -> tuple[str, str]:
    return path.read_text(), str(path.relative_to(ROOT))


def test_settings_install_every_app_in_import_order():
    on_disk = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert on_disk == set(APPS), f"an app not installed: {on_disk - set(APPS)}"
    assert APPS[:2] == ["common", "seams"]
    assert APPS[-1] == "audit"


def test_it_keeps_imports_flowing_down_the_apps():
    findings = []
    for path in python_files(*APPS):
        findings += import_findings(*read(path))
    assert not findings, "\n".join(map(str, findings))


def test_it_keeps_later_apps_out_of_the_cores_strings_and_templates():
    findings = []
    for path in python_files("seams", "common", migrations=True):
        findings += string_findings(*read(path))
    for path in sorted((ROOT / "templates" / "seams").rglob("*.html")):
        findings += template_findings(*read(path))
    assert not findings, "\n".join(map(str, findings))


def test_it_keeps_files_and_functions_short():
    findings = []
    for path in python_files(*CODE_DIRS):
        if path.name not in DEMO_DATA:
            findings += size_findings(*read(path))
    assert not findings, "\n".join(map(str, findings))


# The checks themselves, on made-up code: each must catch what it is for.
@pytest.mark.parametrize(
    ("path", "source", "caught"),
    [
        ("common/x.py", "from seams.models import Seam", True),
        ("common/x.py", "def f():\n    import metrics.engine", True),
        ("seams/x.py", "from contracts import catalogue", True),
        ("seams/x.py", "from common import outbox\nfrom django.db import models", False),
        ("contracts/x.py", "import config.settings", True),
        ("metrics/x.py", "from decisions.models import Decision", False),
        ("decisions/x.py", "from metrics.engine import compute", True),
        ("onboarding/x.py", "from identity.models import X\nfrom metrics import engine", False),
        ("identity/x.py", "from audit.models import RefusedWrite", True),
        ("audit/x.py", "from onboarding.models import GuidedStart", False),
    ],
)
def test_the_import_rule_catches_what_it_should(path, source, caught):
    assert bool(import_findings(source, path)) is caught


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ('LABEL = "metrics.Review"', True),
        ('NAV = [("Review", "metrics:review")]', True),
        ('apps.get_model("decisions", "Decision")', True),
        ('"""Durations are stored, so the metrics never walk calendars."""', False),
        ('reverse("seams:detail")', False),
    ],
)
def test_the_string_rule_catches_what_it_should(source, caught):
    assert bool(string_findings(source, "seams/x.py")) is caught


def test_the_template_rule_catches_a_later_apps_url():
    assert template_findings("""<a href="{% url 'metrics:seam' s.slug %}">""", "t.html")
    assert not template_findings("""<a href="{% url 'seams:detail' s.slug %}">""", "t.html")


def test_the_size_rule_allows_a_long_function_only_with_a_reason():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert size_findings(f"def f():\n{body}\n", "x.py")
    assert not size_findings(f"# Long: one table, read top to bottom.\ndef f():\n{body}\n", "x.py")
    assert not size_findings(f"# Long: why.\n@decorated\ndef f():\n{body}\n", "x.py")
    long_file = "x = 1\n" * (MAX_FILE_LINES + 1)
    assert size_findings(long_file, "x.py")
    assert not size_findings("# Long file: a table.\n" + long_file, "x.py")
