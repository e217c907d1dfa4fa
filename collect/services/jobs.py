"""The life of an import job: upload → match columns → dry run → confirm → import.

Each step is a service: it checks the importer's right (monitoring:import) and the job's
state, and the slow passes over the rows run after the commit, on a worker when Redis is
configured (core.tasks.enqueue_on_commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from collect.fields import (
    ACTIVITIES,
    CHILDREN,
    MAIN,
    fields_for,
    normalise_header,
    repeated_columns,
    suggest_mapping,
)
from collect.models import (
    FINISHED_STATUSES,
    ImportJob,
    ImportKind,
    ImportMode,
    ImportRowError,
    ImportStatus,
)
from collect.readers import FileProblem, Table, detect_format
from collect.services.records import PARENT_INDEX, uses_repeat_sheets
from collect.services.runner import import_job, validate_job
from collect.storage import delete_stored, open_stored
from core.errors import DomainError, NotFound
from core.tasks import enqueue_on_commit

_SNIFF_BYTES = 64 * 1024
_CHILD_KINDS = (ImportKind.CHILDREN, ImportKind.KOBO_HOUSEHOLD_VISIT)


@dataclass(frozen=True)
class StoredUpload:
    """A file the upload handler already stored, encrypted."""

    stored_name: str
    size: int
    original_filename: str


def require_import_right(actor: Any) -> None:
    if not principal_for(actor).has(Permission.MONITORING_IMPORT):
        raise NotFound("import")


def _require_owner(actor: Any, job: ImportJob) -> None:
    require_import_right(actor)
    if job.created_by_id != getattr(actor, "pk", None):
        raise NotFound("import")


def _locked(job: ImportJob) -> ImportJob:
    return ImportJob.objects.select_for_update().get(pk=job.pk)


# Upload -------------------------------------------------------------------------------------


def _detect_sheets(kind: str, table: Table, headers: dict[str, list[str]]) -> dict[str, str]:
    """Which sheet holds what. Kobo repeat groups are the sheets with a _parent_index column;
    the children's sheet is the one whose rows point at the main sheet."""
    names = [name for name in table.sheet_names() if headers.get(name)]
    if not names:
        return {}
    main = names[0]
    if kind != ImportKind.KOBO_HOUSEHOLD_VISIT:
        return {MAIN: main}
    repeats = [
        name
        for name in names[1:]
        if PARENT_INDEX in {normalise_header(header) for header in headers[name]}
    ]
    if not repeats:
        return {MAIN: main}
    parents = {name: _parent_table(table, name, headers[name]) for name in repeats}
    children = next((name for name in repeats if parents[name] == main), repeats[0])
    activities = next(
        (name for name in repeats if name != children and parents[name] == children),
        next((name for name in repeats if name != children), ""),
    )
    return {MAIN: main, CHILDREN: children, ACTIVITIES: activities}


def _parent_table(table: Table, sheet: str, headers: list[str]) -> str:
    names = [normalise_header(header) for header in headers]
    if "parent_table_name" not in names:
        return ""
    position = names.index("parent_table_name")
    for _row, values in table.rows(sheet):
        return str(values[position] or "") if position < len(values) else ""
    return ""


def _inspect(stored_name: str, kind: str) -> tuple[str, dict[str, list[str]], dict[str, str]]:
    with open_stored(stored_name) as stream:
        file_format = detect_format(stream.read(_SNIFF_BYTES))
    with Table(stored_name, file_format) as table:
        headers = table.all_headers()
        sheets = _detect_sheets(kind, table, headers)
    if not sheets:
        raise FileProblem(
            "import.no_header",
            _("The file has no header row: its first row must hold the column names."),
            field="file",
        )
    return file_format, headers, sheets


