"""The passes over an import file: the dry run (validate_job) and the import (import_job).

Both passes run the same code over the same records, in batches of BATCH_SIZE rows: look up
what the batch needs in a few queries, then hand the whole batch to the monitoring batch
service (monitoring.services.batch), which checks every row with the per-row services' rules
and writes the batch in bulk. The dry run rolls each batch back, so it applies exactly the
services' rules without keeping anything. The import keeps each batch in its own
transaction (valid rows only), or wraps the whole file in one transaction that is rolled
back if any row fails (all or nothing).

Both are module-level functions taking a job id, so a Redis worker can run them
(core.tasks.enqueue_on_commit).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from collect.models import ImportJob, ImportMode, ImportRowError, ImportRowKey, ImportStatus
from collect.readers import FileProblem, Table
from collect.services.cells import MAX_ID_LENGTH, Problem
from collect.services.handlers import (
    CREATED,
    HANDLERS,
    INVALID,
    SKIPPED,
    Handler,
    Outcome,
    process_batch,
)
from collect.services.records import Record, records
from collect.storage import delete_stored
from core.bulk_insert import insert_new
from monitoring.services import batch as monitoring_batch

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Refresh the planner's statistics from this batch on, then at each doubling (a dry run writes
# nothing, so it needs none): below 2,000 rows, a table read whole is still cheap.
STATISTICS_FROM = 4
# All-or-nothing imports keep their errors in memory until the rollback: keep the first ones.
MAX_ERRORS_HELD = 5000


def progress_cache_key(job_id: int) -> str:
    return f"collect:import:{job_id}:processed"


@dataclass
class Counts:
    total: int = 0
    created: int = 0
    skipped: int = 0
    invalid: int = 0

    @property
    def valid(self) -> int:
        return self.created + self.skipped


@dataclass
class _Pass:
    job: ImportJob
    handler: Handler
    actor: Any
    write: bool
    counts: Counts = field(default_factory=Counts)
    held_errors: list[ImportRowError] = field(default_factory=list)

    @property
    def all_or_nothing(self) -> bool:
        return self.write and self.job.mode == ImportMode.ALL_OR_NOTHING

    def run(self, table: Table) -> None:
        ImportRowKey.objects.filter(job=self.job).delete()
        ImportRowError.objects.filter(job=self.job).delete()
        batches = _batched(records(self.job, table), BATCH_SIZE)
        if not self.all_or_nothing:
            for number, batch in enumerate(batches, start=1):
                self._batch(batch, number)
            return
        try:
            with transaction.atomic():
                for number, batch in enumerate(batches, start=1):
                    self._batch(batch, number)
                if self.counts.invalid:
                    raise _RollBack
        except _RollBack:
            pass

    def _batch(self, batch: list[Record], number: int) -> None:
        if self.write and number >= STATISTICS_FROM and number & (number - 1) == 0:
            monitoring_batch.refresh_statistics()  # batches 4, 8, 16...: as the tables double
        duplicates = self._claim_keys(batch)
        errors: list[ImportRowError] = []
        with transaction.atomic():
            lookups = self.handler.preload(batch)
            pending = [record for record in batch if id(record) not in duplicates]
            outcomes = process_batch(
                self.handler, pending, lookups, self.actor, self.job.pk, write=self.write
            )
            done = dict(zip((id(record) for record in pending), outcomes, strict=True))
            for record in batch:
                outcome = duplicates.get(id(record)) or done[id(record)]
                self._count(outcome)
                errors += [_row_error(self.job, problem) for problem in outcome.problems]
            if not self.write:
                transaction.set_rollback(True)
            elif not self.all_or_nothing:
                self._save(errors)  # committed together with the rows it counts
        if not self.write:
            with transaction.atomic():
                self._save(errors)
        elif self.all_or_nothing:
            room = MAX_ERRORS_HELD - len(self.held_errors)
            self.held_errors += errors[: max(room, 0)]
            cache.set(progress_cache_key(self.job.pk), self.counts.total, timeout=3600)

    def _claim_keys(self, batch: list[Record]) -> dict[int, Outcome]:
        """Refuse rows whose id is missing, too long, or met earlier in this file."""
        refused: dict[int, Outcome] = {}
        wanted: dict[str, Record] = {}
        for record in batch:
            key = self.handler.key(record)
            main = record.main
            if not key:
                refused[id(record)] = Outcome(
                    INVALID,
                    [main.problem("external_id", _("This value is required."), "import.required")],
                )
            elif len(key) > MAX_ID_LENGTH:
                refused[id(record)] = Outcome(
                    INVALID,
                    [main.problem("external_id", _("This id is too long."), "import.id_too_long")],
                )
            elif key in wanted:
                refused[id(record)] = _duplicate(record, wanted[key].row)
            else:
                wanted[key] = record
        earlier = dict(
            ImportRowKey.objects.filter(job=self.job, key__in=list(wanted)).values_list(
                "key", "row_number"
            )
        )
        for key, row in earlier.items():
            record = wanted.pop(key)
            refused[id(record)] = _duplicate(record, row)
        insert_new(
            [
                ImportRowKey(job=self.job, key=key, row_number=record.row)
                for key, record in wanted.items()
            ]
        )
        return refused

    def _count(self, outcome: Outcome) -> None:
        self.counts.total += 1
        if outcome.status == CREATED:
            self.counts.created += 1
        elif outcome.status == SKIPPED:
            self.counts.skipped += 1
        else:
            self.counts.invalid += 1

    def _save(self, errors: list[ImportRowError]) -> None:
        ImportRowError.objects.bulk_create(errors)
        job = self.job
        job.rows_processed = self.counts.total
        job.rows_invalid = self.counts.invalid
        job.rows_valid = self.counts.valid
        job.rows_skipped = self.counts.skipped
        job.rows_created = self.counts.created if self.write else 0
        job.updated_at = timezone.now()
        job.save(
            update_fields=[
                "rows_processed",
                "rows_invalid",
                "rows_valid",
                "rows_skipped",
                "rows_created",
                "updated_at",
            ]
        )


class _RollBack(Exception):
    """Raised to undo an all-or-nothing import that met a bad row."""


def _duplicate(record: Record, first_row: int) -> Outcome:
    problem = record.main.problem(
        "external_id",
        _("This id is already on row %(row)s of the file.") % {"row": first_row},
        "import.duplicate_row",
    )
    return Outcome(INVALID, [problem])


def _row_error(job: ImportJob, problem: Problem) -> ImportRowError:
    return ImportRowError(
        job=job,
        row_number=problem.row,
        sheet=problem.sheet[:100],
        column=problem.column[:200],
        field=problem.field[:60],
        value=problem.value[:60],
        code=problem.code[:60],
        reason=problem.reason,
    )


def _batched(items: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while batch := list(islice(items, size)):
        yield batch


# Entry points -------------------------------------------------------------------------------


def validate_job(job_id: int) -> None:
    """Dry run: check every row with the services' rules, keep nothing but the report."""
    _run(job_id, write=False)


