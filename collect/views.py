"""The import pages, under /collect/imports/. Only importers (monitoring:import) see them:
everyone else gets 404, and an importer sees only their own jobs."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.principal import principal_for
from accounts.roles import Permission
from collect import selectors
from collect.fields import MAIN, field_named
from collect.forms import ConfirmForm, MappingForm, SheetsForm, UploadForm
from collect.models import ImportJob, ImportKind, ImportStatus
from collect.services import jobs
from collect.services.records import uses_repeat_sheets
from collect.storage import delete_stored
from collect.upload import EncryptedUpload, EncryptingUploadHandler
from core.errors import DomainError
from core.pagination import requested_page

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _require(request: HttpRequest) -> None:
    if not principal_for(request.user).has(Permission.MONITORING_IMPORT):
        raise Http404("No such page")


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    page, first_page = requested_page(
        request, lambda cursor: selectors.import_job_page(request.user, cursor)
    )
    return render(request, "collect/import_list.html", {"page": page, "first_page": first_page})


@csrf_exempt  # checked by import_upload_form, once the encrypting handler is in place
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require(request)
    handler = EncryptingUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return _upload_form(request, handler)
    finally:
        # A refused form leaves no file behind; an accepted one belongs to its job now.
        for stored_name in handler.stored_names:
            if stored_name != handler.kept:
                delete_stored(stored_name)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _upload_form(request: HttpRequest, handler: EncryptingUploadHandler) -> HttpResponse:
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, too_large=handler.too_large)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            assert isinstance(upload, EncryptedUpload)
            try:
                job = jobs.import_upload(
                    actor=request.user,
                    upload=jobs.StoredUpload(
                        upload.stored_name, upload.size or 0, upload.name or ""
                    ),
                    kind=form.cleaned_data["kind"],
                )
            except DomainError as error:
                form.add_error("kind" if error.field == "kind" else "file", error.message)
            else:
                handler.kept = upload.stored_name
                return redirect("collect:import_mapping", job_id=job.pk)
    else:
        form = UploadForm(initial={"kind": ImportKind.KOBO_HOUSEHOLD_VISIT})
    return render(request, "collect/import_upload.html", {"form": form})


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    _require(request)
    return selectors.get_import_job_for_user(request.user, job_id)


@login_required
@require_GET
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    errors, first_page = requested_page(
        request, lambda cursor: selectors.import_errors_page(job, cursor)
    )
    return render(
        request,
        "collect/import_detail.html",
        {
            "job": job,
            "errors": errors,
            "first_page": first_page,
            "confirm_form": ConfirmForm(),
            "can_discard": not job.is_finished and not job.is_running,
            **_progress_context(job),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.VALIDATED):
        return redirect("collect:import_detail", job_id=job.pk)
    sheets_form = None
    if job.kind == ImportKind.KOBO_HOUSEHOLD_VISIT and len(job.headers) > 1:
        sheets_form = SheetsForm(
            request.POST if request.POST.get("step") == "sheets" else None, job=job
        )
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "sheets" and sheets_form is not None and sheets_form.is_valid():
        try:
            jobs.import_choose_sheets(actor=request.user, job=job, sheets=sheets_form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("collect:import_mapping", job_id=job.pk)
    suggested = jobs.suggested_mapping(job)
    form = MappingForm(
        request.POST if step == "columns" else None,
        job=job,
        initial_mapping=suggested,
    )
    if step == "columns" and form.is_valid():
        try:
            job = jobs.import_map(actor=request.user, job=job, mapping=form.mapping())
            job = jobs.import_validate(actor=request.user, job=job)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return redirect("collect:import_detail", job_id=job.pk)
    repeated = [
        (key, header, field_named(job.kind, key))
        for key, header in sorted(jobs.repeated_mapping(job).items())
    ]
    return render(
        request,
        "collect/import_mapping.html",
        {
            "job": job,
            "form": form,
            "sheets_form": sheets_form,
            "repeated": repeated,
            "recognised_nothing": not any(key in suggested for key in suggested if "." not in key),
            "repeat_sheets": uses_repeat_sheets(job),
            "main_sheet": job.sheets.get(MAIN, ""),
        },
    )


@login_required
@require_POST
def import_validate(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    try:
        jobs.import_validate(actor=request.user, job=job)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("collect:import_detail", job_id=job.pk)


@login_required
@require_POST
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to import."))
        return redirect("collect:import_detail", job_id=job.pk)
    try:
        jobs.import_confirm(actor=request.user, job=job, mode=form.cleaned_data["mode"])
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("collect:import_detail", job_id=job.pk)


@login_required
@require_POST
def import_discard(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    try:
        jobs.import_discard(actor=request.user, job=job)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The import was discarded and its file deleted."))
    return redirect("collect:import_list")


def _progress_context(job: ImportJob) -> dict[str, object]:
    return {
        "job": job,
        "processed": selectors.rows_processed(job),
        "percent": selectors.progress_percent(job),
    }


@login_required
@require_GET
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    response = render(request, "collect/_progress.html", _progress_context(job))
    if not job.is_running and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"  # finished: show the whole result page
    return response


@login_required
@require_GET
def import_errors_csv(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = _job(request, job_id)

    def lines() -> Iterator[str]:
        buffer = _Line()
        writer = csv.writer(buffer)
        writer.writerow([_("sheet"), _("row"), _("column"), _("field"), _("value"), _("reason")])
        yield "\ufeff" + buffer.take()  # the mark lets Excel read the file as UTF-8
        for error in selectors.import_errors_for_download(job):
            writer.writerow(
                [
                    _safe(error.sheet),
                    error.row_number,
                    _safe(error.column),
                    error.field,
                    _safe(error.value),
                    _safe(error.reason),
                ]
            )
            yield buffer.take()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


def _safe(text: str) -> str:
    """A cell starting with = + - @ would run as a formula in a spreadsheet: defuse it."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class _Line:
    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> None:
        self._parts.append(text)

    def take(self) -> str:
        text, self._parts = "".join(self._parts), []
        return text