@transaction.atomic
def import_upload(*, actor: Any, upload: StoredUpload, kind: str) -> ImportJob:
    """Open an import job for a stored file, or delete the file and say why it is refused."""
    try:
        require_import_right(actor)
        if kind not in ImportKind.values:
            raise DomainError("import.kind", _("Say what the file holds."), field="kind")
        file_format, headers, sheets = _inspect(upload.stored_name, kind)
    except BaseException:
        delete_stored(upload.stored_name)
        raise
    job = ImportJob.objects.create(
        created_by=actor,
        kind=kind,
        file_format=file_format,
        original_filename=upload.original_filename[:255],
        stored_name=upload.stored_name,
        file_size=upload.size,
        headers=headers,
        sheets=sheets,
    )
    record_event(
        actor=actor,
        action=Action.IMPORT_UPLOAD,
        subject=job,
        changes={"kind": kind, "format": file_format, "bytes": upload.size},
    )
    return job


# Mapping ------------------------------------------------------------------------------------


def mapping_groups(job: ImportJob) -> list[tuple[str, str, str]]:
    """(group, sheet, key prefix) for each group of fields the user maps with selects."""
    groups = [(MAIN, job.sheets.get(MAIN, ""), "")]
    if uses_repeat_sheets(job):
        groups.append((CHILDREN, job.sheets[CHILDREN], "child."))
        if job.sheets.get(ACTIVITIES):
            groups.append((ACTIVITIES, job.sheets[ACTIVITIES], "activity."))
    return groups


def suggested_mapping(job: ImportJob) -> dict[str, str]:
    if job.mapping:
        return dict(job.mapping)
    mapping: dict[str, str] = {}
    for group, sheet, prefix in mapping_groups(job):
        found = suggest_mapping(job.kind, job.headers.get(sheet, []), group)
        mapping.update({prefix + name: header for name, header in found.items()})
    return mapping


def repeated_mapping(job: ImportJob) -> dict[str, str]:
    """Columns of repeated groups recognised by name (`activity_2_hours`, `child_1_sex`)."""
    if uses_repeat_sheets(job):
        return {}
    return repeated_columns(job.kind, job.headers.get(job.sheets.get(MAIN, ""), []))


def _check_mapping(job: ImportJob, mapping: dict[str, str]) -> None:
    for group, sheet, prefix in mapping_groups(job):
        headers = set(job.headers.get(sheet, []))
        for spec in fields_for(job.kind, group):
            key = prefix + spec.name
            header = mapping.get(key, "")
            if header and header not in headers:
                raise DomainError(
                    "import.mapping_column", _("This column is not in the file."), field=key
                )
            if spec.required and not header:
                raise DomainError(
                    "import.mapping_required",
                    _("Choose the column that holds this value."),
                    field=key,
                )
    if job.kind in _CHILD_KINDS:
        prefix = "child." if uses_repeat_sheets(job) else ""
        children_by_prefix = job.kind == ImportKind.KOBO_HOUSEHOLD_VISIT and not prefix
        if not children_by_prefix and not (
            mapping.get(f"{prefix}birth_date") or mapping.get(f"{prefix}age")
        ):
            raise DomainError(
                "import.mapping_age",
                _("Choose the column of the date of birth or of the age."),
                field=f"{prefix}birth_date",
            )
    chosen = [header for header in mapping.values() if header]
    if len(chosen) != len(set(chosen)):
        raise DomainError("import.mapping_twice", _("A column is chosen for two different values."))


