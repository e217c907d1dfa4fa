"""The XLSForms: valid for ODK, in step with Kinga's catalogues, and versioned on change."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from collect.openrosa.xlsform_spec import FORMS, HAZARD_EN, WORST_FORM_EN_FR
from collect.openrosa.xlsforms import (
    FORMS_DIRECTORY,
    build,
    published_forms,
    read_versions,
    xform_from_xlsx,
)
from monitoring.classification.observation import Hazard, WorstForm
from monitoring.models import Task


def _choices(form_id: str, list_name: str) -> list[tuple[str, str, str]]:
    workbook = load_workbook(FORMS_DIRECTORY / f"{form_id}.xlsx", read_only=True)
    rows = list(workbook["choices"].iter_rows(values_only=True))
    return [(str(row[1]), str(row[2]), str(row[3])) for row in rows[1:] if row[0] == list_name]


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.form_id)
def test_committed_xform_is_what_pyxform_makes_of_the_committed_xlsform(form):
    xlsx = (FORMS_DIRECTORY / f"{form.form_id}.xlsx").read_bytes()
    assert xform_from_xlsx(xlsx) == (FORMS_DIRECTORY / f"{form.form_id}.xml").read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.form_id)
def test_task_and_hazard_choices_match_the_catalogues(form):
    tasks = [(t.code, t.name_en, t.name_fr) for t in Task.objects.filter(is_active=True)]
    assert _choices(form.form_id, "task") == tasks, "run `manage.py build_xlsforms`"
    assert {code for code, _en, _fr in _choices(form.form_id, "hazard")} == set(Hazard)
    assert {code for code, _en, _fr in _choices(form.form_id, "worst_form")} == set(WorstForm)
    assert set(HAZARD_EN) == set(Hazard)
    assert set(WORST_FORM_EN_FR) == set(WorstForm)


@pytest.mark.django_db
def test_building_again_changes_nothing():
    """The spec and the catalogue still make exactly the committed forms."""
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory)
        shutil.copy(FORMS_DIRECTORY / "versions.json", target / "versions.json")
        for form in FORMS:
            shutil.copy(FORMS_DIRECTORY / f"{form.form_id}.xml", target)
        assert build(target) == [], "the forms drifted: bump their versions and build them"


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.form_id)
def test_a_changed_form_has_a_new_version(form):
    """versions.json holds each version's XForm hash: same version, same bytes."""
    published = published_forms()[form.form_id]
    recorded = read_versions()[form.form_id]
    assert form.version in recorded, "run `manage.py build_xlsforms` after bumping the version"
    assert recorded[form.version] == hashlib.sha256(published.xform).hexdigest(), (
        f"{form.form_id} changed but kept version {form.version}: bump VERSIONS in "
        "collect/openrosa/xlsform_spec.py and run `manage.py build_xlsforms`"
    )
    assert f'version="{form.version}"'.encode() in published.xform


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.form_id)
def test_odk_validate_accepts_the_form(form):
    if shutil.which("java") is None:
        pytest.skip("ODK Validate needs Java: install the Debian package default-jre-headless")
    from pyxform.validators.odk_validate import check_xform

    check_xform(str(FORMS_DIRECTORY / f"{form.form_id}.xml"))  # raises ODKValidateError
