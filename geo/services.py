"""Writes on areas and sites. `actor=None` means the system (seed, import), still audited.

A person acting must hold AREA_MANAGE or SITE_MANAGE: views check it too, but the service is
the last word, so that an import script or a future endpoint cannot skip it.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.models import Organisation
from accounts.roles import Permission
from audit.actions import Action
from audit.services import diff, record_event, snapshot
from core.errors import DomainError
from geo.models import AREA_CHILD_LEVELS, Area, AreaLevel, Site, SiteKind, SiteStatus

_AREA_AUDITED_FIELDS = ["code", "name", "is_active", "parent_id", "path"]
_SITE_AUDITED_FIELDS = [
    "code",
    "name",
    "kind",
    "area_id",
    "latitude",
    "longitude",
    "operator_id",
    "operator_name",
    "status",
]
_COORDINATE_STEP = Decimal("0.000001")  # the model keeps six decimal places (about 11 cm)
# A boundary is a sketch for a map, not a survey: a few hundred points are plenty.
BOUNDARY_MAX_POINTS = 500


def _check_allowed(actor: Any, permission: Permission, code: str) -> None:
    if actor is None:
        return  # the system itself (seed, import)
    if not principal_for(actor).has(permission):
        raise DomainError(code, _("Your role cannot change areas or sites."))


def _check_in_scope(actor: Any, area: Area, *, code: str, field: str) -> None:
    """An actor limited to some areas may write only inside them."""
    if actor is None:
        return
    paths = principal_for(actor).area_paths
    if paths is not None and not any(area.path.startswith(path) for path in paths):
        raise DomainError(code, _("This area is outside the areas you work in."), field=field)


def _required_text(code: str, name: str, *, error_code: str, message: str) -> tuple[str, str]:
    code, name = code.strip(), name.strip()
    if not code:
        raise DomainError(error_code, message, field="code")
    if not name:
        raise DomainError(error_code, message, field="name")
    return code, name


# Areas ---------------------------------------------------------------------------------------


def _check_area_level(level: str, parent: Area | None) -> None:
    if level not in AreaLevel.values:
        raise DomainError("area.level_unknown", _("Unknown area level."), field="level")
    if parent is None:
        if level != AreaLevel.COUNTRY:
            raise DomainError(
                "area.parent_required", _("Only a country can have no parent."), field="parent"
            )
        return
    if level not in AREA_CHILD_LEVELS[parent.level]:
        raise DomainError(
            "area.level_mismatch",
            _("A %(level)s cannot sit under a %(parent)s.")
            % {"level": AreaLevel(level).label, "parent": AreaLevel(parent.level).label},
            field="level",
        )


def _check_parent_active(parent: Area | None) -> None:
    if parent is not None and not parent.is_active:
        raise DomainError(
            "area.parent_inactive",
            _("The parent area is inactive; reactivate it first."),
            field="parent",
        )


def _check_area_names_free(*, code: str, name: str, parent: Area | None, pk: int | None) -> None:
    others = Area.objects.exclude(pk=pk) if pk is not None else Area.objects.all()
    if others.filter(code=code).exists():
        raise DomainError("area.code_taken", _("Another area already has this code."), field="code")
    if others.filter(parent=parent, name__iexact=name).exists():
        raise DomainError(
            "area.name_taken", _("This parent already has an area with this name."), field="name"
        )


@transaction.atomic
def area_create(
    *, actor: Any, code: str, name: str, level: str, parent: Area | None = None
) -> Area:
    _check_allowed(actor, Permission.AREA_MANAGE, "area.not_allowed")
    code, name = _required_text(
        code, name, error_code="area.fields_required", message=_("An area needs a code and a name.")
    )
    _check_area_level(level, parent)
    _check_parent_active(parent)
    _check_area_names_free(code=code, name=name, parent=parent, pk=None)
    area = Area.objects.create(code=code, name=name, level=level, parent=parent, path="")
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.save(update_fields=["path"])
    record_event(
        actor=actor,
        action=Action.AREA_CREATE,
        subject=area,
        changes={
            "code": code,
            "name": name,
            "level": level,
            "parent": parent.pk if parent else None,
        },
    )
    return area


def _ancestor_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _lock_for_update(area: Area, parent: Area | None, *, moving: bool) -> tuple[Area, Area | None]:
    """Lock the area (and, for a move, the new parent and both chains of ancestors); re-read.

    Two moves that touch the same branch then run one after the other, so neither rewrites
    paths the other has just changed. A path that changed since the caller read it means
    someone moved the branch meanwhile: refuse rather than guess.
    """
    ids = {area.pk}
    if moving:
        ids.update(_ancestor_ids(area.path))
        if parent is not None:
            ids.update(_ancestor_ids(parent.path))
    locked = {row.pk: row for row in Area.objects.select_for_update().filter(pk__in=ids)}
    fresh_area = locked.get(area.pk)
    fresh_parent = locked.get(parent.pk) if parent is not None and moving else parent
    if (
        fresh_area is None
        or fresh_area.path != area.path
        or (parent is not None and (fresh_parent is None or fresh_parent.path != parent.path))
    ):
        raise DomainError(
            "area.changed_meanwhile",
            _("This part of the area tree changed while you were editing. Reload and try again."),
            field="parent",
        )
    return fresh_area, fresh_parent


def _check_move(area: Area, parent: Area | None) -> None:
    if parent is None:
        if area.level != AreaLevel.COUNTRY:
            raise DomainError(
                "area.parent_required", _("Only a country can have no parent."), field="parent"
            )
        return
    if parent.pk == area.pk or parent.path.startswith(area.path):
        raise DomainError(
            "area.move_into_itself",
            _("An area cannot move under itself or one of its own sub-areas."),
            field="parent",
        )
    if area.level not in AREA_CHILD_LEVELS[parent.level]:
        raise DomainError(
            "area.level_mismatch",
            _("A %(level)s cannot sit under a %(parent)s.")
            % {"level": AreaLevel(area.level).label, "parent": AreaLevel(parent.level).label},
            field="parent",
        )
    _check_parent_active(parent)


@transaction.atomic
def area_update(
    *, actor: Any, area: Area, name: str, code: str, is_active: bool, parent: Area | None
) -> Area:
    """Rename, (de)activate or move an area.

    A move rewrites the `path` of the area and of every area under it in one UPDATE, so that
    "everything in this territory" stays one prefix match. Sites follow their area unchanged.
    """
    _check_allowed(actor, Permission.AREA_MANAGE, "area.not_allowed")
    code, name = _required_text(
        code, name, error_code="area.fields_required", message=_("An area needs a code and a name.")
    )
    moving = (parent.pk if parent is not None else None) != area.parent_id
    fresh, parent = _lock_for_update(area, parent, moving=moving)
    if moving:
        _check_move(fresh, parent)
    _check_area_names_free(code=code, name=name, parent=parent, pk=area.pk)

    before = snapshot(fresh, _AREA_AUDITED_FIELDS)
    old_path = area.path
    area.code, area.name, area.is_active, area.parent = code, name, is_active, parent
    rewritten = 0
    if moving:
        area.path = f"{parent.path if parent else '/'}{area.pk}/"
        # Substr is 1-based: keep what follows the old prefix, put the new prefix before it.
        rewritten = (
            Area.objects.filter(path__startswith=old_path)
            .exclude(pk=area.pk)
            .update(path=Concat(Value(area.path), Substr(F("path"), len(old_path) + 1)))
        )
    changes = diff(area, before, _AREA_AUDITED_FIELDS)
    if not changes:
        return area
    area.save(update_fields=["code", "name", "is_active", "parent", "path"])
    if rewritten:
        changes["sub_areas_moved"] = rewritten
    record_event(actor=actor, action=Action.AREA_UPDATE, subject=area, changes=changes)
    return area


# Sites ---------------------------------------------------------------------------------------


def _coordinate(value: Decimal | None, *, limit: int, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value).quantize(_COORDINATE_STEP)
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        message = (
            _("Latitude must be between -90 and 90.")
            if field == "latitude"
            else _("Longitude must be between -180 and 180.")
        )
        raise DomainError("site.coordinates_out_of_range", message, field=field)
    return number


def _clean_site(
    *,
    actor: Any,
    site_pk: int | None,
    code: str,
    name: str,
    kind: str,
    area: Area,
    latitude: Decimal | None,
    longitude: Decimal | None,
    operator: Organisation | None,
    operator_name: str,
    status: str,
) -> dict[str, Any]:
    """The rules shared by site_create and site_update; returns the values to store."""
    code, name = _required_text(
        code, name, error_code="site.fields_required", message=_("A site needs a code and a name.")
    )
    if kind not in SiteKind.values:
        raise DomainError("site.kind_unknown", _("Unknown site kind."), field="kind")
    if status not in SiteStatus.values:
        raise DomainError("site.status_unknown", _("Unknown site status."), field="status")
    if (latitude is None) != (longitude is None):
        raise DomainError(
            "site.coordinates_incomplete",
            _("Give both latitude and longitude, or neither."),
            field="latitude" if latitude is None else "longitude",
        )
    latitude = _coordinate(latitude, limit=90, field="latitude")
    longitude = _coordinate(longitude, limit=180, field="longitude")
    if not area.is_active:
        raise DomainError(
            "site.area_inactive", _("This area is inactive; choose an active one."), field="area"
        )
    _check_in_scope(actor, area, code="site.area_out_of_scope", field="area")
    operator_name = operator_name.strip()
    if operator is not None and operator_name:
        raise DomainError(
            "site.operator_twice",
            _("Choose an operator organisation or type an operator name, not both."),
            field="operator_name",
        )
    if operator is not None and not operator.is_active:
        raise DomainError(
            "site.operator_inactive", _("This organisation is inactive."), field="operator"
        )
    others = Site.objects.exclude(pk=site_pk) if site_pk is not None else Site.objects.all()
    if others.filter(code=code).exists():
        raise DomainError("site.code_taken", _("Another site already has this code."), field="code")
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "area": area,
        "latitude": latitude,
        "longitude": longitude,
        "operator": operator,
        "operator_name": operator_name,
        "status": status,
    }


@transaction.atomic
def site_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    area: Area,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    operator: Organisation | None = None,
    operator_name: str = "",
    status: str = SiteStatus.ACTIVE,
) -> Site:
    _check_allowed(actor, Permission.SITE_MANAGE, "site.not_allowed")
    values = _clean_site(
        actor=actor,
        site_pk=None,
        code=code,
        name=name,
        kind=kind,
        area=area,
        latitude=latitude,
        longitude=longitude,
        operator=operator,
        operator_name=operator_name,
        status=status,
    )
    site = Site.objects.create(**values)
    record_event(
        actor=actor,
        action=Action.SITE_CREATE,
        subject=site,
        changes={
            "code": site.code,
            "name": site.name,
            "kind": site.kind,
            "area": area.pk,
            "status": site.status,
        },
    )
    return site


@transaction.atomic
def site_update(
    *,
    actor: Any,
    site: Site,
    code: str,
    name: str,
    kind: str,
    area: Area,
    latitude: Decimal | None,
    longitude: Decimal | None,
    operator: Organisation | None,
    operator_name: str,
    status: str,
) -> Site:
    """Set every editable field of `site` (callers pass the current value to keep one)."""
    _check_allowed(actor, Permission.SITE_MANAGE, "site.not_allowed")
    # Moving a site out of the actor's areas is as much a write there as creating one.
    _check_in_scope(actor, site.area, code="site.area_out_of_scope", field="area")
    values = _clean_site(
        actor=actor,
        site_pk=site.pk,
        code=code,
        name=name,
        kind=kind,
        area=area,
        latitude=latitude,
        longitude=longitude,
        operator=operator,
        operator_name=operator_name,
        status=status,
    )
    before = snapshot(site, _SITE_AUDITED_FIELDS)
    for name_, value in values.items():
        setattr(site, name_, value)
    changes = diff(site, before, _SITE_AUDITED_FIELDS)
    if not changes:
        return site
    site.updated_at = timezone.now()
    site.save()
    record_event(actor=actor, action=Action.SITE_UPDATE, subject=site, changes=changes)
    return site


def clean_boundary(value: Any) -> list[list[float]] | None:
    """A ring of [longitude, latitude] pairs (3 to BOUNDARY_MAX_POINTS), or None to remove it."""
    if value is None:
        return None
    invalid = DomainError(
        "area.boundary_invalid",
        _(
            "An area's boundary must be a list of 3 to %(max)s points, each [longitude, "
            "latitude] in degrees (longitude -180 to 180, latitude -90 to 90)."
        )
        % {"max": BOUNDARY_MAX_POINTS},
        field="boundary",
    )
    if not isinstance(value, list | tuple) or not 3 <= len(value) <= BOUNDARY_MAX_POINTS:
        raise invalid
    ring = []
    for point in value:
        is_pair = isinstance(point, list | tuple) and len(point) == 2
        if not is_pair or not all(map(_is_number, point)):
            raise invalid
        longitude, latitude = float(point[0]), float(point[1])
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            raise invalid
        ring.append([round(longitude, 6), round(latitude, 6)])
    return ring


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@transaction.atomic
def area_set_boundary(*, actor: Any, area: Area, boundary: Any) -> Area:
    """Give an area its simplified outline for offline maps (or remove it with None)."""
    _check_allowed(actor, Permission.AREA_MANAGE, "area.not_allowed")
    ring = clean_boundary(boundary)
    area = Area.objects.select_for_update().get(pk=area.pk)
    if ring == area.boundary:
        return area
    before = len(area.boundary or [])
    area.boundary = ring
    area.save(update_fields=["boundary"])
    record_event(
        actor=actor,
        action=Action.AREA_UPDATE,
        subject=area,
        changes={"boundary_points": {"old": before, "new": len(ring or [])}},
    )
    return area
