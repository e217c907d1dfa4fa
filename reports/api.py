"""JSON endpoints for indicators and company reports, under /api/v1/reports.

Programme figures need report:programme:read; a company's figures and reports are for the
users who may see that company (access.reports), suppressed exactly as on its page. Anything
else answers 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router

from access import reports as access
from core.errors import NotFound
from core.schemas import ErrorOut, ValidationErrorOut
from reports.catalogue import CATALOGUE
from reports.dashboard import find_area
from reports.schemas import (
    CompanyIndicatorsOut,
    IndicatorOut,
    IssuedReportOut,
    ProgrammeOut,
    ProgrammeQuery,
)
from reports.selectors import Filters, company_indicators, indicator_values, read_counts

router = Router(tags=["reports"])
_READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}


def _company(request: HttpRequest, company_id: int) -> Any:
    try:
        return access.get_company_for_user(request.user, company_id)
    except Http404:
        raise NotFound("company") from None


@router.get(
    "/reports/indicators",
    response={200: list[IndicatorOut], **_READ_ERRORS},
    summary="The indicator catalogue",
)
def indicator_catalogue(request: HttpRequest) -> list[dict[str, Any]]:
    if not (
        access.can_read_programme(request.user)
        or access.reportable_companies(request.user).exists()
    ):
        raise NotFound("catalogue")
    return [
        {
            "code": indicator.code,
            "name": str(indicator.name),
            "definition": str(indicator.definition),
            "kind": indicator.kind.value,
            "numerator": str(indicator.numerator_text),
            "denominator": str(indicator.denominator_text),
            "dimensions": sorted(dimension.value for dimension in indicator.dimensions),
        }
        for indicator in CATALOGUE
    ]


@router.get(
    "/reports/programme",
    response={200: ProgrammeOut, **_READ_ERRORS, 422: ValidationErrorOut},
    summary="Programme indicators",
)
def programme_indicators(request: HttpRequest, query: Query[ProgrammeQuery]) -> dict[str, Any]:
    if not access.can_read_programme(request.user):
        raise NotFound("report")
    area = find_area(str(query.area_id)) if query.area_id else None
    if query.area_id and area is None:
        raise NotFound("area")
    filters = Filters.last_months(query.months, area=area, sponsor_id=query.sponsor_id)
    values = indicator_values(read_counts(filters, with_areas=False))
    return {
        "start": filters.start,
        "end": filters.end,
        "area_id": query.area_id,
        "sponsor_id": query.sponsor_id,
        "indicators": [
            {
                "code": value.indicator.code,
                "numerator": value.numerator,
                "denominator": value.denominator,
                "value": value.value,
                "pending": value.pending,
            }
            for value in values
        ],
    }


@router.get(
    "/reports/companies/{company_id}",
    response={200: CompanyIndicatorsOut, **_READ_ERRORS},
    summary="A company's indicators (suppressed)",
)
def company_figures(request: HttpRequest, company_id: int) -> dict[str, Any]:
    company = _company(request, company_id)
    filters = Filters.last_months(12)
    return {
        "company_id": company.pk,
        "name": company.name,
        "start": filters.start,
        "end": filters.end,
        "sections": [section.as_json() for section in company_indicators(company, filters)],
    }


@router.get(
    "/reports/issued/{report_id}",
    response={200: IssuedReportOut, **_READ_ERRORS},
    summary="An issued report: status, progress and hashes",
)
def issued_report(request: HttpRequest, report_id: int) -> Any:
    try:
        return access.get_issued_report_for_user(request.user, report_id)
    except Http404:
        raise NotFound("report") from None
