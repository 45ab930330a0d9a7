"""``{% panel_slot object "history" %}``: the registered panels of one slot of an
object's page, for pages whose view does not gather panels itself."""

from django import template
from django.utils.safestring import mark_safe

from ..registry import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def panel_slot(context, obj, slot):
    request = context.get("request")
    if request is None or obj is None:
        return ""
    cards = panels_for(request, obj, None, slot=slot).get(slot, [])
    return mark_safe("".join(cards))  # noqa: S308 - each card is our rendered template
