"""JSON endpoints for households, children, visits, identifications and tasks, under /api/v1.

Scope is exactly the web pages': reads go through access.monitoring (an id the token's user may
not see answers 404, like one that does not exist), names are null unless the user may see
identities, and every read of one child or household record is written to the audit log.
Visits are recorded through monitoring.services.visits.visit_record, like every other channel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from access.geo import get_area_for_user
from access.monitoring import get_household_for_user, identity_visible
from access.principal import principal_for
from accounts.roles import Permission
from core.errors import DomainError, NotFound
from core.schemas import DomainErrorOut, ErrorOut, ValidationErrorOut
from geo.models import Area
from monitoring import api_selectors
from monitoring.choices import IdentificationStatus, VisitSource
from monitoring.models import Child, Household, Identification, Observation, Task, Visit
from monitoring.schemas import (
    ChildDetailOut,
    ChildListQuery,
    ChildPageOut,
    HouseholdDetailOut,
    HouseholdListQuery,
    HouseholdPageOut,
    IdentificationListQuery,
    IdentificationPageOut,
    TaskListQuery,
    TaskPageOut,
    VisitDetailOut,
    VisitIn,
    VisitListQuery,
    VisitPageOut,
)
from monitoring.selectors import explain_reasons
from monitoring.services.reads import child_view_record, household_view_record
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record

router = Router(tags=["monitoring"])

_READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
_LIST_ERRORS: dict[int, Any] = {400: DomainErrorOut, **_READ_ERRORS, 422: ValidationErrorOut}
_WRITE_ERRORS: dict[int, Any] = {400: DomainErrorOut, **_READ_ERRORS, 422: ValidationErrorOut}

# Whoever holds one of these may list children (the access rules then say which ones).
_CHILD_READERS = (
    Permission.HOUSEHOLD_READ,
    Permission.CHILD_READ_PSEUDONYMISED,
    Permission.CASE_READ,
)
_VISIT_RECORDERS = (Permission.VISIT_RECORD, Permission.MONITORING_IMPORT)
_IDENTIFICATION_READERS = (Permission.REFERRAL_MANAGE, Permission.HOUSEHOLD_READ)


def _require_any(request: HttpRequest, permissions: tuple[Permission, ...], what: str) -> None:
    """Deny by default: without the right, the resource does not exist for this user."""
    principal = principal_for(request.user)
    if not any(principal.has(permission) for permission in permissions):
        raise NotFound(what)


def _area(request: HttpRequest, area_id: int | None) -> Area | None:
    if area_id is None:
        return None
    try:
        return get_area_for_user(request.user, area_id)
    except Http404:
        raise NotFound("area") from None


def _language() -> str:
    return "fr" if (get_language() or "en").startswith("fr") else "en"


# Output builders: one place decides what a name-less view of a record looks like -------------


def _community(area: Area) -> dict[str, Any]:
    return {"id": area.pk, "code": area.code, "name": area.name}


def _child_ref(child: Child, shown: bool) -> dict[str, Any]:
    return {
        "id": child.pk,
        "code": child.code,
        "first_name": child.first_name if shown else None,
        "last_name": (child.last_name or None) if shown else None,
    }


def _child(child: Child, shown: bool) -> dict[str, Any]:
    household = child.household
    return {
        **_child_ref(child, shown),
        "sex": child.sex,
        "birth_date": child.birth_date,
        "birth_date_is_estimated": child.birth_date_is_estimated,
        "age": child.age_on(timezone.localdate()),
        "age_evidence": child.age_evidence,
        "age_confidence": child.age_confidence,
        "household": {"id": household.pk, "code": household.code} if household else None,
        "area": _community(child.community),
        "latest_category": getattr(child, "latest_category", None),
        "merged_into_id": child.merged_into_id,
    }


def _household(household: Household, shown: bool) -> dict[str, Any]:
    return {
        "id": household.pk,
        "code": household.code,
        "area": _community(household.area),
        "head_name": household.head_name if shown else None,
        "members_count": household.members_count,
        "income_sources": household.income_sources,
        "mining_dependence": household.mining_dependence,
        "school_cost_burden": household.school_cost_burden,
        "external_id": household.external_id,
        "created_at": household.created_at,
        "updated_at": household.updated_at,
    }


def _reasons(ruleset: str, reason_ids: list[str]) -> list[dict[str, str]]:
    return [
        {"rule_id": reason.rule_id, "explanation": reason.text}
        for reason in explain_reasons(ruleset, reason_ids)
    ]


def _identification_ref(identification: Identification, now: datetime) -> dict[str, Any]:
    return {
        "id": identification.pk,
        "category": identification.category,
        "urgency": identification.urgency,
        "status": identification.status,
        "identified_at": identification.identified_at,
        "deadline_at": identification.deadline_at,
        "overdue": identification.status == IdentificationStatus.OPEN
        and identification.deadline_at < now,
    }


def _visit(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "kind": visit.kind,
        "visited_on": visit.visited_on,
        "area": _community(visit.area),
        "household": (
            {"id": visit.household.pk, "code": visit.household.code} if visit.household else None
        ),
        "site": (
            {"id": visit.site.pk, "code": visit.site.code, "name": visit.site.name}
            if visit.site
            else None
        ),
        "source": visit.source,
        "external_id": visit.external_id,
        "children_count": getattr(visit, "children_count", 0),
        "created_at": visit.created_at,
    }


def _observation(
    observation: Observation, identification: Identification | None, shown: bool, now: datetime
) -> dict[str, Any]:
    return {
        "child": _child_ref(observation.child, shown),
        "age_at_visit": observation.age_at_visit,
        "school_status": observation.school_status,
        "household_chores_hours": float(observation.household_chores_hours),
        "worst_forms": observation.worst_forms,
        "immediate_danger": observation.immediate_danger,
        "notes": observation.notes,
        "activities": [
            {
                "task": activity.task.code,
                "sector": activity.sector,
                "hours_per_week": float(activity.hours_per_week),
                "hazards": activity.hazards,
                "night": activity.night,
            }
            for activity in observation.activities.all()
        ],
        "category": observation.category,
        "reasons": _reasons(observation.ruleset, observation.reasons),
        "ruleset": observation.ruleset,
        "identification": _identification_ref(identification, now) if identification else None,
    }


def _visit_detail(request: HttpRequest, visit_id: int) -> dict[str, Any]:
    user = request.user
    visit = api_selectors.visit_with_counts(user, visit_id)
    if visit is None:
        raise NotFound("visit")
    shown = identity_visible(user)
    now = timezone.now()
    identifications = api_selectors.visit_identifications(user, visit)
    return {
        **_visit(visit),
        "notes": visit.notes,
        "observations": [
            _observation(observation, identifications.get(observation.child_id), shown, now)
            for observation in api_selectors.visit_observations(user, visit)
        ],
    }


# Households ------------------------------------------------------------------------------------


@router.get(
    "/households", response={200: HouseholdPageOut, **_LIST_ERRORS}, summary="List households"
)
def list_households(request: HttpRequest, filters: Query[HouseholdListQuery]) -> dict[str, Any]:
    _require_any(request, (Permission.HOUSEHOLD_READ,), "households")
    page = api_selectors.household_page(
        request.user,
        area=_area(request, filters.area),
        code=filters.q,
        cursor=filters.cursor,
        size=filters.limit,
    )
    shown = identity_visible(request.user)
    return {
        "items": [_household(household, shown) for household in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, **_READ_ERRORS},
    summary="One household, with its children",
)
def get_household(request: HttpRequest, household_id: int) -> dict[str, Any]:
    user = request.user
    try:
        household = get_household_for_user(user, household_id)
    except Http404:
        raise NotFound("household") from None
    household_view_record(actor=user, household=household, via="api")
    shown = identity_visible(user)
    today = timezone.localdate()
    return {
        **_household(household, shown),
        "phone": (household.phone or None) if shown else None,
        "location": (household.location or None) if shown else None,
        "children": [
            {
                **_child_ref(child, shown),
                "sex": child.sex,
                "age": child.age_on(today),
                "birth_date_is_estimated": child.birth_date_is_estimated,
            }
            for child in api_selectors.household_children(user, household)
        ],
    }


# Children --------------------------------------------------------------------------------------


@router.get("/children", response={200: ChildPageOut, **_LIST_ERRORS}, summary="List children")
def list_children(request: HttpRequest, filters: Query[ChildListQuery]) -> dict[str, Any]:
    _require_any(request, _CHILD_READERS, "children")
    query = api_selectors.ChildQuery(
        area=_area(request, filters.area),
        sex=filters.sex.value if filters.sex else "",
        category=filters.category.value if filters.category else "",
        age_min=filters.age_min,
        age_max=filters.age_max,
    )
    page = api_selectors.child_page(request.user, query, cursor=filters.cursor, size=filters.limit)
    shown = identity_visible(request.user)
    return {
        "items": [_child(child, shown) for child in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/children/{child_id}",
    response={200: ChildDetailOut, **_READ_ERRORS},
    summary="One child, with consents, findings and identifications (the read is audited)",
)
def get_child(request: HttpRequest, child_id: int) -> dict[str, Any]:
    user = request.user
    child = api_selectors.child_with_latest_category(user, child_id)
    if child is None:
        raise NotFound("child")
    shown = identity_visible(user)
    child_view_record(actor=user, child=child, via="api")
    now = timezone.now()
    return {
        **_child(child, shown),
        "consents": [
            {
                "kind": consent.kind,
                "purpose": consent.purpose,
                "given": consent.given,
                "obtained_on": consent.obtained_on,
            }
            for consent in api_selectors.child_consents(child)
        ],
        "findings": [
            {
                "visit_id": observation.visit_id,
                "visited_on": observation.visit.visited_on,
                "kind": observation.visit.kind,
                "age_at_visit": observation.age_at_visit,
                "school_status": observation.school_status,
                "category": observation.category,
                "reasons": _reasons(observation.ruleset, observation.reasons),
                "ruleset": observation.ruleset,
            }
            for observation in api_selectors.child_observations(child)
        ],
        "identifications": [
            _identification_ref(identification, now)
            for identification in api_selectors.child_identifications(user, child)
        ],
    }


# Visits ----------------------------------------------------------------------------------------


@router.get("/visits", response={200: VisitPageOut, **_LIST_ERRORS}, summary="List visits")
def list_visits(request: HttpRequest, filters: Query[VisitListQuery]) -> dict[str, Any]:
    _require_any(request, (Permission.HOUSEHOLD_READ,), "visits")
    query = api_selectors.VisitQuery(
        area=_area(request, filters.area),
        kind=filters.kind.value if filters.kind else "",
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    page = api_selectors.visit_page(request.user, query, cursor=filters.cursor, size=filters.limit)
    return {"items": [_visit(visit) for visit in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/visits/{visit_id}",
    response={200: VisitDetailOut, **_READ_ERRORS},
    summary="One visit, with each child's finding and activities",
)
def get_visit(request: HttpRequest, visit_id: int) -> dict[str, Any]:
    _require_any(request, (Permission.HOUSEHOLD_READ,), "visit")
    return _visit_detail(request, visit_id)


def _observations_in(request: HttpRequest, payload: VisitIn) -> list[ObservationInput]:
    wanted = [item.child_id for item in payload.children]
    children = api_selectors.children_by_id(request.user, wanted)
    observations = []
    for index, item in enumerate(payload.children):
        child = children.get(item.child_id)
        if child is None:
            raise DomainError(
                "visit.child_unknown",
                _("No child you can see has this id."),
                field=f"children[{index}].child_id",
            )
        observations.append(
            ObservationInput(
                child=child,
                school_status=item.school_status.value,
                household_chores_hours=item.household_chores_hours,
                worst_forms=tuple(form.value for form in item.worst_forms),
                immediate_danger=item.immediate_danger,
                notes=item.notes,
                activities=tuple(
                    ActivityInput(
                        task_code=activity.task,
                        hours_per_week=activity.hours_per_week,
                        hazards=tuple(hazard.value for hazard in activity.hazards),
                        night=activity.night,
                    )
                    for activity in item.activities
                ),
            )
        )
    return observations


# Service errors name the form's inputs; the API names its own.
_API_FIELD_NAMES = {"household": "household_id", "site": "site_id"}


@router.post(
    "/visits",
    response={200: VisitDetailOut, 201: VisitDetailOut, **_WRITE_ERRORS},
    summary="Record a visit (idempotent on external_id)",
    description="Classifies each child seen and opens or updates their identification. "
    "201 when recorded; 200 with the visit already recorded under the same `external_id`.",
)
def create_visit(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    user = request.user
    _require_any(request, _VISIT_RECORDERS, "resource")
    if payload.external_id:
        existing = api_selectors.visit_by_external_id(payload.external_id)
        if existing is not None:
            if api_selectors.visit_with_counts(user, existing.pk) is None:
                raise DomainError(
                    "visit.external_id_taken",
                    _("Another visit already uses this external id."),
                    field="external_id",
                )
            return Status(200, _visit_detail(request, existing.pk))
    household = None
    if payload.household_id is not None:
        household = api_selectors.visible_household(user, payload.household_id)
        if household is None:
            raise DomainError(
                "visit.household_unknown",
                _("No household you can see has this id."),
                field="household_id",
            )
    site = None
    if payload.site_id is not None:
        site = api_selectors.visible_site(user, payload.site_id)
        if site is None:
            raise DomainError(
                "visit.site_unknown", _("No site you can see has this id."), field="site_id"
            )
    try:
        visit = visit_record(
            actor=user,
            kind=payload.kind.value,
            visited_on=payload.visited_on,
            facilitator=user,
            observations=_observations_in(request, payload),
            household=household,
            site=site,
            external_id=payload.external_id,
            notes=payload.notes,
            source=VisitSource.API,
        )
    except DomainError as error:
        error.field = _API_FIELD_NAMES.get(error.field or "", error.field)
        raise
    return Status(201, _visit_detail(request, visit.pk))


# Identifications -------------------------------------------------------------------------------


@router.get(
    "/identifications",
    response={200: IdentificationPageOut, **_LIST_ERRORS},
    summary="List identifications, the nearest deadline first",
)
def list_identifications(
    request: HttpRequest, filters: Query[IdentificationListQuery]
) -> dict[str, Any]:
    _require_any(request, _IDENTIFICATION_READERS, "identifications")
    now = timezone.now()
    query = api_selectors.IdentificationQuery(
        urgency=filters.urgency.value if filters.urgency else "",
        status=filters.status.value if filters.status else "",
        overdue=filters.overdue,
        area=_area(request, filters.area),
    )
    page = api_selectors.identification_page(
        request.user, query, now=now, cursor=filters.cursor, size=filters.limit
    )
    shown = identity_visible(request.user)
    items = [
        {
            **_identification_ref(identification, now),
            "child": _child_ref(identification.child, shown),
            "area": _community(identification.area),
            "reasons": _reasons(
                identification.latest_observation.ruleset, identification.latest_observation.reasons
            ),
        }
        for identification in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}


# Tasks -----------------------------------------------------------------------------------------


@router.get(
    "/tasks", response={200: TaskPageOut, **_LIST_ERRORS}, summary="The work-task catalogue"
)
def list_tasks(request: HttpRequest, filters: Query[TaskListQuery]) -> dict[str, Any]:
    # Reference data, published with the code: any signed-in client may build forms from it.
    page = api_selectors.task_page(cursor=filters.cursor, size=filters.limit)
    language = _language()
    return {
        "items": [_task(task, language) for task in page.items],
        "next_cursor": page.next_cursor,
    }


def _task(task: Task, language: str) -> dict[str, Any]:
    return {
        "code": task.code,
        "name": task.label(language),
        "name_en": task.name_en,
        "name_fr": task.name_fr,
        "sector": task.sector,
        "typical_hazards": task.typical_hazards,
    }
