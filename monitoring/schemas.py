"""Shapes of the monitoring API: what goes in, what comes out.

Names are null for users who may not see identities (auditors, programme managers): the field
is always present, so a client never has to guess whether it was left out or is unknown.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Self

from ninja import Field, Schema
from pydantic import ConfigDict, model_validator

from core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from monitoring.choices import (
    AgeConfidence,
    AgeEvidence,
    ConsentKind,
    ConsentPurpose,
    IdentificationStatus,
    MiningDependence,
    SchoolCostBurden,
    SchoolStatus,
    Sex,
    Urgency,
    VisitKind,
    VisitSource,
)
from monitoring.classification import Category, Hazard, Sector, WorstForm

_NAME_HIDDEN = "Null unless the token's user may see identities."
_Cursor = Field(None, description="`next_cursor` of the previous page.")
_Limit = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
_Area = Field(None, description="Only records in this area or beneath it (area id).")


class CommunityOut(Schema):
    """The village (or area) a record belongs to."""

    id: int
    code: str
    name: str


class ReasonOut(Schema):
    rule_id: str
    explanation: str = Field(description="The rule in plain words, in the request's language.")


# Households ------------------------------------------------------------------------------------


class HouseholdRefOut(Schema):
    id: int
    code: str


class HouseholdOut(Schema):
    id: int
    code: str
    area: CommunityOut
    head_name: str | None = Field(description=_NAME_HIDDEN)
    members_count: int
    income_sources: list[str]
    mining_dependence: MiningDependence
    school_cost_burden: SchoolCostBurden
    external_id: str | None
    created_at: datetime
    updated_at: datetime


class HouseholdChildOut(Schema):
    id: int
    code: str
    first_name: str | None = Field(description=_NAME_HIDDEN)
    last_name: str | None = Field(description=_NAME_HIDDEN)
    sex: Sex
    age: int
    birth_date_is_estimated: bool


class HouseholdDetailOut(HouseholdOut):
    phone: str | None = Field(description=_NAME_HIDDEN)
    location: str | None = Field(description="'latitude,longitude'. " + _NAME_HIDDEN)
    children: list[HouseholdChildOut] = Field(description="Live records; merged ones left out.")


class HouseholdPageOut(Schema):
    items: list[HouseholdOut]
    next_cursor: str | None


class HouseholdListQuery(Schema):
    area: int | None = _Area
    q: str = Field("", max_length=40, description="Part of the household code, any case.")
    cursor: str | None = _Cursor
    limit: int = _Limit


# Children --------------------------------------------------------------------------------------


class ChildRefOut(Schema):
    id: int
    code: str
    first_name: str | None = Field(description=_NAME_HIDDEN)
    last_name: str | None = Field(description=_NAME_HIDDEN)


class ChildOut(ChildRefOut):
    sex: Sex
    birth_date: date
    birth_date_is_estimated: bool
    age: int = Field(description="Completed years today.")
    age_evidence: AgeEvidence
    age_confidence: AgeConfidence
    household: HouseholdRefOut | None = Field(
        description="None for a child met on a site whose household is not known yet."
    )
    area: CommunityOut = Field(
        description="The household's community, or where the child was met without one."
    )
    latest_category: Category | None = Field(description="Of the most recent visit, if any.")
    merged_into_id: int | None = Field(
        description="Set when this record was merged into another: use that one instead."
    )


class ConsentOut(Schema):
    kind: ConsentKind
    purpose: ConsentPurpose
    given: bool
    obtained_on: date


class ChildFindingOut(Schema):
    visit_id: int
    visited_on: date
    kind: VisitKind
    age_at_visit: int
    school_status: SchoolStatus
    category: Category
    reasons: list[ReasonOut]
    ruleset: str


class IdentificationRefOut(Schema):
    id: int
    category: Category
    urgency: Urgency
    status: IdentificationStatus
    identified_at: datetime
    deadline_at: datetime
    overdue: bool


class ChildDetailOut(ChildOut):
    consents: list[ConsentOut]
    findings: list[ChildFindingOut] = Field(description="Every visit's finding, newest first.")
    identifications: list[IdentificationRefOut]


class ChildPageOut(Schema):
    items: list[ChildOut]
    next_cursor: str | None


class ChildListQuery(Schema):
    area: int | None = _Area
    sex: Sex | None = None
    category: Category | None = Field(None, description="Category of the most recent visit.")
    age_min: int | None = Field(None, ge=0, le=30, description="Completed years today.")
    age_max: int | None = Field(None, ge=0, le=30, description="Completed years today.")
    cursor: str | None = _Cursor
    limit: int = _Limit

    @model_validator(mode="after")
    def _ages_in_order(self) -> Self:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min must not be above age_max")
        return self


# Visits ----------------------------------------------------------------------------------------


class VisitSiteOut(Schema):
    id: int
    code: str
    name: str


class VisitOut(Schema):
    id: int
    kind: VisitKind
    visited_on: date
    area: CommunityOut
    household: HouseholdRefOut | None
    site: VisitSiteOut | None
    source: VisitSource
    external_id: str | None
    children_count: int
    created_at: datetime


class ActivityOut(Schema):
    task: str = Field(description="Task code, from GET /tasks.")
    sector: Sector
    hours_per_week: float
    hazards: list[Hazard]
    night: bool


class ObservationOut(Schema):
    child: ChildRefOut
    age_at_visit: int
    school_status: SchoolStatus
    household_chores_hours: float
    worst_forms: list[WorstForm]
    immediate_danger: bool
    notes: str
    activities: list[ActivityOut]
    category: Category
    reasons: list[ReasonOut]
    ruleset: str = Field(description="`name@version` of the rules that classified the child.")
    identification: IdentificationRefOut | None = Field(
        description="The referral this finding opened or updated, if any."
    )


class VisitDetailOut(VisitOut):
    notes: str
    observations: list[ObservationOut] = Field(description="Children the token's user may see.")


class VisitPageOut(Schema):
    items: list[VisitOut]
    next_cursor: str | None


class VisitListQuery(Schema):
    area: int | None = _Area
    kind: VisitKind | None = None
    date_from: date | None = None
    date_to: date | None = None
    cursor: str | None = _Cursor
    limit: int = _Limit

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self


_Hours = Field(ge=0, le=168, max_digits=5, decimal_places=1)


class ActivityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    task: str = Field(min_length=1, max_length=60, description="Task code, from GET /tasks.")
    hours_per_week: Decimal = _Hours
    hazards: list[Hazard] = Field(default_factory=list)
    night: bool = False


class VisitChildIn(Schema):
    model_config = ConfigDict(extra="forbid")

    child_id: int
    school_status: SchoolStatus
    household_chores_hours: Decimal = Field(
        Decimal(0), ge=0, le=168, max_digits=5, decimal_places=1
    )
    worst_forms: list[WorstForm] = Field(default_factory=list)
    immediate_danger: bool = False
    notes: str = Field("", max_length=2000)
    activities: list[ActivityIn] = Field(default_factory=list, max_length=30)


class VisitIn(Schema):
    """A visit with children already registered. Send `household_id` for household and
    follow-up visits, `site_id` for site and school visits."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    kind: VisitKind
    visited_on: date
    household_id: int | None = None
    site_id: int | None = None
    external_id: str | None = Field(
        None,
        min_length=1,
        max_length=120,
        description="A stable id of this submission: sending it again returns the same visit.",
    )
    notes: str = Field("", max_length=2000)
    children: list[VisitChildIn] = Field(min_length=1, max_length=60)


# Identifications -------------------------------------------------------------------------------


class IdentificationOut(IdentificationRefOut):
    child: ChildRefOut
    area: CommunityOut
    reasons: list[ReasonOut] = Field(description="Why, from the latest finding.")


class IdentificationPageOut(Schema):
    items: list[IdentificationOut]
    next_cursor: str | None


class IdentificationListQuery(Schema):
    urgency: Urgency | None = None
    status: IdentificationStatus | None = None
    overdue: bool | None = Field(
        None, description="true: open and past the deadline; false: everything else."
    )
    area: int | None = _Area
    cursor: str | None = _Cursor
    limit: int = _Limit


# Tasks -----------------------------------------------------------------------------------------


class TaskOut(Schema):
    code: str
    name: str = Field(description="In the request's language.")
    name_en: str
    name_fr: str
    sector: Sector
    typical_hazards: list[Hazard]


class TaskPageOut(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskListQuery(Schema):
    cursor: str | None = _Cursor
    limit: int = _Limit
