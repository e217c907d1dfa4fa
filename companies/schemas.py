"""Shapes of the companies API: what goes in, what comes out.

Nothing here carries a child: cohorts come out as suppressed counts (null when 1 to 9), and
case ids only for Hub staff, who may open those cases anyway.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from companies.models import (
    MAX_TIER,
    LinkSource,
    MembershipStatus,
    NominationStatus,
    ParticipationPackage,
)
from core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class PageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class OrganisationRefOut(Schema):
    id: int
    name: str


class MembershipOut(Schema):
    package: ParticipationPackage
    status: MembershipStatus
    starts_on: date
    ends_on: date | None
    currency: str
    supplier_limit: int | None = Field(description="Suppliers the package covers; null: any.")


class CompanyOut(Schema):
    id: int
    name: str
    membership: MembershipOut | None


class CompanyPageOut(Schema):
    items: list[CompanyOut]
    next_cursor: str | None


class CompanyDetailOut(CompanyOut):
    pledged: str = Field(description="Sum of pledges, in the membership's currency.")
    paid: str = Field(description="Sum of payments, in the membership's currency.")
    supplier_count: int
    site_count: int = Field(description="Sites reachable through the chain, any tier.")
    nominations: dict[str, int] = Field(description="How many nominations are in each state.")


class SupplyChainLinkOut(Schema):
    id: int
    supplier: OrganisationRefOut
    tier: int
    buyer: OrganisationRefOut | None
    source: LinkSource
    site_count: int
    created_at: datetime


class SupplyChainPageOut(Schema):
    items: list[SupplyChainLinkOut]
    next_cursor: str | None


class ChainSiteOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    area_name: str


class ChainSitePageOut(Schema):
    items: list[ChainSiteOut]
    next_cursor: str | None


class NominationOut(Schema):
    id: int
    company_id: int
    supplier_name: str
    supplier_id: int | None
    tier: int
    buyer_id: int | None
    status: NominationStatus
    nominated_at: datetime
    invited_at: datetime | None
    accepted_at: datetime | None
    declined_at: datetime | None
    decline_reason: str
    activated_at: datetime | None


class NominationPageOut(Schema):
    items: list[NominationOut]
    next_cursor: str | None


class NominationQuery(PageQuery):
    company: int | None = None
    status: NominationStatus | None = None


class NominationIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    supplier_name: str = Field(min_length=1, max_length=200)
    tier: int = Field(ge=1, le=MAX_TIER)
    buyer_id: int | None = None
    contact_email: str = Field("", max_length=254)
    note: str = Field("", max_length=2000)


class DeclineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=300)


class CountOut(Schema):
    value: int | None = Field(description="The count; null when it is from 1 to 9 (suppressed).")
    shown: str = Field(description='What a page shows, e.g. "12" or "fewer than 10".')


class CohortOut(Schema):
    id: int
    company_id: int
    name: str
    places: int
    starts_on: date
    ends_on: date | None
    placed: CountOut
    stages: dict[str, CountOut] = Field(
        description="Cases by stage: assessment, remediation, follow_up, closed."
    )
    case_ids: list[int] | None = Field(
        description="The cases placed (Hub staff only; null for a company)."
    )


class CohortPageOut(Schema):
    items: list[CohortOut]
    next_cursor: str | None


class CohortQuery(PageQuery):
    company: int | None = None


class CohortCaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    case_id: int
