"""The filters above the household and child lists, and the reason to see an identity."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from geo.models import Area
from monitoring import selectors
from monitoring.choices import CATEGORY_CHOICES, SchoolStatus, Sex


class _CommunityFilterMixin(forms.Form):
    """A community drop-down for users with few villages; a code box for programme-wide users."""

    community = forms.CharField(label=_("Community"), required=False, max_length=40)

    def _set_up_community(self, user: Any) -> None:
        self.user = user
        villages = selectors.filter_communities(user)
        if villages is not None:
            self.fields["community"] = forms.ChoiceField(
                label=_("Community"),
                required=False,
                choices=[("", _("All your communities")), *((a.pk, a.name) for a in villages)],
            )
            self._villages = {str(area.pk): area for area in villages}
        else:
            self.fields["community"].help_text = _("The code of a village or area.")
            self._villages = {}

    def clean_community(self) -> Area | None:
        value = str(self.cleaned_data.get("community") or "").strip()
        if not value:
            return None
        if self._villages:
            return self._villages.get(value)
        area = selectors.visible_area_by_code(self.user, value)
        if area is None:
            raise forms.ValidationError(_("No area you can see has this code."))
        return area


class HouseholdFilterForm(_CommunityFilterMixin):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "id": "household-q"}),
    )

    def __init__(self, *args: Any, user: Any, show_identity: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_up_community(user)
        self.fields["q"].help_text = (
            _("Household code, or the exact name of the head of household.")
            if show_identity
            else _("Household code.")
        )
        self.order_fields(["q", "community"])


AGE_BAND_CHOICES = [
    ("", _("Any age")),
    ("5-11", _("5 to 11 years")),
    ("12-14", _("12 to 14 years")),
    ("15-17", _("15 to 17 years")),
]


class ChildFilterForm(_CommunityFilterMixin):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "id": "child-q"}),
    )
    age_band = forms.ChoiceField(label=_("Age"), required=False, choices=AGE_BAND_CHOICES)
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", _("Girls and boys")), *Sex.choices]
    )
    category = forms.ChoiceField(
        label=_("Latest result"),
        required=False,
        choices=[("", _("Any result")), *CATEGORY_CHOICES],
    )
    school_status = forms.ChoiceField(
        label=_("School (latest visit)"),
        required=False,
        choices=[("", _("Any school status")), *SchoolStatus.choices],
    )

    def __init__(self, *args: Any, user: Any, show_identity: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_up_community(user)
        self.fields["q"].help_text = (
            _("Child code, full name or first name.") if show_identity else _("Child code.")
        )
        self.order_fields(["q", "community", "age_band", "sex", "category", "school_status"])

    def filters(self) -> selectors.ChildFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.ChildFilters(
            q=data.get("q", ""),
            community=data.get("community"),
            age_band=data.get("age_band", ""),
            sex=data.get("sex", ""),
            category=data.get("category", ""),
            school_status=data.get("school_status", ""),
        )


class IdentityReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("State your reason to see this child's identity"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("At least 10 characters. The reason is kept in the audit log."),
    )
