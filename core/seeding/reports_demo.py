"""The demo's indicator tables and one issued due-diligence report per company.

Runs after the companies step: the summary tables are rebuilt from the demo's monitoring and
case rows, then each member company gets its report for the last full quarter, generated as a
company's request would be (issued by the system, so `requested_by` is empty). Without
companies, or with their reports already issued, it makes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import Organisation, OrganisationType
from reports.models import IssuedReport, ReportStatus
from reports.services.issue import generate_report, last_quarter, report_request
from reports.services.refresh import refresh_indicators

if TYPE_CHECKING:
    from core.seeding.demo import DemoContext


def seed_reports(context: DemoContext) -> None:
    refresh_indicators(full=True)
    start, end = last_quarter()
    companies = Organisation.objects.filter(type=OrganisationType.COMPANY, is_active=True)
    for company in companies.order_by("name"):
        if IssuedReport.objects.filter(
            company=company, period_start=start, period_end=end, status=ReportStatus.ISSUED
        ).exists():
            continue
        report = report_request(
            actor=None, company=company, period_start=start, period_end=end, language="en"
        )
        generate_report(report.pk)
        context.created["issued reports"] += 1
