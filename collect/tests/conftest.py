"""Helpers for import tests: small generated files, stored encrypted as an upload would be."""

from __future__ import annotations

import csv
import io

import pytest

from collect.services.jobs import (
    StoredUpload,
    import_confirm,
    import_map,
    import_upload,
    import_validate,
    suggested_mapping,
)
from collect.storage import write_stored


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csv_bytes(rows, *, delimiter=",", bom=False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    text = buffer.getvalue()
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def xlsx_bytes(sheets) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(actor, data: bytes, kind: str, name: str = "export.csv"):
    stored_name, size = write_stored(data)
    return import_upload(actor=actor, upload=StoredUpload(stored_name, size, name), kind=kind)


@pytest.fixture
def checked(django_capture_on_commit_callbacks):
    """`checked(actor, job, mapping=None)`: match columns (ours or the suggestion), dry run."""

    def run(actor, job, mapping=None):
        job = import_map(actor=actor, job=job, mapping=mapping or suggested_mapping(job))
        with django_capture_on_commit_callbacks(execute=True):
            import_validate(actor=actor, job=job)
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def imported(django_capture_on_commit_callbacks):
    """`imported(actor, job, mode)`: confirm a checked job and run the import."""

    def run(actor, job, mode="valid_rows_only"):
        with django_capture_on_commit_callbacks(execute=True):
            import_confirm(actor=actor, job=job, mode=mode)
        job.refresh_from_db()
        return job

    return run
