"""Reads of areas and sites for pages and the API, always within what the user may see.

Everything starts from access.geo (`areas_visible_to`, `sites_visible_to`), so a facilitator
sees only their communities (and the ancestors that place them), whatever the filters say.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Count, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from access.accounts import organisations_visible_to
from access.geo import areas_visible_to, sites_visible_to
from access.principal import principal_for
from accounts.models import Organisation
from core.pagination import DEFAULT_PAGE_SIZE, Page, decode_cursor, keyset_page
from geo.models import Area, Site

# Enough to show an area's own sites on its page; the full list is one link away.
AREA_PAGE_SITES = 20


class SiteSort(StrEnum):
    NAME = "name"
    UPDATED = "updated"


# Each order ends with "id" so that the keyset is total; (name, id) matches an index on Site.
SITE_ORDERS: dict[SiteSort, tuple[str, ...]] = {
    SiteSort.NAME: ("name", "id"),
    SiteSort.UPDATED: ("-updated_at", "-id"),
}
AREA_ORDER = ("name", "id")


@dataclass(frozen=True)
class SiteFilters:
    q: str = ""
    area: Area | None = None
    kind: str = ""
    status: str = ""
    sort: SiteSort = SiteSort.NAME


def site_page(
    user: Any,
    filters: SiteFilters,
    *,
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page[Site]:
    """One keyset page of the sites `user` may see, searched, filtered and sorted.

    One query: the area and operator come with each row, so a page costs the same for any size.
    """
    sites = sites_visible_to(user).select_related("area", "operator")
    q = filters.q.strip()
    if q:
        sites = sites.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if filters.area is not None:
        # An id list rather than a join on the path: for a village PostgreSQL then reads the
        # few sites through the area index instead of walking the whole name index.
        subtree = areas_visible_to(user).filter(path__startswith=filters.area.path).values("id")
        sites = sites.filter(area_id__in=subtree)
    if filters.kind:
        sites = sites.filter(kind=filters.kind)
    if filters.status:
        sites = sites.filter(status=filters.status)
    order = SITE_ORDERS[filters.sort]
    sites = sites.filter(_leading_key_bound(order, cursor))
    return keyset_page(sites, order=order, cursor=cursor, size=size)


def _leading_key_bound(order: tuple[str, ...], cursor: str | None) -> Q:
    """A range on the first sort key, implied by the cursor but stated plainly.

    keyset_page says "after the cursor" as `a > x OR (a = x AND id > y)`, which PostgreSQL
    applies as a filter while reading the index from its start; `a >= x` lets it start the
    index scan at the cursor, so page 1,000 costs what page 1 costs.
    """
    if not cursor:
        return Q()
    first = order[0]
    value = decode_cursor(cursor, len(order))[0]
    return Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": value})


def area_page(
    user: Any,
    *,
    parent: Area | None = None,
    level: str = "",
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page[Area]:
    areas = areas_visible_to(user)
    if parent is not None:
        areas = areas.filter(parent=parent)
    if level:
        areas = areas.filter(level=level)
    return keyset_page(areas, order=AREA_ORDER, cursor=cursor, size=size)


class _Count(Func):
    """COUNT(*) of a correlated subquery without GROUP BY; a plain Count would group."""

    function = "COUNT"
    template = "%(function)s(*)"
    output_field = IntegerField()


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    counted = queryset.order_by().annotate(n=_Count()).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class AreaSummary:
    area: Area
    sub_area_count: int  # visible areas directly beneath
    site_count: int  # visible sites anywhere beneath


def area_children(user: Any, parent: Area | None) -> list[AreaSummary]:
    """Visible areas directly under `parent` (roots when None), with their counts.

    Two queries whatever the number of children. Sites are counted once per area that holds
    any and summed up to the child whose path they start with: one grouped scan, where a
    correlated count per child made PostgreSQL re-read the sites for every child.
    """
    visible = areas_visible_to(user)
    children = visible.filter(parent=parent) if parent else visible.filter(parent__isnull=True)
    rows = list(
        children.annotate(sub_area_count=_count_of(visible.filter(parent=OuterRef("pk")))).order_by(
            "name", "id"
        )
    )
    if not rows:
        return []
    prefix = parent.path if parent else "/"
    sites = sites_visible_to(user)
    if parent is not None:
        sites = sites.filter(area__path__startswith=prefix)
    site_counts: dict[int, int] = defaultdict(int)
    for path, count in sites.order_by().values_list("area__path").annotate(n=Count("id")):
        child_id = path[len(prefix) :].split("/", 1)[0]
        site_counts[int(child_id)] += count
    return [
        AreaSummary(area=row, sub_area_count=row.sub_area_count, site_count=site_counts[row.pk])
        for row in rows
    ]


def area_ancestors(user: Any, area: Area) -> list[Area]:
    """The visible areas above `area`, root first: the breadcrumbs of its page."""
    ids = [int(part) for part in area.path.strip("/").split("/") if part and int(part) != area.pk]
    if not ids:
        return []
    return list(areas_visible_to(user).filter(id__in=ids).order_by("path"))


def sites_in_area(user: Any, area: Area, *, limit: int = AREA_PAGE_SITES) -> list[Site]:
    """The first visible sites placed directly in `area` (not in its sub-areas)."""
    return list(sites_visible_to(user).filter(area=area).order_by("name", "id")[:limit])


def assigned_areas(user: Any) -> list[Area]:
    """The areas a scoped user (a facilitator) is assigned to: their way in to the tree."""
    principal = principal_for(user)
    if principal.area_paths is None or not principal.scoped_area_ids:
        return []
    return list(
        areas_visible_to(user).filter(id__in=principal.scoped_area_ids).order_by("name", "id")
    )


def visible_area_by_code(user: Any, code: str) -> Area | None:
    return areas_visible_to(user).filter(code=code.strip()).first()


def visible_area_by_id(user: Any, area_id: int) -> Area | None:
    return areas_visible_to(user).filter(pk=area_id).first()


def operator_choices(user: Any) -> QuerySet[Organisation]:
    """Organisations that may run a site: active ones the user can see."""
    return organisations_visible_to(user).filter(is_active=True).order_by("name")
