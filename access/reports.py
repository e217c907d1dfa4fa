"""Who may read which reports.

- The programme dashboard and the hub export: report:programme:read (hub admin, programme
  manager). They show unsuppressed counts, never a name.
- A company's indicators and issued reports: the companies the user may see
  (access.companies: the Hub every company, a company member their own). Every figure there is
  suppressed; no child-level row is reachable from them.
- The agency dashboard: the cases the user's agency holds (access.cases).
Anything else answers 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404

from access.companies import companies_visible_to, get_company_for_user
from access.principal import principal_for
from accounts.models import Organisation
from accounts.roles import Permission
from reports.models import IssuedReport

__all__ = [
    "can_export_programme",
    "can_read_agency_dashboard",
    "can_read_programme",
    "get_company_for_user",
    "get_issued_report_for_user",
    "issued_reports_visible_to",
    "reportable_companies",
    "require_agency_dashboard",
    "require_programme",
]


def can_read_programme(user: Any) -> bool:
    return principal_for(user).has(Permission.REPORT_PROGRAMME_READ)


def require_programme(user: Any) -> None:
    if not can_read_programme(user):
        raise Http404("No such page")


def can_export_programme(user: Any) -> bool:
    principal = principal_for(user)
    return principal.has(Permission.EXPORT_CREATE) and principal.has(
        Permission.REPORT_PROGRAMME_READ
    )


def can_read_agency_dashboard(user: Any) -> bool:
    """Case managers and supervisors: the figures of their own agency."""
    principal = principal_for(user)
    return principal.has(Permission.CASE_READ) and not principal.has(Permission.REFERRAL_MANAGE)


def require_agency_dashboard(user: Any) -> None:
    if not can_read_agency_dashboard(user):
        raise Http404("No such page")


def reportable_companies(user: Any) -> QuerySet[Organisation]:
    return companies_visible_to(user).order_by("name", "id")


def issued_reports_visible_to(user: Any) -> QuerySet[IssuedReport]:
    return IssuedReport.objects.filter(company__in=companies_visible_to(user).values("id"))


def get_issued_report_for_user(user: Any, report_id: int | str) -> IssuedReport:
    try:
        return issued_reports_visible_to(user).select_related("company").get(pk=int(report_id))
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such report") from None
