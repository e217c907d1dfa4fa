"""JSON endpoints for referrals, cases, plans and follow-ups, under /api/v1.

Scope is exactly the pages': reads go through access/cases.py (a case of another agency answers
404, like one that does not exist), writes go through the same services, a refused rule answers
400 with its DomainError, and every read of one case file is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from access.cases import get_case_for_user, get_referral_for_user
from access.geo import get_area_for_user
from access.monitoring import get_identification_for_user
from access.principal import principal_for
from accounts.roles import Permission
from cases import selectors
from cases.choices import OPEN_CASE_STATES
from cases.models import Case, FollowUp, PlanItem, Referral
from cases.schemas import (
    CaseDetailOut,
    CaseListQuery,
    CaseOut,
    CasePageOut,
    CloseIn,
    FollowUpIn,
    FollowUpListQuery,
    FollowUpPageOut,
    FollowUpRecordedOut,
    PlanItemIn,
    PlanItemOut,
    PlanItemStatusIn,
    PlanOut,
    ReasonIn,
    ReferralAcceptIn,
    ReferralIn,
    ReferralListQuery,
    ReferralOut,
    ReferralPageOut,
    TransitionIn,
)
from cases.services import closure, lifecycle, notes, plans, referrals
from cases.services.follow_ups import case_record_follow_up
from core.errors import DomainError, NotFound
from core.schemas import DomainErrorOut, ErrorOut, ValidationErrorOut
from monitoring.services.visits import ActivityInput

router = Router(tags=["cases"])

_READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
_LIST_ERRORS: dict[int, Any] = {400: DomainErrorOut, **_READ_ERRORS, 422: ValidationErrorOut}
_WRITE_ERRORS: dict[int, Any] = {400: DomainErrorOut, **_READ_ERRORS, 422: ValidationErrorOut}
_CASE_READERS = (Permission.CASE_READ, Permission.REFERRAL_MANAGE)


def _require_any(request: HttpRequest, permissions: tuple[Permission, ...], what: str) -> None:
    principal = principal_for(request.user)
    if not any(principal.has(permission) for permission in permissions):
        raise NotFound(what)


def _case(request: HttpRequest, case_id: int) -> Case:
    """The case if the caller may read it; 404 otherwise, as for a case that does not exist."""
    _require_any(request, (Permission.CASE_READ,), "case")
    try:
        return get_case_for_user(request.user, case_id)
    except Http404:
        raise NotFound("case") from None


def _referral(request: HttpRequest, referral_id: int) -> Referral:
    try:
        return get_referral_for_user(request.user, referral_id)
    except Http404:
        raise NotFound("referral") from None


# Output builders -------------------------------------------------------------------------------


def _ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": str(obj.name if hasattr(obj, "name") else obj)}


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "name": str(user)}


def _referral_out(referral: Referral, now: Any) -> dict[str, Any]:
    case_id = None
    if referral.status == "accepted":
        case = getattr(referral, "case", None)
        case_id = case.pk if case is not None else None
    return {
        "id": referral.pk,
        "child": {"id": referral.child_id, "code": referral.child.code},
        "source": referral.source,
        "identification_id": referral.identification_id,
        "agency": _ref(referral.agency),
        "area": {"id": referral.area.pk, "code": referral.area.code, "name": referral.area.name},
        "urgency": referral.urgency,
        "status": referral.status,
        "note": referral.note,
        "referred_at": referral.referred_at,
        "deadline_at": referral.deadline_at,
        "overdue": referral.status == "pending" and referral.deadline_at < now,
        "responded_at": referral.responded_at,
        "decline_reason": referral.decline_reason,
        "case_id": case_id,
    }


def _case_out(case: Case, now: Any) -> dict[str, Any]:
    area = case.child.community
    return {
        "id": case.pk,
        "number": case.number,
        "child": {"id": case.child_id, "code": case.child.code},
        "area": {"id": area.pk, "code": area.code, "name": area.name},
        "agency": _ref(case.agency),
        "case_manager": _person(case.case_manager),
        "sponsor": _ref(case.sponsor) if case.sponsor is not None else None,
        "state": case.state,
        "urgency": case.urgency,
        "version": case.version,
        "opened_at": case.opened_at,
        "step_due_at": case.step_due_at,
        "next_follow_up_due_on": case.next_follow_up_due_on,
        "due_at": case.due_at,
        "overdue": case.state in OPEN_CASE_STATES and case.due_at is not None and case.due_at < now,
        "closed_at": case.closed_at,
        "closure_reason": case.closure_reason or None,
    }


def _fresh_case_out(request: HttpRequest, case: Case) -> dict[str, Any]:
    return _case_out(_case(request, case.pk), timezone.now())


def _item_out(item: PlanItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "description": item.description,
        "responsible_party": item.responsible_party,
        "budget_amount": item.budget_amount,
        "currency": item.currency,
        "starts_on": item.starts_on,
        "ends_on": item.ends_on,
        "status": item.status,
        "evidence_note": item.evidence_note,
        "completed_on": item.completed_on,
    }


def _follow_up_out(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "id": follow_up.pk,
        "case_id": follow_up.case_id,
        "visited_on": follow_up.visited_on,
        "in_training": follow_up.in_training,
        "category": follow_up.observation.category,
        "school_status": follow_up.observation.school_status,
        "recorded_at": follow_up.recorded_at,
    }


# Referrals -------------------------------------------------------------------------------------


@router.get("/referrals", response={200: ReferralPageOut, **_LIST_ERRORS}, summary="List referrals")
def list_referrals(request: HttpRequest, filters: Query[ReferralListQuery]) -> dict[str, Any]:
    _require_any(request, _CASE_READERS, "referrals")
    now = timezone.now()
    page = selectors.referral_page(
        request.user,
        status=filters.status.value if filters.status else "",
        agency_id=filters.agency,
        urgency=filters.urgency.value if filters.urgency else "",
        overdue=filters.overdue,
        cursor=filters.cursor,
        limit=filters.limit,
        now=now,
    )
    return {
        "items": [_referral_out(referral, now) for referral in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/referrals/{referral_id}", response={200: ReferralOut, **_READ_ERRORS}, summary="One referral"
)
def get_referral(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    _require_any(request, _CASE_READERS, "referral")
    return _referral_out(_referral(request, referral_id), timezone.now())


@router.post(
    "/referrals",
    response={201: ReferralOut, **_WRITE_ERRORS},
    summary="Refer an identified child to an agency (referral desk)",
)
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    _require_any(request, (Permission.REFERRAL_MANAGE,), "resource")
    try:
        identification = get_identification_for_user(request.user, payload.identification_id)
    except Http404:
        raise NotFound("identification") from None
    agency = selectors.get_agency(payload.agency_id)
    if agency is None:
        raise DomainError("referral.agency", _("No agency has this id."), field="agency_id")
    referral = referrals.referral_create(
        actor=request.user, identification=identification, agency=agency, note=payload.note
    )
    return Status(201, _referral_out(_referral(request, referral.pk), timezone.now()))


@router.post(
    "/referrals/{referral_id}/accept",
    response={201: CaseOut, **_WRITE_ERRORS},
    summary="Accept a referral and name the case manager: opens the case",
)
def accept_referral(
    request: HttpRequest, referral_id: int, payload: ReferralAcceptIn
) -> Status[dict[str, Any]]:
    _require_any(request, (Permission.CASE_WRITE,), "referral")
    referral = _referral(request, referral_id)
    case_manager = selectors.get_user(payload.case_manager_id)
    if case_manager is None:
        raise DomainError(
            "case.case_manager", _("No active user has this id."), field="case_manager_id"
        )
    sponsor = None
    if payload.sponsor_id is not None:
        sponsor = selectors.get_sponsor(payload.sponsor_id)
        if sponsor is None:
            raise DomainError("case.sponsor", _("No company has this id."), field="sponsor_id")
    case = referrals.referral_accept(
        actor=request.user, referral=referral, case_manager=case_manager, sponsor=sponsor
    )
    return Status(201, _fresh_case_out(request, case))


@router.post(
    "/referrals/{referral_id}/decline",
    response={200: ReferralOut, **_WRITE_ERRORS},
    summary="Decline a referral with a reason: the child returns to the desk",
)
def decline_referral(request: HttpRequest, referral_id: int, payload: ReasonIn) -> dict[str, Any]:
    _require_any(request, (Permission.CASE_WRITE,), "referral")
    referral = _referral(request, referral_id)
    referrals.referral_decline(actor=request.user, referral=referral, reason=payload.reason)
    return _referral_out(_referral(request, referral.pk), timezone.now())


# Cases -----------------------------------------------------------------------------------------


@router.get("/cases", response={200: CasePageOut, **_LIST_ERRORS}, summary="List cases")
def list_cases(request: HttpRequest, filters: Query[CaseListQuery]) -> dict[str, Any]:
    _require_any(request, (Permission.CASE_READ,), "cases")
    area = None
    if filters.area is not None:
        try:
            area = get_area_for_user(request.user, filters.area)
        except Http404:
            raise NotFound("area") from None
    now = timezone.now()
    page = selectors.case_page(
        request.user,
        selectors.CaseFilters(
            search=filters.q,
            state=filters.state.value if filters.state else "",
            urgency=filters.urgency.value if filters.urgency else "",
            overdue=bool(filters.overdue),
            sponsor_id=filters.sponsor,
            agency_id=filters.agency,
            area=area,
            sort=filters.sort.value,
        ),
        cursor=filters.cursor,
        limit=filters.limit,
        now=now,
    )
    return {"items": [_case_out(case, now) for case in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut, **_READ_ERRORS},
    summary="One case with its timeline (the read is audited)",
)
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = _case(request, case_id)
    notes.case_view_record(actor=request.user, case=case, via="api")
    plan = selectors.case_plan(case)
    pending = selectors.pending_closure(case)
    return {
        **_case_out(case, timezone.now()),
        "events": [
            {
                "id": event.pk,
                "kind": event.kind,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "occurred_at": event.occurred_at,
                "actor": _person(event.actor) if event.actor is not None else None,
                "detail": event.detail,
                "note": event.note,
            }
            for event in selectors.case_timeline(case)
        ],
        "plan_status": plan.status if plan is not None else None,
        "pending_closure": pending.reason if pending is not None else None,
    }


# Each action's service, and the one field of the payload it takes besides the version.
_TRANSITIONS: dict[str, tuple[Callable[..., object], str]] = {
    "start_protection": (lifecycle.case_start_protection, "note"),
    "start_assessment": (lifecycle.case_start_assessment, "note"),
    "agree_plan": (lifecycle.case_agree_plan, "note"),
    "approve_plan": (lifecycle.plan_approve, "note"),
    "start_remediation": (lifecycle.case_start_remediation, "started_on"),
    "approve_closure": (closure.case_approve_closure, "note"),
    "reject_closure": (closure.case_reject_closure, "note"),
    "reopen": (closure.case_reopen_after_relapse, "note"),
}


def _apply_transition(actor: Any, case: Case, payload: TransitionIn) -> None:
    service, field = _TRANSITIONS[payload.action.value]
    service(
        actor=actor,
        case=case,
        expected_version=payload.version,
        **{field: getattr(payload, field)},
    )


@router.post(
    "/cases/{case_id}/transitions",
    response={200: CaseOut, **_WRITE_ERRORS},
    summary="Move a case on (one lifecycle step); 400 `case.stale` if someone changed it",
)
def transition_case(request: HttpRequest, case_id: int, payload: TransitionIn) -> dict[str, Any]:
    case = _case(request, case_id)
    _apply_transition(request.user, case, payload)
    return _fresh_case_out(request, case)


@router.post(
    "/cases/{case_id}/close",
    response={200: CaseOut, **_WRITE_ERRORS},
    summary="Close a case (by the closure rule, or another reason with an explanation)",
)
def close_case(request: HttpRequest, case_id: int, payload: CloseIn) -> dict[str, Any]:
    case = _case(request, case_id)
    closure.case_close(
        actor=request.user,
        case=case,
        expected_version=payload.version,
        reason=payload.reason.value,
        note=payload.note,
    )
    return _fresh_case_out(request, case)


# Plans -----------------------------------------------------------------------------------------


def _plan_out(case: Case) -> dict[str, Any]:
    plan = selectors.case_plan(case)
    if plan is None:
        raise NotFound("plan")
    return {
        "case_id": case.pk,
        "status": plan.status,
        "revision": plan.revision,
        "agreed_at": plan.agreed_at,
        "approved_at": plan.approved_at,
        "items": [_item_out(item) for item in selectors.case_plan_items(case)],
    }


@router.get(
    "/cases/{case_id}/plan",
    response={200: PlanOut, **_READ_ERRORS},
    summary="The remediation plan of a case, with its items",
)
def get_plan(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _plan_out(_case(request, case_id))


@router.post(
    "/cases/{case_id}/plan/items",
    response={201: PlanItemOut, **_WRITE_ERRORS},
    summary="Add an item from the catalogue to the plan",
)
def add_plan_item(
    request: HttpRequest, case_id: int, payload: PlanItemIn
) -> Status[dict[str, Any]]:
    case = _case(request, case_id)
    item = plans.plan_item_add(
        actor=request.user,
        case=case,
        kind=payload.kind.value,
        responsible_party=payload.responsible_party,
        budget_amount=payload.budget_amount,
        currency=payload.currency.value,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
    )
    return Status(201, _item_out(item))


@router.post(
    "/cases/{case_id}/plan/items/{item_id}/status",
    response={200: PlanItemOut, **_WRITE_ERRORS},
    summary="Move a plan item on (done needs evidence)",
)
def set_plan_item_status(
    request: HttpRequest, case_id: int, item_id: int, payload: PlanItemStatusIn
) -> dict[str, Any]:
    case = _case(request, case_id)
    item = selectors.get_plan_item(case, item_id)
    if item is None:
        raise NotFound("plan item")
    updated = plans.plan_item_set_status(
        actor=request.user,
        item=item,
        status=payload.status.value,
        evidence_note=payload.evidence_note,
        completed_on=payload.completed_on,
    )
    return _item_out(updated)


# Follow-ups ------------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/follow-ups",
    response={200: FollowUpPageOut, **_LIST_ERRORS},
    summary="Follow-ups of a case, newest first",
)
def list_follow_ups(
    request: HttpRequest, case_id: int, filters: Query[FollowUpListQuery]
) -> dict[str, Any]:
    case = _case(request, case_id)
    page = selectors.follow_up_page(case, cursor=filters.cursor, limit=filters.limit)
    return {
        "items": [_follow_up_out(item) for item in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/cases/{case_id}/follow-ups",
    response={201: FollowUpRecordedOut, **_WRITE_ERRORS},
    summary="Record a follow-up visit; finding child labour returns the case to assessment",
)
def record_follow_up(
    request: HttpRequest, case_id: int, payload: FollowUpIn
) -> Status[dict[str, Any]]:
    case = _case(request, case_id)
    follow_up = case_record_follow_up(
        actor=request.user,
        case=case,
        expected_version=payload.version,
        visited_on=payload.visited_on,
        school_status=payload.school_status.value,
        activities=[
            ActivityInput(
                task_code=activity.task,
                hours_per_week=activity.hours_per_week,
                hazards=tuple(hazard.value for hazard in activity.hazards),
                night=activity.night,
            )
            for activity in payload.activities
        ],
        household_chores_hours=payload.household_chores_hours,
        worst_forms=[form.value for form in payload.worst_forms],
        immediate_danger=payload.immediate_danger,
        in_training=payload.in_training,
        notes=payload.notes,
    )
    return Status(
        201,
        {"follow_up": _follow_up_out(follow_up), "case": _fresh_case_out(request, case)},
    )
