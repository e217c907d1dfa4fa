"""Visibility of member companies, their supply chains, nominations and cohorts.

- Hub staff holding company:manage see every company.
- A company member (report:company:read without company:manage) sees only the companies they
  belong to, and through them only that company's chain, nominations and cohorts.
- Everyone else sees none. Another company's ids answer 404 like ids that do not exist.

Cohorts are the one place a company touches cases: a company member reads counts of its
cohort's cases (companies.figures), never the cases themselves.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404

from access.principal import principal_for
from accounts.models import Organisation, OrganisationType
from accounts.roles import Permission
from companies.models import Cohort, Nomination, SupplyChainLink


def manages_companies(user: Any) -> bool:
    return principal_for(user).has(Permission.COMPANY_MANAGE)


def companies_visible_to(user: Any) -> QuerySet[Organisation]:
    principal = principal_for(user)
    companies = Organisation.objects.filter(type=OrganisationType.COMPANY)
    if principal.has(Permission.COMPANY_MANAGE):
        return companies
    if principal.has(Permission.REPORT_COMPANY_READ):
        return companies.filter(id__in=principal.organisation_ids)
    return companies.none()


def get_company_for_user(user: Any, company_id: int | str) -> Organisation:
    try:
        return companies_visible_to(user).get(pk=int(company_id))
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such company") from None


def own_companies(user: Any) -> QuerySet[Organisation]:
    """The companies the user belongs to (a company member's portal), whatever else they see."""
    principal = principal_for(user)
    if not principal.has(Permission.REPORT_COMPANY_READ):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        type=OrganisationType.COMPANY, id__in=principal.organisation_ids
    )


def supply_chain_links_visible_to(user: Any) -> QuerySet[SupplyChainLink]:
    return SupplyChainLink.objects.filter(company__in=companies_visible_to(user))


def nominations_visible_to(user: Any) -> QuerySet[Nomination]:
    return Nomination.objects.filter(company__in=companies_visible_to(user))


def get_nomination_for_user(user: Any, nomination_id: int | str) -> Nomination:
    queryset = nominations_visible_to(user).select_related("company", "supplier", "buyer")
    try:
        return queryset.get(pk=int(nomination_id))
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such nomination") from None


def cohorts_visible_to(user: Any) -> QuerySet[Cohort]:
    return Cohort.objects.filter(company__in=companies_visible_to(user))


def get_cohort_for_user(user: Any, cohort_id: int | str) -> Cohort:
    try:
        return cohorts_visible_to(user).select_related("company").get(pk=int(cohort_id))
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such cohort") from None
