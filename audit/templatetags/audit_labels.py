from __future__ import annotations

from django import template

from audit.selectors import action_label as label_of

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """`{{ event.action|action_label }}`: the tag's label in the current language."""
    return label_of(action)
