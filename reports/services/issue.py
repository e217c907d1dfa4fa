"""Issue a company's due-diligence report: request it, generate it in the background, serve it.

`report_request` records the request (and its audit event) and queues `generate_report` on
commit; the job refreshes the summary tables, freezes the snapshot, draws the PDF and the XLSX,
and stores all of it with the hashes. Progress is written as it goes, so the page can show it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType
from audit.actions import Action
from audit.services import record_event
from core.errors import DomainError
from core.tasks import enqueue_on_commit
from reports.hrdd.documents import render_pdf, render_xlsx
from reports.hrdd.snapshot import build_snapshot, snapshot_sha256
from reports.models import IssuedReport, ReportStatus
from reports.services.refresh import refresh_indicators

logger = logging.getLogger(__name__)
LONGEST_PERIOD = timedelta(days=366)


def last_quarter(today: date | None = None) -> tuple[date, date]:
    """The last full calendar quarter before `today`."""
    today = today or timezone.localdate()
    first_month = ((today.month - 1) // 3) * 3 + 1
    this_quarter = date(today.year, first_month, 1)
    end = this_quarter - timedelta(days=1)
    start = date(end.year, ((end.month - 1) // 3) * 3 + 1, 1)
    return start, end


@transaction.atomic
def report_request(
    *, actor: Any, company: Organisation, period_start: date, period_end: date, language: str
) -> IssuedReport:
    """Queue a report. `company` must come from access.reports.get_company_for_user."""
    if company.type != OrganisationType.COMPANY:
        raise DomainError("report.not_company", _("Reports are issued for member companies."))
    if period_end < period_start:
        raise DomainError(
            "report.period", _("The period must end after it starts."), field="period_end"
        )
    if period_end > timezone.localdate():
        raise DomainError(
            "report.future", _("A report cannot cover days still to come."), field="period_end"
        )
    if period_end - period_start > LONGEST_PERIOD:
        raise DomainError(
            "report.too_long", _("A report covers one year at most."), field="period_start"
        )
    parameters = {
        "company": company.pk,
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "language": language,
    }
    report = IssuedReport.objects.create(
        company=company,
        period_start=period_start,
        period_end=period_end,
        language=language,
        status=ReportStatus.QUEUED,
        parameters=parameters,
        requested_by=actor,
    )
    record_event(actor=actor, action=Action.REPORT_REQUEST, subject=report, changes=parameters)
    enqueue_on_commit(generate_report, report.pk)
    return report


def _progress(report_id: int, progress: int, **fields: Any) -> None:
    IssuedReport.objects.filter(pk=report_id).update(progress=progress, **fields)


def generate_report(report_id: int) -> None:
    """The background job: refresh, snapshot, PDF, XLSX, store. Safe to run twice."""
    report = IssuedReport.objects.select_related("company").get(pk=report_id)
    if report.status == ReportStatus.ISSUED:
        return
    _progress(report_id, 5, status=ReportStatus.RUNNING)
    try:
        refresh_indicators()
        _progress(report_id, 40)
        issued_at = timezone.localtime().replace(microsecond=0)
        snapshot = build_snapshot(
            report.company,
            report.period_start,
            report.period_end,
            language=report.language,
            issued_at=issued_at,
        )
        digest = snapshot_sha256(snapshot)
        # The files are drawn from the text that is stored, exactly as `reproduce` will.
        text = json.dumps(snapshot, ensure_ascii=False)
        snapshot = json.loads(text)
        _progress(report_id, 60)
        pdf = render_pdf(snapshot, digest)
        _progress(report_id, 80)
        xlsx = render_xlsx(snapshot, digest)
        with transaction.atomic():
            IssuedReport.objects.filter(pk=report_id).update(
                status=ReportStatus.ISSUED,
                progress=100,
                snapshot=text,
                snapshot_sha256=digest,
                pdf=pdf,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                xlsx=xlsx,
                xlsx_sha256=hashlib.sha256(xlsx).hexdigest(),
                issued_at=issued_at,
                error="",
            )
            record_event(
                actor=None,
                action=Action.REPORT_ISSUE,
                subject_type="reports.issuedreport",
                subject_id=report_id,
                changes={"snapshot_sha256": digest},
            )
    except Exception as error:
        logger.exception("report %s failed", report_id)
        _progress(report_id, 0, status=ReportStatus.FAILED, error=str(error)[:500])


def reproduce(report: IssuedReport) -> tuple[bytes, bytes]:
    """The PDF and XLSX drawn again from the stored snapshot (to verify a report)."""
    return (
        render_pdf(report.snapshot_data, report.snapshot_sha256),
        render_xlsx(report.snapshot_data, report.snapshot_sha256),
    )


@transaction.atomic
def report_download(*, actor: Any, report: IssuedReport, kind: str) -> tuple[bytes, str]:
    """The stored bytes of an issued report, with an audit event. `kind` is pdf or xlsx."""
    if report.status != ReportStatus.ISSUED:
        raise DomainError("report.not_ready", _("This report is not ready yet."))
    record_event(actor=actor, action=Action.REPORT_DOWNLOAD, subject=report, changes={"kind": kind})
    if kind == "pdf":
        return bytes(report.pdf), "application/pdf"
    return (
        bytes(report.xlsx),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