@transaction.atomic
def import_map(*, actor: Any, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Save which column holds which value; repeated groups are added by their names."""
    _require_owner(actor, job)
    job = _locked(job)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.VALIDATED):
        raise DomainError("import.state", _("The columns of this import can no longer change."))
    mapping = {key: header for key, header in mapping.items() if header}
    _check_mapping(job, mapping)
    job.mapping = {**mapping, **repeated_mapping(job)}
    job.status = ImportStatus.MAPPED
    _reset_counts(job)
    job.save()
    ImportRowError.objects.filter(job=job).delete()
    return job


@transaction.atomic
def import_choose_sheets(*, actor: Any, job: ImportJob, sheets: dict[str, str]) -> ImportJob:
    """Kobo exports: say which sheet holds the submissions, the children and their work."""
    _require_owner(actor, job)
    job = _locked(job)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.VALIDATED):
        raise DomainError("import.state", _("The sheets of this import can no longer change."))
    chosen = {role: name for role, name in sheets.items() if name}
    for role, name in chosen.items():
        if role not in (MAIN, CHILDREN, ACTIVITIES) or name not in job.headers:
            raise DomainError("import.sheet", _("This sheet is not in the file."), field=role)
    if MAIN not in chosen or len(set(chosen.values())) != len(chosen):
        raise DomainError("import.sheet", _("Choose a different sheet for each part."), field=MAIN)
    if ACTIVITIES in chosen and CHILDREN not in chosen:
        raise DomainError("import.sheet", _("Choose the children's sheet too."), field=CHILDREN)
    job.sheets = chosen
    job.mapping = {}
    job.status = ImportStatus.UPLOADED
    _reset_counts(job)
    job.save()
    ImportRowError.objects.filter(job=job).delete()
    return job


def _reset_counts(job: ImportJob) -> None:
    job.rows_total = job.rows_valid = job.rows_invalid = 0
    job.rows_created = job.rows_skipped = job.rows_processed = 0
    job.validated_at = None
    job.updated_at = timezone.now()


# Dry run, import, discard ------------------------------------------------------------------


@transaction.atomic
def import_validate(*, actor: Any, job: ImportJob) -> ImportJob:
    """Start the dry run: every row checked by the services, nothing kept."""
    _require_owner(actor, job)
    job = _locked(job)
    if job.status not in (ImportStatus.MAPPED, ImportStatus.VALIDATED):
        raise DomainError("import.state", _("Match the columns before checking the rows."))
    job.status = ImportStatus.VALIDATING
    _reset_counts(job)
    job.save()
    enqueue_on_commit(validate_job, job.pk)
    return job


@transaction.atomic
def import_confirm(*, actor: Any, job: ImportJob, mode: str) -> ImportJob:
    """Start the import of a checked file in the chosen mode."""
    _require_owner(actor, job)
    job = _locked(job)
    if job.status != ImportStatus.VALIDATED:
        raise DomainError("import.state", _("Check the rows before importing them."))
    if mode not in ImportMode.values:
        raise DomainError("import.mode", _("Choose how to import."), field="mode")
    if mode == ImportMode.ALL_OR_NOTHING and job.rows_invalid:
        raise DomainError(
            "import.rows_invalid",
            _(
                "%(count)s rows have errors, so “all or nothing” would import nothing. Fix the "
                "file, or import the valid rows only."
            )
            % {"count": job.rows_invalid},
            field="mode",
        )
    if not job.rows_valid:
        raise DomainError("import.nothing", _("No row of this file can be imported."))
    job.mode = mode
    job.status = ImportStatus.IMPORTING
    job.rows_processed = 0
    job.started_at = job.updated_at = timezone.now()
    job.save()
    enqueue_on_commit(import_job, job.pk)
    return job


@transaction.atomic
def import_discard(*, actor: Any, job: ImportJob) -> ImportJob:
    """Drop a job before it is imported; its file is deleted at once."""
    _require_owner(actor, job)
    job = _locked(job)
    if job.status in FINISHED_STATUSES or job.is_running:
        raise DomainError("import.state", _("This import can no longer be discarded."))
    delete_stored(job.stored_name)
    job.stored_name = ""
    job.headers = {}  # a file without a header row would have put a person's data here
    job.status = ImportStatus.DISCARDED
    job.finished_at = job.updated_at = timezone.now()
    job.save()
    record_event(actor=actor, action=Action.IMPORT_DISCARD, subject=job)
    return job
