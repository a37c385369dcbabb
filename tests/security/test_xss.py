"""XSS: payloads stored in every user-written text field come back as text, never as markup.

The sample organisation is built three times; each time every user text field (names, titles,
descriptions, summaries, questions, outcomes, notes, checklists, forums, root causes, action
titles, misses, spec templates, people's names…) holds its own marker between two payloads,
one of them at the start (where `javascript:` and a spreadsheet formula bite). Then every page,
htmx partial, JSON answer and CSV export a leader can open is read:

- HTML: no element from a payload (no `on*` handler or `javascript:` link carrying them, no
  <script> but the app's own files under /static/), the payload escaped as text, and the
  template syntax `{{7*7}}` shown as typed, not evaluated;
- JSON: the stored text comes back as the same plain string;
- CSV: no cell starts like a formula (common/export.py puts an apostrophe first).
Every field's marker must turn up somewhere, so a field no page shows is noticed.
"""

import csv
import io
import json
import logging
from html import escape, unescape
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models

from common.export import FORMULA_STARTS
from metrics import engine
from tests.security.conftest import all_routes, fingerprint, sample_world, send, url_for
from tests.security.permission_matrix import MATRIX
from tests.security.test_permission_matrix import BODIES, HTMX_ROUTES

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
TEMPLATE = "{{7*7}}"
TEXTAREA = "</textarea><svg onload=alert(1)>"
JS_STRING = "'-alert(1)-'"
FORMULA = '=HYPERLINK("http://x")'
PAYLOADS = [SCRIPT, IMG, JS_URL, TEMPLATE, TEXTAREA, JS_STRING, FORMULA]
# (at the start, at the end) of every text, in each of the three rounds: the start is where
# a URL scheme and a spreadsheet formula take effect. Every payload is in some round.
ROUNDS = [
    (FORMULA, SCRIPT),
    (JS_URL, IMG),
    (JS_STRING, f"{TEXTAREA} {TEMPLATE}"),
]
# Markup a payload would have made, had it been rendered as HTML.
RAW_MARKUP = ["<script>alert", "<img src=x", "<svg onload", "</textarea><svg"]

labels_said: list[str] = []


def say_with(start: str, end: str):
    def say(label: str) -> str:
        labels_said.append(label)
        return f"{start} [{label}] {end}"

    return say


@pytest.fixture(scope="module", params=range(len(ROUNDS)), ids=["formula", "js-url", "quote"])
def xss_world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    start, end = ROUNDS[request.param]
    labels_said.clear()
    say = say_with(start, end)
    with sample_world(django_db_blocker, tmp_path_factory.mktemp("media"), say=say) as world:
        world.round = ROUNDS[request.param]
        world.labels = sorted(set(labels_said))
        yield world


# --- What is read --------------------------------------------------------------------------------

ROUTES = [route for route in all_routes() if route.name in MATRIX]
# Everything a leader may GET (a leader sees every page), but the docs and the schema (no data).
PAGES = [
    route
    for route in ROUTES
    if MATRIX[route.name]["GET"]["leader"] == "ok"
    and route.name not in {"api-schema", "api-docs", "logout", "healthz"}
]
THIS_MONTH = f"{engine.current_month():%Y-%m}"
LAST_MONTH = f"{engine.previous_month(engine.current_month()):%Y-%m}"
# Views of the same data in other shapes, and parameters pages echo back.
MORE_PAGES = [
    "/review/?contract=launch",
    "/review/?pack=1",
    f"/review/?month={LAST_MONTH}",
    "/decisions/agenda/?contract=launch",
    "/seams/intake/spec/compare/?a=1&b=2",
    "/seams/intake/spec/versions/2/",
    f"/metrics/?month={LAST_MONTH}",
    "/actions/?show=open",
    "/seams/legal-review/",
    "/metrics/?part=run",
    "/start/spec/?template=standard",
]
REFLECTED = [
    "/seams/?q={p}",
    "/handoffs/?q={p}&approval_type={p}",
    "/decisions/?q={p}&decision_type={p}",
    "/review/?contract={p}",
    "/review/?status={p}",
    "/metrics/?month={p}",
    "/escalations/?from={p}&to={p}",
    "/audit/?q={p}",
    "/no-such-page/{p}/",
]
CSV_EXPORTS = [
    "/handoffs/export.csv",
    f"/metrics/export.csv?month={THIS_MONTH}",
    f"/metrics/export.csv?month={LAST_MONTH}",
    f"/review/export.csv?month={LAST_MONTH}",
    "/review/export.csv?contract=launch",
    "/audit/export.csv",
    "/start/data/example.csv",
]


