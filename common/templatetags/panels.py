"""`{% panels "slot" %}`: the panels later apps contribute to a slot (common/panels.py), each
rendered with its template, in the page's context plus its own, escaped as any template
variable is."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from common import panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: template.Context, slot: str) -> SafeString:
    engine = context.template.engine
    rendered = []
    for panel in registry.collect(slot, context["request"]):
        with context.push(panel.context):
            rendered.append(engine.get_template(panel.template).render(context))
    # Each panel's template escaped its own values; anything not marked safe is escaped here.
    return format_html_join("", "{}", ((html,) for html in rendered))
