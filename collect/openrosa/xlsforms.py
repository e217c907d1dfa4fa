"""Building the XLSForms (xlsforms/*.xlsx) and their XForms (xlsforms/*.xml), and serving them.

The XForm bytes are committed: the `md5:` hash a phone compares must not change unless the
form does. `xlsforms/versions.json` records the SHA-256 of every version's XForm, so a test
can tell a changed form that kept its version, and the server can tell a known version.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from collect.openrosa.xlsform_spec import (
    CHOICE_COLUMNS,
    FIXED_CHOICES,
    FORMS,
    FORMS_BY_ID,
    HAZARD_EN,
    HAZARD_FR,
    SURVEY_COLUMNS,
    WORST_FORM_EN_FR,
    FormSpec,
)

FORMS_DIRECTORY = Path(settings.BASE_DIR) / "xlsforms"
VERSIONS_FILE = "versions.json"


def catalogue_choices() -> dict[str, list[tuple[str, str, str]]]:
    """Choice lists taken from Kinga's catalogues: active tasks, hazards, worst forms."""
    from monitoring.models import Task

    tasks = Task.objects.filter(is_active=True).order_by("position", "code")
    return {
        "task": [(task.code, task.name_en, task.name_fr) for task in tasks],
        "hazard": [(str(tag), HAZARD_EN[tag], HAZARD_FR[tag]) for tag in HAZARD_EN],
        "worst_form": [(str(form), en, fr) for form, (en, fr) in WORST_FORM_EN_FR.items()],
    }


def workbook_rows(
    form: FormSpec, catalogue: dict[str, list[tuple[str, str, str]]]
) -> dict[str, list[tuple[str, ...]]]:
    lists = {**{name: list(rows) for name, rows in FIXED_CHOICES.items()}, **catalogue}
    choices = [
        (list_name, *choice) for list_name in form.choice_lists for choice in lists[list_name]
    ]
    return {
        "survey": [SURVEY_COLUMNS, *(question.row() for question in form.questions)],
        "choices": [CHOICE_COLUMNS, *choices],
        "settings": [
            ("form_title", "form_id", "version", "default_language"),
            (form.title_en, form.form_id, form.version, "English (en)"),
        ],
    }


def xlsx_bytes(rows: dict[str, list[tuple[str, ...]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, sheet_rows in rows.items():
        sheet = workbook.create_sheet(title)
        for row in sheet_rows:
            sheet.append(list(row))
    workbook.properties.creator = "Kinga (manage.py build_xlsforms)"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xform_from_xlsx(data: bytes) -> bytes:
    from pyxform.xls2xform import convert

    xform: str = convert(xlsform=io.BytesIO(data), file_type=".xlsx").xform
    return xform.encode()


def read_versions(directory: Path = FORMS_DIRECTORY) -> dict[str, dict[str, str]]:
    path = directory / VERSIONS_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def build(directory: Path = FORMS_DIRECTORY) -> list[str]:
    """Write every form's .xlsx and .xml into `directory`; returns what changed."""
    directory.mkdir(parents=True, exist_ok=True)
    catalogue = catalogue_choices()
    versions = read_versions(directory)
    changed = []
    for form in FORMS:
        xlsx = xlsx_bytes(workbook_rows(form, catalogue))
        xform = xform_from_xlsx(xlsx)
        xml_path = directory / f"{form.form_id}.xml"
        if not xml_path.exists() or xml_path.read_bytes() != xform:
            changed.append(form.form_id)
            xml_path.write_bytes(xform)
            (directory / f"{form.form_id}.xlsx").write_bytes(xlsx)
        versions.setdefault(form.form_id, {})[form.version] = hashlib.sha256(xform).hexdigest()
    (directory / VERSIONS_FILE).write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    return changed


# Serving ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedForm:
    spec: FormSpec
    xform: bytes
    known_versions: frozenset[str]

    @property
    def form_id(self) -> str:
        return self.spec.form_id

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def md5(self) -> str:
        return hashlib.md5(self.xform, usedforsecurity=False).hexdigest()


@cache
def published_forms() -> dict[str, PublishedForm]:
    """The committed XForms, read once per process."""
    versions = read_versions()
    return {
        form.form_id: PublishedForm(
            spec=form,
            xform=(FORMS_DIRECTORY / f"{form.form_id}.xml").read_bytes(),
            known_versions=frozenset(versions.get(form.form_id, {})),
        )
        for form in FORMS
    }


def published_form(form_id: str) -> PublishedForm | None:
    return published_forms().get(form_id) if form_id in FORMS_BY_ID else None