def _echo_posts(world) -> list[tuple[str, dict, dict]]:
    """Forms sent back with their errors, and htmx partials rendered after a write: the text
    typed (a payload) must come back escaped in the form's fields."""
    typed = f"{world.round[0]} [typed] {world.round[1]}"
    spec = world.seam.spec
    htmx = {"HX-Request": "true"}
    return [
        ("/escalations/", {"summary": typed, "severity": "low", "cause": "other"}, {}),
        ("/seams/new/", {"name": typed, "description": typed}, {}),
        ("/decisions/log/", {"question": typed, "decision_type": typed}, htmx),
        ("/start/seams/misses/", {"text": typed}, htmx),
        ("/start/cadence/decisions/", {"question": typed, "seam": world.seam.pk}, htmx),
        (
            "/seams/intake/spec/edit/notes/",
            {"notes": typed, "base_version": spec.version, "note": typed},
            htmx,
        ),
        # A stale version: the conflict page shows both sides' changes.
        (
            "/seams/intake/spec/edit/notes/",
            {"notes": typed, "base_version": 1, "note": typed},
            htmx,
        ),
        ("/seams/intake/spec/edit/", {"notes": typed, "base_version": 1, "note": typed}, {}),
        ("/contracts/new/", {"title": typed, "scope": typed}, {}),
        ("/spec-templates/new/", {"name": typed, "description": typed, "forum": typed}, {}),
        (f"/reviews/{world.review.pk}/seams/intake/root-cause/", {"text": typed}, htmx),
    ]


# --- Reading HTML --------------------------------------------------------------------------------


