"""Forms of the geo pages. They check the shape of the input; geo.services checks the rules.

Areas are chosen by code, not from a drop-down: a national tree has tens of thousands of
villages, far too many options for a phone, and each area page shows its code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.errors import DomainError
from geo import selectors
from geo.models import AREA_CHILD_LEVELS, Area, AreaLevel, SiteKind, SiteStatus
from geo.selectors import SiteSort


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class _AreaCodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"})
        )
        super().__init__(**kwargs)


def _area_by_code(user: Any, code: str) -> Area:
    area = selectors.visible_area_by_code(user, code)
    if area is None:
        raise forms.ValidationError(_("No area you can see has this code."), code="unknown_area")
    return area


class SiteFilterForm(forms.Form):
    """The GET form above the site list; an invalid value is reported and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or code"), "id": "site-q"}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *SiteKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *SiteStatus.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(SiteSort.NAME.value, _("Name")), (SiteSort.UPDATED.value, _("Recently updated"))],
    )


class AreaCreateForm(forms.Form):
    code = _AreaCodeField(label=_("Code"), help_text=_("A unique code, e.g. CD-LU-LUB."))
    name = forms.CharField(label=_("Name"), max_length=120)
    level = forms.ChoiceField(label=_("Level"))

    def __init__(self, *args: Any, parent: Area | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = AREA_CHILD_LEVELS[parent.level] if parent else {AreaLevel.COUNTRY}
        level_field = self.fields["level"]
        assert isinstance(level_field, forms.ChoiceField)
        level_field.choices = [(v, label) for v, label in AreaLevel.choices if v in allowed]
        if len(allowed) == 1:
            level_field.initial = next(iter(allowed))


class AreaEditForm(forms.Form):
    code = _AreaCodeField(label=_("Code"))
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = _AreaCodeField(
        label=_("Parent area code"),
        help_text=_("To move this area, type the code of its new parent."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An inactive area keeps its history but takes no new sites or sub-areas."),
    )

    def __init__(self, *args: Any, user: Any, area: Area, **kwargs: Any) -> None:
        self.user = user
        self.area = area
        kwargs.setdefault(
            "initial",
            {
                "code": area.code,
                "name": area.name,
                "parent": area.parent.code if area.parent else "",
                "is_active": area.is_active,
            },
        )
        super().__init__(*args, **kwargs)
        if area.level == AreaLevel.COUNTRY:
            del self.fields["parent"]  # a country has no parent to move under

    def clean_parent(self) -> Area:
        return _area_by_code(self.user, self.cleaned_data.get("parent", ""))


class SiteForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    area = _AreaCodeField(
        label=_("Area code"), help_text=_("The code of the village or area the site is in.")
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        help_text=_("Decimal degrees, e.g. -10.712345. Leave both empty if unknown."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        help_text=_("Decimal degrees, e.g. 25.465432."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    operator: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Operator organisation"),
        queryset=None,
        required=False,
        empty_label=_("None (or not in Kinga)"),
    )
    operator_name = forms.CharField(
        label=_("Operator name"),
        required=False,
        max_length=200,
        help_text=_("A cooperative or company that is not an organisation in Kinga."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=SiteStatus.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        operator_field = self.fields["operator"]
        assert isinstance(operator_field, forms.ModelChoiceField)
        operator_field.queryset = selectors.operator_choices(user)

    def clean_area(self) -> Area:
        return _area_by_code(self.user, self.cleaned_data.get("area", ""))
