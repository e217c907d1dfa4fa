"""Fields and widgets shared by the monitoring forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from monitoring.services.visits import HOURS_IN_A_WEEK


class NestedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes each wrapped in its own <label> (monitoring/_checks.html): no ids needed,
    which keeps the long formset names from being repeated once more on every box."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"].pop("id", None)
        return option


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def hours_field(label: Any, **extra: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=HOURS_IN_A_WEEK,
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        **extra,
    )


def date_field(label: Any, **extra: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **extra,
    )