class Markup(HTMLParser):
    """Every element and attribute of a page, and the text of its scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if "alert" in name:
                self.problems.append(f"<{tag}> has an attribute made of text: {name!r}")
            if name.startswith("on") and "alert" in value:
                self.problems.append(f"<{tag} {name}={value!r}>")
            is_url = name in ("href", "src", "action", "formaction", "xlink:href", "hx-get")
            if is_url and value.strip().lower().startswith("javascript:") and "alert" in value:
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            src = values.get("src", "")
            if not src.startswith("/"):
                self.problems.append(f"<script> not from the app's own files: {values!r}")
            self.in_script = True
        if tag in ("img", "svg") and ("onerror" in values or "onload" in values):
            self.problems.append(f"<{tag}> with a handler: {values!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


def html_problems(page: str) -> list[str]:
    problems = [f"raw {raw!r}" for raw in RAW_MARKUP if raw in page]
    if "&gt; 49" in page or "> 49 " in page:
        problems.append("{{7*7}} was evaluated")
    parser = Markup()
    parser.feed(page)
    parser.close()
    return problems + parser.problems


def json_problems(data, stored: set[str]) -> list[str]:
    """Strings carrying a payload must carry it exactly as stored: never HTML-escaped."""
    problems = []

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and ("alert(1)" in value or "HYPERLINK" in value):
            if "&lt;" in value or "&quot;" in value or "&#" in value:
                problems.append(f"escaped in JSON: {value!r}")
            elif value not in stored and not any(text in value for text in stored):
                problems.append(f"changed in JSON: {value!r}")

    walk(data)
    return problems


def csv_problems(text: str) -> list[str]:
    problems = []
    for number, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        for cell in row:
            if cell.startswith(FORMULA_STARTS) and not _is_number(cell):
                problems.append(f"line {number}: formula cell {cell!r}")
    return problems


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def stored_texts(world) -> set[str]:
    start, end = world.round
    return {f"{start} [{label}] {end}" for label in world.labels}


# --- The tests ---------------------------------------------------------------------------------


def read_everything(world) -> dict[str, tuple[int, str, str]]:
    """{what was read: (status, content type, body)} for every page, partial, JSON answer and
    export."""
    client = world.clients["leader"]
    baseline = fingerprint()
    read: dict[str, tuple[int, str, str]] = {}

    def keep(label: str, sent) -> None:
        response = sent.response
        kind = response.get("Content-Type", "").split(";")[0]
        body = b"".join(response.streaming_content) if response.streaming else response.content
        read[label] = (response.status_code, kind, body.decode())

    for route in PAGES:
        url = url_for(route, world)
        keep(f"GET {url}", send(client, "GET", url))
    for route in HTMX_ROUTES:
        url = url_for(route, world)
        for method in ("GET", "POST"):
            if MATRIX[route.name][method]["leader"] not in ("ok", "noop"):
                continue
            body = BODIES.get((route.name, method), lambda w: None)(world)
            sent = send(
                client, method, url, body=body, headers={"HX-Request": "true"}, baseline=baseline
            )
            keep(f"{method} {url} (htmx)", sent)
    for url in MORE_PAGES:
        keep(f"GET {url}", send(client, "GET", url, headers=_htmx_for(url)))
    start, end = world.round
    for pattern in REFLECTED:
        for payload in (start, end):
            url = pattern.format(p=payload)
            keep(f"GET {url} (reflected)", send(client, "GET", url))
    for url, body, headers in _echo_posts(world):
        keep(f"POST {url} {headers}", send(client, "POST", url, body=body, headers=headers))
    for url in CSV_EXPORTS:
        keep(f"GET {url}", send(client, "GET", url))
    return read


def _htmx_for(url: str) -> dict:
    return {"HX-Request": "true"} if "part=run" in url else {}


@pytest.fixture(scope="module")
def everything(xss_world, django_db_blocker):
    logging.disable(logging.WARNING)  # refused and invalid requests log; not read here
    try:
        with django_db_blocker.unblock():
            return read_everything(xss_world)
    finally:
        logging.disable(logging.NOTSET)


def test_pages_and_partials_show_the_payloads_as_text(xss_world, everything):
    problems = []
    escaped_somewhere = False
    template_shown = False
    for label, (_, kind, body) in everything.items():
        if kind != "text/html":
            continue
        problems += [f"{label}: {problem}" for problem in html_problems(body)]
        escaped_somewhere |= "alert(1)" in body and ("&lt;" in body or "&quot;&gt;" in body)
        template_shown |= TEMPLATE in body
    assert not problems, "\n".join(problems)
    assert escaped_somewhere, "no page showed a payload at all: the test reads nothing"
    if TEMPLATE in xss_world.round[1]:
        assert template_shown, "{{7*7}} shown on no page"


def test_the_checks_catch_markup_and_pass_text():
    for payload in (SCRIPT, IMG, TEXTAREA):
        assert html_problems(f"<p>{payload}</p>"), payload
        assert not html_problems(f"<p>{escape(payload)}</p>"), payload
    assert html_problems(f'<a href="{JS_URL}">x</a>')
    assert html_problems(f"<input value='{JS_STRING}'>")
    assert not html_problems(f"<input value='{escape(JS_STRING)}'>")
    assert html_problems("<script>var x = 1;</script>")
    assert not html_problems('<script src="/static/js/htmx.min.js"></script>')
    assert csv_problems(_csv_line([FORMULA, "1"]))
    assert not csv_problems(_csv_line([f"'{FORMULA}", "-1.5"]))
    stored = {f"{SCRIPT} [x]"}
    assert json_problems({"a": [escape(f"{SCRIPT} [x]")]}, stored)
    assert not json_problems({"a": [f"{SCRIPT} [x]"]}, stored)


def test_what_is_read_answered(everything):
    """Every page and export answered with its content (an error page would hide the data the
    test is after); forms sent back invalid answer 400, a stale spec 409."""
    wrong = [
        f"{label}: {status}"
        for label, (status, _, _) in everything.items()
        if status not in (200, 302)
        and not label.startswith("POST")
        and not label.endswith("(reflected)")  # a bad month or contract is 400, with the page
    ]
    assert not wrong, wrong
    assert len([1 for _, kind, _ in everything.values() if kind == "text/html"]) > 100


def test_the_api_returns_the_payloads_as_plain_strings(xss_world, everything):
    stored = stored_texts(xss_world)
    problems = []
    found = 0
    for label, (_, kind, body) in everything.items():
        if kind != "application/json":
            continue
        data = json.loads(body)
        problems += [f"{label}: {p}" for p in json_problems(data, stored)]
        found += sum(1 for text in stored if json.dumps(text)[1:-1] in body or text in body)
    assert not problems, "\n".join(problems)
    assert found > 20


def test_exports_neutralise_formulas(xss_world, everything):
    problems = []
    cells = set()
    for label, (_, kind, body) in everything.items():
        if kind == "text/csv":
            problems += [f"{label}: {p}" for p in csv_problems(body)]
            cells |= {cell for row in csv.reader(io.StringIO(body)) for cell in row}
    assert not problems, "\n".join(problems)
    if xss_world.round[0] == FORMULA:  # stored as written, escaped on the way out
        assert f"'{FORMULA} [Handoff title] {SCRIPT}" in cells
        assert f"'{FORMULA} [Sales] {SCRIPT}" in cells  # a team, in the review export


def test_every_text_field_is_shown_somewhere(xss_world, everything):
    """A field no page, answer or export shows would go untested: name it here if that is
    intended."""
    seen = set()
    texts = [unescape(body) for _, _, body in everything.values()]
    joined = "\n".join(texts)
    for label in xss_world.labels:
        if f"[{label}]" in joined or json.dumps(f"[{label}]")[1:-1] in joined:
            seen.add(label)
    assert not (set(xss_world.labels) - seen - NOT_SHOWN), sorted(
        set(xss_world.labels) - seen - NOT_SHOWN
    )


# Text the sample world stores that no page shows, on purpose.
NOT_SHOWN: set[str] = set()

# Text fields that hold no free text a person typed (or a tool sent), and why.
NOT_FREE_TEXT = {
    "seams.User.password": "a hash",
    "seams.User.username": "letters, digits and @.+-_ only (the username validator)",
    "seams.User.email": "an address (EmailField)",
    "seams.Calendar.time_zone": "one of the known time zones",
    "seams.Calendar.working_weekdays": "weekday numbers",
    "common.OutboxMessage.task": "the app's own task names and ids",
    "common.OutboxMessage.args": "the app's own task names and ids",
    "common.OutboxMessage.kwargs": "the app's own task names and ids",
    "common.OutboxMessage.last_error": "the broker's error, shown in the admin only",
    "audit.RefusedWrite.method": "an HTTP method token (no markup characters)",
    "audit.RefusedWrite.view_name": "the app's own URL names",
    "contracts.SpecTemplate.suggested_targets": "metric names and numbers (validated)",
    "metrics.MonthlySeamMetrics.rag": "computed statuses",
    "metrics.MetricsRun.months": "YYYY-MM (validated)",
    "metrics.CorrectiveAction.metric": "one of the catalogue's metrics (validated)",
    "onboarding.Miss.cause": "one of the escalation causes (validated)",
}


def test_every_user_text_field_holds_a_payload(xss_world, django_db_blocker):
    """Every CharField, TextField and JSONField of the domain apps is filled with payloads in
    the sample world (but those NOT_FREE_TEXT names), so a new field is noticed here."""
    start = xss_world.round[0]
    empty = []
    with django_db_blocker.unblock():
        for app in ("seams", "contracts", "decisions", "metrics", "onboarding"):
            for model in apps.get_app_config(app).get_models():
                for field in model._meta.concrete_fields:
                    name = f"{model._meta.label}.{field.name}"
                    text = isinstance(field, models.CharField | models.TextField | models.JSONField)
                    if not text or isinstance(field, models.SlugField) or field.choices:
                        continue
                    if name in NOT_FREE_TEXT:
                        continue
                    values = model._base_manager.values_list(field.name, flat=True)
                    if not any(start in str(value) for value in values):
                        empty.append(name)
    assert not empty, f"Text fields with no payload in the sample world: {empty}"
