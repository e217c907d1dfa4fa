"""Shapes of the cases API: referrals, cases, plans and follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ninja import Field, Schema
from pydantic import ConfigDict

from cases.choices import (
    CaseEventKind,
    CaseState,
    ClosureReason,
    Currency,
    PlanItemKind,
    PlanItemStatus,
    PlanStatus,
    ReferralSource,
    ReferralStatus,
)
from core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from monitoring.choices import SchoolStatus, Urgency
from monitoring.classification import WorstForm
from monitoring.schemas import ActivityIn

_Cursor = Field(None, description="`next_cursor` of the previous page.")
_Limit = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
_Version = Field(description="The case `version` you last read: a stale one is refused.")


class CaseRefOut(Schema):
    id: int
    name: str


class CaseAreaOut(Schema):
    id: int
    code: str
    name: str


class CaseChildOut(Schema):
    id: int
    code: str


# Referrals -------------------------------------------------------------------------------------


class ReferralOut(Schema):
    id: int
    child: CaseChildOut
    source: ReferralSource
    identification_id: int | None
    agency: CaseRefOut
    area: CaseAreaOut
    urgency: Urgency
    status: ReferralStatus
    note: str
    referred_at: datetime
    deadline_at: datetime = Field(description="The agency must answer by then.")
    overdue: bool = Field(description="Still waiting after the deadline.")
    responded_at: datetime | None
    decline_reason: str
    case_id: int | None = Field(description="The case opened by accepting, if any.")


class ReferralPageOut(Schema):
    items: list[ReferralOut]
    next_cursor: str | None


class ReferralListQuery(Schema):
    status: ReferralStatus | None = None
    agency: int | None = Field(None, description="Agency (organisation) id.")
    urgency: Urgency | None = None
    overdue: bool | None = Field(None, description="true: waiting past the deadline.")
    cursor: str | None = _Cursor
    limit: int = _Limit


class ReferralIn(Schema):
    model_config = ConfigDict(extra="forbid")

    identification_id: int
    agency_id: int
    note: str = Field("", max_length=2000)


class ReferralAcceptIn(Schema):
    model_config = ConfigDict(extra="forbid")

    case_manager_id: int
    sponsor_id: int | None = None


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=2000)


# Cases -----------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    number: str
    child: CaseChildOut
    area: CaseAreaOut = Field(description="The child's community.")
    agency: CaseRefOut
    case_manager: CaseRefOut
    sponsor: CaseRefOut | None
    state: CaseState
    urgency: Urgency
    version: int
    opened_at: datetime
    step_due_at: datetime | None = Field(description="Deadline of the current step.")
    next_follow_up_due_on: date | None
    due_at: datetime | None = Field(description="What the case waits for next.")
    overdue: bool
    closed_at: datetime | None
    closure_reason: ClosureReason | None


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class CaseSort(StrEnum):
    NEWEST = "newest"
    DUE = "due"


class CaseListQuery(Schema):
    q: str = Field("", max_length=40, description="A case number or a child code, exactly.")
    state: CaseState | None = None
    agency: int | None = Field(None, description="Agency (organisation) id.")
    urgency: Urgency | None = None
    overdue: bool | None = Field(None, description="true: open and past what it waits for.")
    sponsor: int | None = Field(None, description="Sponsoring company id.")
    area: int | None = Field(None, description="Children of this area or beneath it.")
    sort: CaseSort = CaseSort.NEWEST
    cursor: str | None = _Cursor
    limit: int = _Limit


class CaseEventOut(Schema):
    id: int
    kind: CaseEventKind
    from_state: str
    to_state: str
    occurred_at: datetime
    actor: CaseRefOut | None
    detail: str
    note: str


class CaseDetailOut(CaseOut):
    events: list[CaseEventOut]
    plan_status: PlanStatus | None
    pending_closure: ClosureReason | None


class CaseAction(StrEnum):
    START_PROTECTION = "start_protection"
    START_ASSESSMENT = "start_assessment"
    AGREE_PLAN = "agree_plan"
    APPROVE_PLAN = "approve_plan"
    START_REMEDIATION = "start_remediation"
    APPROVE_CLOSURE = "approve_closure"
    REJECT_CLOSURE = "reject_closure"
    REOPEN = "reopen"


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: CaseAction
    version: int = _Version
    note: str = Field("", max_length=2000)
    started_on: date | None = Field(None, description="start_remediation only.")


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = _Version
    reason: ClosureReason
    note: str = Field("", max_length=2000)


# Plans -----------------------------------------------------------------------------------------


class PlanItemOut(Schema):
    id: int
    kind: PlanItemKind
    description: str
    responsible_party: str
    budget_amount: Decimal
    currency: Currency
    starts_on: date
    ends_on: date
    status: PlanItemStatus
    evidence_note: str
    completed_on: date | None


class PlanOut(Schema):
    case_id: int
    status: PlanStatus
    revision: int
    agreed_at: datetime | None
    approved_at: datetime | None
    items: list[PlanItemOut]


class PlanItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: PlanItemKind
    description: str = Field("", max_length=2000)
    responsible_party: str = Field(min_length=1, max_length=200)
    budget_amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: Currency
    starts_on: date
    ends_on: date


class PlanItemStatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: PlanItemStatus
    evidence_note: str = Field("", max_length=2000)
    completed_on: date | None = None


# Follow-ups ------------------------------------------------------------------------------------


class FollowUpOut(Schema):
    id: int
    case_id: int
    visited_on: date
    in_training: bool
    category: str = Field(description="The classification of the child's situation.")
    school_status: SchoolStatus
    recorded_at: datetime


class FollowUpPageOut(Schema):
    items: list[FollowUpOut]
    next_cursor: str | None


class FollowUpListQuery(Schema):
    cursor: str | None = _Cursor
    limit: int = _Limit


class FollowUpIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = _Version
    visited_on: date
    school_status: SchoolStatus
    activities: list[ActivityIn] = Field(default_factory=list, max_length=10)
    household_chores_hours: Decimal = Field(
        Decimal(0), ge=0, le=168, max_digits=5, decimal_places=1
    )
    worst_forms: list[WorstForm] = Field(default_factory=list)
    immediate_danger: bool = False
    in_training: bool = False
    notes: str = Field("", max_length=2000)


class FollowUpRecordedOut(Schema):
    follow_up: FollowUpOut
    case: CaseOut
