"""Pages: the programme dashboard, the agency dashboard, company indicators and reports, exports.

Deny by default: each page checks its right through access.reports and answers 404 otherwise;
a company or report the user may not see answers 404 like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access import reports as access
from core.errors import DomainError
from geo.forms import add_domain_error
from reports import dashboard as dashboards
from reports.agency import agency_dashboard
from reports.catalogue import CATALOGUE
from reports.forms import DashboardFilterForm, ExportForm, ReportRequestForm
from reports.maps import TABLE_ROWS, programme_map
from reports.models import ReportStatus
from reports.selectors import AGE_BANDS, Filters, company_indicators
from reports.services import exports, issue
from reports.services.refresh import refresh_if_stale


def _filters(form: DashboardFilterForm) -> Filters:
    data = form.cleaned_data if form.is_valid() else {}
    months = int(data.get("months") or 12)
    sponsor = data.get("sponsor")
    return Filters.last_months(
        months,
        area=dashboards.find_area(data.get("area")),
        sponsor_id=int(sponsor) if sponsor else None,
    )


@login_required
@require_GET
def programme_dashboard(request: HttpRequest) -> HttpResponse:
    access.require_programme(request.user)
    refresh_if_stale()
    form = DashboardFilterForm(
        request.GET or {"months": "12"},
        areas=dashboards.filter_areas(),
        sponsors=dashboards.filter_sponsors(),
    )
    board = dashboards.programme_dashboard(_filters(form))
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "board": board,
            "age_bands": [band.label for band in AGE_BANDS],
            "can_export": access.can_export_programme(request.user),
            "companies": access.reportable_companies(request.user),
        },
    )


@login_required
@require_GET
def programme_map_page(request: HttpRequest) -> HttpResponse:
    access.require_programme(request.user)
    form = DashboardFilterForm(
        request.GET or {"months": "12"},
        areas=dashboards.filter_areas(),
        sponsors=dashboards.filter_sponsors(),
    )
    return render(
        request,
        "reports/map.html",
        {
            "form": form,
            "map": programme_map(_filters(form)),
            "table_rows": f":{TABLE_ROWS}",
        },
    )


@login_required
@require_GET
def agency_page(request: HttpRequest) -> HttpResponse:
    access.require_agency_dashboard(request.user)
    return render(request, "reports/agency.html", {"board": agency_dashboard(request.user)})


@login_required
@require_GET
def indicator_catalogue(request: HttpRequest) -> HttpResponse:
    if not (
        access.can_read_programme(request.user)
        or access.reportable_companies(request.user).exists()
    ):
        raise Http404("No such page")
    return render(request, "reports/indicators.html", {"catalogue": CATALOGUE})


@login_required
@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    companies = list(access.reportable_companies(request.user))
    if not companies:
        raise Http404("No such page")
    if len(companies) == 1:
        return redirect("reports:company", company_id=companies[0].pk)
    return render(request, "reports/company_list.html", {"companies": companies})


@login_required
@require_http_methods(["GET", "POST"])
def company_page(request: HttpRequest, company_id: int) -> HttpResponse:
    company = access.get_company_for_user(request.user, company_id)
    start, end = issue.last_quarter()
    form = ReportRequestForm(
        request.POST or None,
        initial={
            "period_start": start,
            "period_end": end,
            "language": translation.get_language(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = issue.report_request(
                actor=request.user,
                company=company,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                language=form.cleaned_data["language"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The report is being prepared."))
            return redirect("reports:issued", report_id=report.pk)
    refresh_if_stale()
    filters = Filters.last_months(12)
    return render(
        request,
        "reports/company.html",
        {
            "company": company,
            "sections": company_indicators(company, filters),
            "filters": filters,
            "age_bands": [band.label for band in AGE_BANDS],
            "reports": access.issued_reports_visible_to(request.user).filter(company=company)[:20],
            "form": form,
        },
    )


@login_required
@require_GET
def company_export(request: HttpRequest, company_id: int) -> HttpResponse:
    """A company's own figures as CSV: the suppressed figures of its page, nothing else."""
    company = access.get_company_for_user(request.user, company_id)
    sections = company_indicators(company, Filters.last_months(12))
    rows: list[list[Any]] = [["section", "figure", "value"]]
    for section in sections:
        data = section.as_json()
        for group in ("headline", "rates"):
            rows += [[section.title, label, value] for label, value in data[group].items()]
        for group in ("identified_by_sex_and_age", "identified_by_category", "closures_by_reason"):
            rows += [[section.title, f"{group}:{key}", value] for key, value in data[group].items()]
    response = HttpResponse(
        "".join(exports.csv_lines(iter(rows))), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="kinga-company-{company.pk}.csv"'
    return response


@login_required
@require_GET
def issued_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_issued_report_for_user(request.user, report_id)
    context = {
        "report": report,
        "waiting": report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "reports/_issued_status.html", context)
    return render(request, "reports/issued.html", context)


@login_required
@require_GET
def issued_download(request: HttpRequest, report_id: int, kind: str) -> HttpResponse:
    report = access.get_issued_report_for_user(request.user, report_id)
    try:
        content, content_type = issue.report_download(actor=request.user, report=report, kind=kind)
    except DomainError:
        raise Http404("Not ready") from None
    response = HttpResponse(content, content_type=content_type)
    name = f"kinga-report-{report.company_id}-{report.period_start}-{report.period_end}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def programme_export(request: HttpRequest) -> HttpResponseBase:
    if not access.can_export_programme(request.user):
        raise Http404("No such page")
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = exports.programme_export(
                actor=request.user,  # type: ignore[arg-type]
                secret=form.cleaned_data["secret"],
                purpose=form.cleaned_data["purpose"],
                dataset=form.cleaned_data["dataset"],
                file_format=form.cleaned_data["file_format"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            response: HttpResponseBase
            if export.rows is not None:
                response = StreamingHttpResponse(
                    exports.csv_lines(export.rows), content_type=export.content_type
                )
            else:
                response = HttpResponse(export.content, content_type=export.content_type)
            response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
            return response
    return render(request, "reports/export.html", {"form": form})
