"""The filters above the audit log. Shapes only; the selector applies them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.actions import Action
from audit.selectors import AuditFilters


class AuditFilterForm(forms.Form):
    """A GET form; an invalid value is reported and left out of the search."""

    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *Action.choices]
    )
    actor = forms.CharField(
        label=_("Done by (username)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    subject_type = forms.CharField(
        label=_("Subject type"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"placeholder": "accounts.user", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    subject_id = forms.CharField(label=_("Subject id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ip_address = forms.GenericIPAddressField(label=_("IP address"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> AuditFilters:
        self.is_valid()
        data = self.cleaned_data
        return AuditFilters(
            action=data.get("action") or "",
            actor=data.get("actor") or "",
            subject_type=data.get("subject_type") or "",
            subject_id=data.get("subject_id") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            ip_address=data.get("ip_address") or "",
        )
