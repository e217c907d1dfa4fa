"""Forms of the import pages: upload, sheets, column matching, confirmation."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collect.fields import ACTIVITIES, CHILDREN, MAIN, fields_for
from collect.models import ImportJob, ImportKind, ImportMode
from collect.services.jobs import mapping_groups
from collect.upload import max_upload_bytes
from core.errors import DomainError

ALLOWED_EXTENSIONS = {".csv", ".txt", ".xlsx"}
_SEPARATOR = "__"  # "child.first_name" is posted as "child__first_name"


def form_name(key: str) -> str:
    return key.replace(".", _SEPARATOR)


def mapping_key(name: str) -> str:
    return name.replace(_SEPARATOR, ".")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy("The first row must hold the column names."),
    )

    def __init__(self, *args: Any, too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.too_large:
            self.errors.pop("file", None)
            self.add_error(
                "file",
                _("The file is larger than %(size)s. Split it, or upload it as CSV.")
                % {"size": filesizeformat(max_upload_bytes())},
            )
        return cleaned

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class SheetsForm(forms.Form):
    def __init__(self, *args: Any, job: ImportJob, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [(name, name) for name, headers in job.headers.items() if headers]
        none = [("", _("— none —"))]
        labels = {
            MAIN: _("Sheet of the submissions (households)"),
            CHILDREN: _("Sheet of the children"),
            ACTIVITIES: _("Sheet of the children's work"),
        }
        for role, label in labels.items():
            self.fields[role] = forms.ChoiceField(
                label=label,
                choices=(none if role != MAIN else []) + names,
                required=role == MAIN,
                initial=job.sheets.get(role, ""),
            )


class MappingForm(forms.Form):
    """One select per field: which column of the file holds it."""

    def __init__(
        self, *args: Any, job: ImportJob, initial_mapping: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.groups: list[tuple[str, str, list[str]]] = []
        for group, sheet, prefix in mapping_groups(job):
            headers = job.headers.get(sheet, [])
            choices = [("", _("— not in this file —")), *((h, h) for h in headers)]
            names = []
            for spec in fields_for(job.kind, group):
                name = form_name(prefix + spec.name)
                self.fields[name] = forms.ChoiceField(
                    label=spec.label,
                    choices=choices,
                    required=spec.required,
                    help_text=spec.help,
                    initial=initial_mapping.get(prefix + spec.name, ""),
                )
                names.append(name)
            self.groups.append((group, sheet, names))

    def grouped_fields(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [
            (group, sheet, [self[name] for name in names]) for group, sheet, names in self.groups
        ]

    def mapping(self) -> dict[str, str]:
        return {mapping_key(name): value for name, value in self.cleaned_data.items() if value}

    def add_domain_error(self, error: DomainError) -> None:
        name = form_name(error.field) if error.field else None
        self.add_error(name if name in self.fields else None, error.message)


class ConfirmForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("How to import"),
        choices=ImportMode.choices,
        widget=forms.RadioSelect,
    )
