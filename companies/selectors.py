"""Reads of companies, supply chains, nominations and cohorts.

Functions taking a `company` trust the caller to have fetched it through
access.companies (`get_company_for_user`); functions taking a `user` filter by themselves.
`supply_chain_sites`, `company_cohorts` and `cohort_case_ids` are what the reports module
builds a company's indicators on: keep their signatures stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from access.cases import cases_visible_to
from access.companies import cohorts_visible_to, companies_visible_to, nominations_visible_to
from accounts.models import Organisation
from cases.models import Case
from companies.models import (
    Cohort,
    CohortCase,
    CompanyMembership,
    ContributionKind,
    Nomination,
    NominationStatus,
    SupplierSite,
    SupplyChainLink,
)
from core.pagination import Page, keyset_page
from geo.models import Site


def supply_chain_supplier_ids(company: Organisation) -> QuerySet[Any]:
    """Ids of the organisations in the company's chain, any tier (a subquery)."""
    return SupplyChainLink.objects.filter(company=company).values("supplier_id")


def supply_chain_sites(company: Organisation) -> QuerySet[Site]:
    """Every site reachable through the company's supplier links, any tier.

    A site is in the chain when a supplier of the chain is linked to it (SupplierSite) or
    operates it, or when the company operates it itself.
    """
    suppliers = supply_chain_supplier_ids(company)
    return Site.objects.filter(
        Q(supplier_links__supplier_id__in=suppliers)
        | Q(operator_id__in=suppliers)
        | Q(operator_id=company.pk)
    ).distinct()


def company_cohorts(company: Organisation) -> QuerySet[Cohort]:
    return Cohort.objects.filter(company=company).order_by("name", "id")


def cohort_case_ids(cohort: Cohort) -> QuerySet[CohortCase, int]:
    """Ids of the cases holding a place in `cohort` (usable as a subquery)."""
    return CohortCase.objects.filter(cohort=cohort).values_list("case_id", flat=True)


def supply_chain_links(company: Organisation) -> QuerySet[SupplyChainLink]:
    """The company's suppliers with tier and whom they sell to."""
    return (
        SupplyChainLink.objects.filter(company=company)
        .select_related("supplier", "buyer")
        .order_by("tier", "supplier__name", "id")
    )


def supplier_site_counts(company: Organisation) -> dict[int, int]:
    """Sites per supplier of the chain: linked to it or operated by it (two queries)."""
    suppliers = supply_chain_supplier_ids(company)
    sites: dict[int, set[int]] = {}
    linked = SupplierSite.objects.filter(supplier_id__in=suppliers).values_list(
        "supplier_id", "site_id"
    )
    operated = Site.objects.filter(operator_id__in=suppliers).values_list("operator_id", "id")
    for supplier_id, site_id in [*linked, *operated]:
        sites.setdefault(supplier_id, set()).add(site_id)
    return {supplier_id: len(site_ids) for supplier_id, site_ids in sites.items()}


@dataclass(frozen=True)
class ChainLink:
    link: SupplyChainLink
    site_count: int


def chain_links(company: Organisation) -> list[ChainLink]:
    counts = supplier_site_counts(company)
    return [
        ChainLink(link, counts.get(link.supplier_id, 0)) for link in supply_chain_links(company)
    ]


def company_nominations(company: Organisation) -> QuerySet[Nomination]:
    return Nomination.objects.filter(company=company).select_related("buyer", "supplier")


def nomination_counts(company: Organisation) -> dict[str, int]:
    """How many of the company's nominations are in each state (every state listed)."""
    counts = dict(
        Nomination.objects.filter(company=company)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status.value: counts.get(status.value, 0) for status in NominationStatus}


def membership_for(company: Organisation) -> CompanyMembership | None:
    return CompanyMembership.objects.filter(company=company).first()


@dataclass(frozen=True)
class ContributionTotals:
    pledged: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return max(self.pledged - self.paid, Decimal("0"))


def contribution_totals(membership: CompanyMembership) -> ContributionTotals:
    totals = membership.contributions.aggregate(
        pledged=Sum("amount", filter=Q(kind=ContributionKind.PLEDGE)),
        paid=Sum("amount", filter=Q(kind=ContributionKind.PAYMENT)),
    )
    return ContributionTotals(
        pledged=totals["pledged"] or Decimal("0"), paid=totals["paid"] or Decimal("0")
    )


# Pages -----------------------------------------------------------------------------------

