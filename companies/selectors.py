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

from accounts.models import Organisation
from companies.models import (
    Cohort,
    CohortCase,
    CompanyMembership,
    ContributionKind,
    Nomination,
    NominationStatus,
    SupplyChainLink,
)
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
    """The company's suppliers with tier, whom they sell to, and how many sites each has."""
    return (
        SupplyChainLink.objects.filter(company=company)
        .select_related("supplier", "buyer")
        .annotate(site_count=Count("supplier__supplier_sites", distinct=True))
        .order_by("tier", "supplier__name", "id")
    )


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
