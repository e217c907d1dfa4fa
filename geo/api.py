"""JSON endpoints for areas and sites, under /api/v1.

Reads go through geo.selectors and access.geo (an id the token's user may not see answers 404,
exactly like one that does not exist); writes go through geo.services.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from access.geo import get_area_for_user, get_site_for_user
from access.principal import principal_for
from accounts.models import Organisation
from accounts.roles import Permission
from core.errors import DomainError, NotFound
from core.schemas import DomainErrorOut, ErrorOut, ValidationErrorOut
from geo import selectors, services
from geo.models import Area, Site
from geo.schemas import (
    AreaDetailOut,
    AreaListQuery,
    AreaPageOut,
    SiteIn,
    SiteListQuery,
    SiteOut,
    SitePageOut,
    SitePatchIn,
)
from geo.selectors import SiteFilters

router = Router(tags=["geo"])

_READ_ERRORS: dict[int, Any] = {400: DomainErrorOut, 401: ErrorOut, 404: ErrorOut}
_LIST_ERRORS: dict[int, Any] = {**_READ_ERRORS, 422: ValidationErrorOut}
_WRITE_ERRORS: dict[int, Any] = {**_LIST_ERRORS}
# Service errors name model fields; the API names its inputs after ids.
_API_FIELD_NAMES = {"area": "area_id", "operator": "operator_id"}


def _require(request: HttpRequest, permission: Permission, what: str) -> None:
    """Deny by default: without the permission the resource does not exist for this user."""
    if not principal_for(request.user).has(permission):
        raise NotFound(what)


def _area(request: HttpRequest, area_id: int) -> Area:
    try:
        return get_area_for_user(request.user, area_id)
    except Http404:
        raise NotFound("area") from None


def _site(request: HttpRequest, site_id: int) -> Site:
    try:
        return get_site_for_user(request.user, site_id)
    except Http404:
        raise NotFound("site") from None


def _area_for_write(request: HttpRequest, area_id: int) -> Area:
    area = selectors.visible_area_by_id(request.user, area_id)
    if area is None:
        raise DomainError(
            "site.area_unknown", _("No area you can see has this id."), field="area_id"
        )
    return area


def _operator_for_write(request: HttpRequest, operator_id: int | None) -> Organisation | None:
    if operator_id is None:
        return None
    operator = selectors.operator_choices(request.user).filter(pk=operator_id).first()
    if operator is None:
        raise DomainError(
            "site.operator_unknown",
            _("No active organisation you can see has this id."),
            field="operator_id",
        )
    return operator


def _with_api_field_names(error: DomainError) -> DomainError:
    if error.field in _API_FIELD_NAMES:
        error.field = _API_FIELD_NAMES[error.field]
    return error


# Areas ---------------------------------------------------------------------------------------


@router.get("/areas", response={200: AreaPageOut, **_LIST_ERRORS}, summary="List areas")
def list_areas(request: HttpRequest, filters: Query[AreaListQuery]) -> dict[str, Any]:
    _require(request, Permission.AREA_READ, "areas")
    parent = _area(request, filters.parent) if filters.parent is not None else None
    page = selectors.area_page(
        request.user,
        parent=parent,
        level=filters.level.value if filters.level else "",
        cursor=filters.cursor,
        size=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/areas/{area_id}", response={200: AreaDetailOut, **_READ_ERRORS}, summary="One area")
def get_area(request: HttpRequest, area_id: int) -> dict[str, Any]:
    area = _area(request, area_id)
    return {
        "id": area.pk,
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "parent_id": area.parent_id,
        "is_active": area.is_active,
        "ancestors": selectors.area_ancestors(request.user, area),
    }


# Sites ---------------------------------------------------------------------------------------


@router.get("/sites", response={200: SitePageOut, **_LIST_ERRORS}, summary="List sites")
def list_sites(request: HttpRequest, filters: Query[SiteListQuery]) -> dict[str, Any]:
    _require(request, Permission.SITE_READ, "sites")
    site_filters = SiteFilters(
        q=filters.q,
        area=_area(request, filters.area) if filters.area is not None else None,
        kind=filters.kind.value if filters.kind else "",
        status=filters.status.value if filters.status else "",
        sort=filters.sort,
    )
    page = selectors.site_page(
        request.user, site_filters, cursor=filters.cursor, size=filters.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/sites/{site_id}", response={200: SiteOut, **_READ_ERRORS}, summary="One site")
def get_site(request: HttpRequest, site_id: int) -> Site:
    return _site(request, site_id)


@router.post("/sites", response={201: SiteOut, **_WRITE_ERRORS}, summary="Create a site")
def create_site(request: HttpRequest, payload: SiteIn) -> Status[Site]:
    _require(request, Permission.SITE_MANAGE, "resource")
    try:
        site = services.site_create(
            actor=request.user,
            code=payload.code,
            name=payload.name,
            kind=payload.kind.value,
            area=_area_for_write(request, payload.area_id),
            latitude=payload.latitude,
            longitude=payload.longitude,
            operator=_operator_for_write(request, payload.operator_id),
            operator_name=payload.operator_name,
            status=payload.status.value,
        )
    except DomainError as error:
        raise _with_api_field_names(error) from None
    return Status(201, site)


@router.patch("/sites/{site_id}", response={200: SiteOut, **_WRITE_ERRORS}, summary="Edit a site")
def update_site(request: HttpRequest, site_id: int, payload: SitePatchIn) -> Site:
    site = _site(request, site_id)
    _require(request, Permission.SITE_MANAGE, "site")
    sent = payload.model_dump(exclude_unset=True)
    try:
        area = _area_for_write(request, sent["area_id"]) if "area_id" in sent else site.area
        operator = (
            _operator_for_write(request, sent["operator_id"])
            if "operator_id" in sent
            else site.operator
        )
        return services.site_update(
            actor=request.user,
            site=site,
            code=sent.get("code", site.code),
            name=sent.get("name", site.name),
            kind=str(sent.get("kind", site.kind)),
            area=area,
            latitude=sent.get("latitude", site.latitude),
            longitude=sent.get("longitude", site.longitude),
            operator=operator,
            operator_name=sent.get("operator_name", site.operator_name),
            status=str(sent.get("status", site.status)),
        )
    except DomainError as error:
        raise _with_api_field_names(error) from None
