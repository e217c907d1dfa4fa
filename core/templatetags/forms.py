"""Form rendering helpers shared by every app's templates."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def invalid_widget(field: BoundField) -> SafeString:
    """The field's widget marked invalid and tied to its error message for screen readers."""
    return field.as_widget(
        attrs={"aria-invalid": "true", "aria-describedby": f"{field.auto_id}-error"}
    )
