"""Reads for the import pages. An importer sees their own import jobs; anyone else, none."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from access.principal import principal_for
from accounts.roles import Permission
from collect.models import ImportJob, ImportRowError, ImportStatus
from collect.services.runner import progress_cache_key
from core.pagination import Page, keyset_page

JOBS_PER_PAGE = 25
ERRORS_PER_PAGE = 50


def import_jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    principal = principal_for(user)
    if not principal.has(Permission.MONITORING_IMPORT) or principal.user_id is None:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by_id=principal.user_id)


def get_import_job_for_user(user: Any, job_id: int | str) -> ImportJob:
    try:
        return import_jobs_visible_to(user).get(pk=int(job_id))
    except (ImportJob.DoesNotExist, ValueError):
        raise Http404("No such import") from None


def import_job_page(user: Any, cursor: str | None) -> Page[ImportJob]:
    return keyset_page(
        import_jobs_visible_to(user), order=["-id"], cursor=cursor, size=JOBS_PER_PAGE
    )


def import_errors_page(job: ImportJob, cursor: str | None) -> Page[ImportRowError]:
    return keyset_page(
        job.row_errors.all(), order=["row_number", "id"], cursor=cursor, size=ERRORS_PER_PAGE
    )


def import_errors_for_download(job: ImportJob) -> Iterator[ImportRowError]:
    return job.row_errors.order_by("row_number", "id").iterator(chunk_size=2000)


def rows_processed(job: ImportJob) -> int:
    """Rows done so far. An all-or-nothing import commits nothing until its end, so its
    progress travels through the cache (shared by workers and web processes with Redis)."""
    if job.status == ImportStatus.IMPORTING:
        cached = cache.get(progress_cache_key(job.pk))
        if isinstance(cached, int):
            return max(cached, job.rows_processed)
    return job.rows_processed


def progress_percent(job: ImportJob) -> int | None:
    if job.status != ImportStatus.IMPORTING or not job.rows_total:
        return None
    return min(100, rows_processed(job) * 100 // job.rows_total)
