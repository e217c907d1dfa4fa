"""Visibility of administrative areas and sites."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from access.principal import principal_for
from accounts.roles import Permission
from geo.models import Area, Site


def areas_visible_to(user: Any) -> QuerySet[Area]:
    """Areas the user may read: all of them for programme-wide roles, else their own subtree
    plus the ancestors needed to place it (a facilitator in a village sees its territory)."""
    principal = principal_for(user)
    if not principal.has(Permission.AREA_READ):
        return Area.objects.none()
    if principal.area_paths is None:
        return Area.objects.all()
    ancestor_ids: set[int] = set()
    for path in principal.area_paths:
        ancestor_ids.update(int(part) for part in path.strip("/").split("/") if part)
    return Area.objects.filter(principal.area_filter("path") | Q(id__in=ancestor_ids))


def sites_visible_to(user: Any) -> QuerySet[Site]:
    principal = principal_for(user)
    if not principal.has(Permission.SITE_READ):
        return Site.objects.none()
    return Site.objects.filter(principal.area_filter("area__path"))


def get_area_for_user(user: Any, area_id: int | str) -> Area:
    try:
        return areas_visible_to(user).get(pk=int(area_id))
    except (Area.DoesNotExist, ValueError):
        raise Http404("No such area") from None


def get_site_for_user(user: Any, site_id: int | str) -> Site:
    try:
        return sites_visible_to(user).select_related("area", "operator").get(pk=int(site_id))
    except (Site.DoesNotExist, ValueError):
        raise Http404("No such site") from None
