"""Forms of the company pages. They check the shape of the input; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from companies.models import (
    MAX_TIER,
    ContributionKind,
    MembershipStatus,
    ParticipationPackage,
)
from core.errors import DomainError

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class MembershipForm(forms.Form):
    package = forms.ChoiceField(
        label=_("Participation package"),
        choices=ParticipationPackage.choices,
        help_text=_("Entry covers 5 suppliers, standard 20, extended any number."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=MembershipStatus.choices)
    starts_on = forms.DateField(label=_("Member from"), widget=_DATE)
    ends_on = forms.DateField(label=_("Member until"), required=False, widget=_DATE)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContributionKind.choices)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0.01)
    recorded_on = forms.DateField(label=_("Date"), widget=_DATE)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class _BuyerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _tier_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Tier"),
        min_value=1,
        max_value=MAX_TIER,
        initial=1,
        help_text=_("1: a direct supplier; 2: a supplier of a direct supplier; and so on."),
    )


class _ChainForm(forms.Form):
    """A form naming a buyer: the company itself or a supplier already in its chain."""

    def __init__(self, *args: Any, buyers: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["buyer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[buyer.pk for buyer in buyers])


class SupplierLinkForm(_ChainForm):
    supplier_name = forms.CharField(
        label=_("Supplier"),
        max_length=200,
        help_text=_("An organisation already in Kinga is found by its name; else it is added."),
    )
    tier = _tier_field()
    buyer = _BuyerField(label=_("Sells to"), queryset=Organisation.objects.none(), required=False)
    site_codes = forms.CharField(
        label=_("Site codes"),
        required=False,
        max_length=500,
        help_text=_("Codes of the sites it operates or buys from, separated by spaces."),
    )


class NominationForm(_ChainForm):
    supplier_name = forms.CharField(label=_("Supplier"), max_length=200)
    tier = _tier_field()
    buyer = _BuyerField(
        label=_("Sells to"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Leave blank if you do not know whom this supplier sells to."),
    )
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    note = forms.CharField(
        label=_("Note for the Hub"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), max_length=300, required=False)


class SupplierImportForm(forms.Form):
    file = forms.FileField(
        label=_("Supplier list (CSV or XLSX)"),
        help_text=_(
            "Columns: supplier, tier, and optionally sells to and site codes. "
            "The first row holds the column names."
        ),
    )


class CohortForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=100_000)
    starts_on = forms.DateField(label=_("Starts on"), widget=_DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=_DATE)


class AssignCaseForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
