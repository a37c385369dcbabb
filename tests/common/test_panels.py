"""Slots on an earlier app's page that later apps fill in (common/panels.py)."""

from django.template import engines
from django.test import RequestFactory

from common import panels


def test_it_collects_what_each_contribution_returns_in_order_and_skips_none(monkeypatch):
    monkeypatch.setattr(panels, "_slots", {})
    first = panels.Panel("first.html", {"n": 1})
    panels.register("side", lambda request: first)
    panels.register("side", lambda request: None)
    panels.register("side", lambda request: panels.Panel("second.html"))
    request = RequestFactory().get("/")
    assert [p.template for p in panels.collect("side", request)] == ["first.html", "second.html"]
    assert panels.collect("elsewhere", request) == []


def test_it_registers_a_function_once_however_often_ready_runs(monkeypatch):
    monkeypatch.setattr(panels, "_slots", {})

    def contribution(request):
        return panels.Panel("card.html")

    panels.register("side", contribution)
    panels.register("side", contribution)
    assert len(panels.collect("side", RequestFactory().get("/"))) == 1


def test_the_tag_renders_each_panel_with_the_page_context_and_its_own(monkeypatch):
    monkeypatch.setattr(panels, "_slots", {})
    notice = panels.Panel("onboarding/teams_notice.html", {"guide_step": None})
    panels.register("side", lambda request: notice)
    page = engines["django"].from_string(
        '{% load panels %}<aside>{% panels "side" %}{{ guide_step|default:"gone" }}</aside>'
    )
    html = page.render({"organisation_name": "Acme"}, request=RequestFactory().get("/"))
    assert html.startswith("<aside>")
    assert html.endswith("gone</aside>")
    assert "A leader begins with the guided start" in html


def test_the_tag_escapes_what_people_typed_into_a_panel(monkeypatch, tmp_path, settings):
    (tmp_path / "card.html").write_text("<p>{{ name }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    monkeypatch.setattr(panels, "_slots", {})
    panels.register("side", lambda request: panels.Panel("card.html", {"name": "<b>Ann</b>"}))
    page = engines["django"].from_string('{% load panels %}{% panels "side" %}')
    html = page.render({}, request=RequestFactory().get("/"))
    assert html == "<p>&lt;b&gt;Ann&lt;/b&gt;</p>"
