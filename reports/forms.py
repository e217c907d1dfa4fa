"""Forms of the reports pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from reports.services.exports import Dataset

PERIOD_CHOICES = [
    ("3", _("Last 3 months")),
    ("6", _("Last 6 months")),
    ("12", _("Last 12 months")),
    ("24", _("Last 24 months")),
    ("36", _("Last 36 months")),
]


class DashboardFilterForm(forms.Form):
    months = forms.ChoiceField(
        label=_("Period"), choices=PERIOD_CHOICES, required=False, initial="12"
    )
    area = forms.ChoiceField(label=_("Area"), required=False)
    sponsor = forms.ChoiceField(label=_("Sponsor"), required=False)

    def __init__(self, *args: Any, areas: Any = (), sponsors: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        sponsor_field = self.fields["sponsor"]
        assert isinstance(area_field, forms.ChoiceField)
        assert isinstance(sponsor_field, forms.ChoiceField)
        area_field.choices = [("", _("Whole programme"))] + [
            (str(area.pk), f"{'· ' * max(area.depth, 0)}{area.name}") for area in areas
        ]
        sponsor_field.choices = [("", _("Any sponsor"))] + [
            (str(company.pk), company.name) for company in sponsors
        ]


class ReportRequestForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class ExportForm(forms.Form):
    dataset = forms.ChoiceField(
        label=_("Data"),
        choices=[
            (Dataset.COUNTS, _("Indicator counts by month and dimension")),
            (Dataset.FACTS, _("One row per child, pseudonymised (child codes, no names)")),
        ],
    )
    file_format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    purpose = forms.CharField(
        label=_("Purpose of the export"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit log with your name."),
    )
    secret = forms.CharField(
        label=_("Your password, or a code from your authenticator"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
