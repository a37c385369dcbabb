"""`{% panels "slot" %}`: the panels later apps contribute to a slot (common/panels.py), each
rendered with its template, in the page's context plus its own."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from common import panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: template.Context, slot: str) -> SafeString:
    engine = context.template.engine
    rendered = []
    for panel in registry.collect(slot, context["request"]):
        with context.push(panel.context):
            rendered.append(engine.get_template(panel.template).render(context))
    return mark_safe("".join(rendered))