def import_job(job_id: int) -> None:
    """Import the rows of a checked job, in the mode the user chose."""
    _run(job_id, write=True)


def _run(job_id: int, *, write: bool) -> None:
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    expected = ImportStatus.IMPORTING if write else ImportStatus.VALIDATING
    if job is None or job.status != expected:
        return  # discarded meanwhile, or already run by another worker
    actor = job.created_by
    if not principal_for(actor).has(Permission.MONITORING_IMPORT):
        _fail(job, _("You no longer have the right to import data."))
        return
    work = _Pass(job=job, handler=HANDLERS[job.kind](), actor=actor, write=write)
    try:
        with Table(job.stored_name, job.file_format) as table:
            work.run(table)
    except FileProblem as problem:
        _fail(job, problem.message)
        return
    except Exception:
        logger.exception("import job %s stopped", job_id)
        _fail(job, _("The import stopped on an unexpected error. Nothing more was imported."))
        return
    finally:
        ImportRowKey.objects.filter(job=job).delete()
        cache.delete(progress_cache_key(job_id))
    if write:
        _finish_import(work)
    else:
        _finish_validation(work)


def _finish_validation(work: _Pass) -> None:
    job, counts = work.job, work.counts
    job.status = ImportStatus.VALIDATED
    job.rows_total = counts.total
    job.rows_processed = counts.total
    job.rows_valid = counts.valid
    job.rows_invalid = counts.invalid
    job.rows_skipped = counts.skipped
    job.rows_created = 0
    job.validated_at = job.updated_at = timezone.now()
    job.save()


@transaction.atomic
def _finish_import(work: _Pass) -> None:
    job, counts = work.job, work.counts
    rolled_back = work.all_or_nothing and counts.invalid > 0
    if rolled_back:
        ImportRowError.objects.bulk_create(work.held_errors)
        job.failure_message = _(
            "%(count)s rows could not be imported, so nothing was imported (all or nothing)."
        ) % {"count": counts.invalid}
    job.status = ImportStatus.FAILED if rolled_back else ImportStatus.DONE
    job.rows_total = max(job.rows_total, counts.total)
    job.rows_processed = counts.total
    job.rows_invalid = counts.invalid
    job.rows_valid = counts.valid
    job.rows_skipped = 0 if rolled_back else counts.skipped
    job.rows_created = 0 if rolled_back else counts.created
    _close(job)
    record_event(
        actor=job.created_by,
        action=Action.IMPORT_RUN,
        subject=job,
        changes={
            "kind": job.kind,
            "mode": job.mode,
            "status": job.status,
            "rows": counts.total,
            "created": job.rows_created,
            "skipped": job.rows_skipped,
            "invalid": counts.invalid,
        },
    )


def _close(job: ImportJob) -> None:
    """Delete the file (it holds names) and save the job in its final state."""
    delete_stored(job.stored_name)
    job.stored_name = ""
    job.headers = {}  # a file without a header row would have put a person's data here
    job.finished_at = job.updated_at = timezone.now()
    job.save()


@transaction.atomic
def _fail(job: ImportJob, message: str) -> None:
    job.status = ImportStatus.FAILED
    job.failure_message = message
    _close(job)
    if job.mode:  # an import that had started is in the audit trail, whatever its end
        record_event(
            actor=job.created_by,
            action=Action.IMPORT_RUN,
            subject=job,
            changes={"kind": job.kind, "mode": job.mode, "status": job.status},
        )