COMPANY_ORDER = ("name", "id")


def company_page(user: Any, *, cursor: str | None = None) -> Page[Organisation]:
    """The companies the user may see, with their package and what waits for the Hub."""
    queryset = (
        companies_visible_to(user)
        .select_related("membership")
        .annotate(
            supplier_count=Count("supply_chain_links", distinct=True),
            to_invite=Count(
                "nominations",
                filter=Q(nominations__status=NominationStatus.NOMINATED),
                distinct=True,
            ),
            cohort_count=Count("cohorts", distinct=True),
        )
    )
    return keyset_page(queryset, order=COMPANY_ORDER, cursor=cursor)


def chain_buyers(company: Organisation) -> list[Organisation]:
    """Whom a supplier of the chain may sell to: the company, then its suppliers by name."""
    suppliers = Organisation.objects.filter(id__in=supply_chain_supplier_ids(company)).order_by(
        "name"
    )
    return [company, *suppliers]


@dataclass(frozen=True)
class ChainSite:
    site: Site
    suppliers: list[str]


def chain_sites(company: Organisation) -> list[ChainSite]:
    """The chain's sites with the suppliers linked to each (two queries)."""
    sites = list(
        supply_chain_sites(company).select_related("area", "operator").order_by("name", "id")
    )
    names: dict[int, list[str]] = {site.pk: [] for site in sites}
    links = (
        SupplierSite.objects.filter(
            site_id__in=names.keys(), supplier_id__in=supply_chain_supplier_ids(company)
        )
        .order_by("supplier__name")
        .values_list("site_id", "supplier__name")
    )
    for site_id, supplier_name in links:
        names[site_id].append(supplier_name)
    for site in sites:
        operator = site.operator
        if operator is not None and operator.name not in names[site.pk]:
            names[site.pk].append(operator.name)
    return [ChainSite(site, names[site.pk]) for site in sites]


def cohort_placements(user: Any, cohort: Cohort) -> QuerySet[CohortCase]:
    """The cases holding the cohort's places, for Hub staff who may see those cases."""
    return (
        CohortCase.objects.filter(cohort=cohort, case__in=cases_visible_to(user))
        .select_related("case")
        .order_by("-assigned_at", "-id")
    )


def case_by_number(user: Any, number: str) -> Case | None:
    return cases_visible_to(user).filter(number__iexact=number.strip()).first()


def cohort_placed_count(cohort: Cohort) -> int:
    return CohortCase.objects.filter(cohort=cohort).count()


# API pages -------------------------------------------------------------------------------


def company_api_page(user: Any, *, cursor: str | None, size: int) -> Page[Organisation]:
    queryset = companies_visible_to(user).select_related("membership")
    return keyset_page(queryset, order=COMPANY_ORDER, cursor=cursor, size=size)


def supply_chain_page(
    company: Organisation, *, cursor: str | None, size: int
) -> Page[SupplyChainLink]:
    return keyset_page(supply_chain_links(company), order=("tier", "id"), cursor=cursor, size=size)


def chain_site_page(company: Organisation, *, cursor: str | None, size: int) -> Page[Site]:
    queryset = supply_chain_sites(company).select_related("area")
    return keyset_page(queryset, order=("name", "id"), cursor=cursor, size=size)


def nomination_page(
    user: Any,
    *,
    company: Organisation | None,
    status: str,
    cursor: str | None,
    size: int,
) -> Page[Nomination]:
    queryset = nominations_visible_to(user)
    if company is not None:
        queryset = queryset.filter(company=company)
    if status:
        queryset = queryset.filter(status=status)
    return keyset_page(queryset, order=("-id",), cursor=cursor, size=size)


def cohort_page(
    user: Any, *, company: Organisation | None, cursor: str | None, size: int
) -> Page[Cohort]:
    queryset = cohorts_visible_to(user)
    if company is not None:
        queryset = queryset.filter(company=company)
    return keyset_page(queryset, order=("id",), cursor=cursor, size=size)


def case_ids_by_cohort(cohorts: list[Cohort]) -> dict[int, list[int]]:
    ids: dict[int, list[int]] = {cohort.pk: [] for cohort in cohorts}
    rows = CohortCase.objects.filter(cohort__in=cohorts).order_by("case_id")
    for cohort_id, case_id in rows.values_list("cohort_id", "case_id"):
        ids[cohort_id].append(case_id)
    return ids
