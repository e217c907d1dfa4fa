"""Correcting a child's record (monitoring.services.child_update): name and date of birth, and
the household of a child met without one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.forms.common import date_field
from monitoring.models import Child


class ChildUpdateForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        required=False,
        help_text=_("Kept only once a caregiver has consented to identification."),
    )
    birth_date = date_field(_("Date of birth"))
    birth_date_is_estimated = forms.BooleanField(
        label=_("The date of birth is estimated"), required=False
    )

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "first_name": child.first_name,
                "last_name": child.last_name,
                "birth_date": child.birth_date,
                "birth_date_is_estimated": child.birth_date_is_estimated,
            },
        )
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"


class AttachHouseholdForm(forms.Form):
    household_code = forms.CharField(
        label=_("Household code"),
        max_length=20,
        help_text=_("On the household's page. Record the household first if it is new."),
    )

    def clean_household_code(self) -> str:
        return str(self.cleaned_data["household_code"]).strip().upper()
