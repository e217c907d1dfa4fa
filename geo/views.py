"""Pages for browsing and editing areas and sites.

Deny by default: a user without the read permission gets 404 on every page here, a user
without the manage permission gets 404 on the forms, and an area or site outside the user's
communities answers 404 like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access.geo import get_area_for_user, get_site_for_user
from access.principal import principal_for
from accounts.roles import Permission
from core.errors import DomainError
from core.pagination import requested_page
from geo import selectors, services
from geo.forms import AreaCreateForm, AreaEditForm, SiteFilterForm, SiteForm, add_domain_error
from geo.models import AREA_CHILD_LEVELS, Area, Site
from geo.selectors import SiteFilters, SiteSort


def _require(request: HttpRequest, permission: Permission) -> None:
    if not principal_for(request.user).has(permission):
        raise Http404("No such page")


def _rights(request: HttpRequest) -> dict[str, bool]:
    principal = principal_for(request.user)
    return {
        "can_manage_areas": principal.has(Permission.AREA_MANAGE),
        "can_manage_sites": principal.has(Permission.SITE_MANAGE),
    }


# Areas ---------------------------------------------------------------------------------------


def _area_page(request: HttpRequest, area: Area | None) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "area": area,
        "ancestors": selectors.area_ancestors(user, area) if area else [],
        "children": selectors.area_children(user, area),
        "sites": selectors.sites_in_area(user, area) if area else [],
        "sites_shown_limit": selectors.AREA_PAGE_SITES,
        "assigned": selectors.assigned_areas(user) if area is None else [],
        "can_have_children": bool(AREA_CHILD_LEVELS[area.level]) if area else True,
        **_rights(request),
    }
    return render(request, "geo/area_detail.html", context)


@login_required
@require_GET
def area_list(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.AREA_READ)
    return _area_page(request, None)


@login_required
@require_GET
def area_detail(request: HttpRequest, area_id: int) -> HttpResponse:
    _require(request, Permission.AREA_READ)
    return _area_page(request, get_area_for_user(request.user, area_id))


@login_required
@require_http_methods(["GET", "POST"])
def area_create(request: HttpRequest, parent_id: int | None = None) -> HttpResponse:
    _require(request, Permission.AREA_MANAGE)
    parent = get_area_for_user(request.user, parent_id) if parent_id is not None else None
    if parent is not None and not AREA_CHILD_LEVELS[parent.level]:
        raise Http404("This level has no sub-areas")
    form = AreaCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.area_create(actor=request.user, parent=parent, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Area “%(name)s” created.") % {"name": area.name})
            return redirect("geo:area_detail", area_id=area.pk)
    return render(request, "geo/area_form.html", {"form": form, "parent": parent, "area": None})


@login_required
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, area_id: int) -> HttpResponse:
    _require(request, Permission.AREA_MANAGE)
    area = get_area_for_user(request.user, area_id)
    form = AreaEditForm(request.POST or None, user=request.user, area=area)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.area_update(
                actor=request.user,
                area=area,
                code=data["code"],
                name=data["name"],
                is_active=data["is_active"],
                parent=data.get("parent"),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Area “%(name)s” saved.") % {"name": area.name})
            return redirect("geo:area_detail", area_id=area.pk)
    return render(
        request,
        "geo/area_form.html",
        {"form": form, "area": area, "parent": area.parent, "ancestors": []},
    )


# Sites ---------------------------------------------------------------------------------------


@login_required
@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.SITE_READ)
    form = SiteFilterForm(request.GET)
    form.is_valid()  # invalid fields are shown as errors and left out of the filter
    data = form.cleaned_data
    area_id = request.GET.get("area", "")
    area = get_area_for_user(request.user, area_id) if area_id else None
    filters = SiteFilters(
        q=data.get("q", ""),
        area=area,
        kind=data.get("kind", ""),
        status=data.get("status", ""),
        sort=SiteSort(data.get("sort") or SiteSort.NAME),
    )
    page, first_page = requested_page(
        request, lambda cursor: selectors.site_page(request.user, filters, cursor=cursor)
    )
    context = {
        "form": form,
        "page": page,
        "area": area,
        "filtered": bool(filters.q or area or filters.kind or filters.status),
        "first_page": first_page,
        **_rights(request),
    }
    htmx = getattr(request, "htmx", None)  # set by django-htmx's middleware
    fragment = htmx is not None and bool(htmx) and not htmx.boosted
    template = "geo/_site_results.html" if fragment else "geo/site_list.html"
    response = render(request, template, context)
    # The same URL answers a full page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def site_detail(request: HttpRequest, site_id: int) -> HttpResponse:
    _require(request, Permission.SITE_READ)
    site = get_site_for_user(request.user, site_id)
    context = {
        "site": site,
        "ancestors": [*selectors.area_ancestors(request.user, site.area), site.area],
        **_rights(request),
    }
    return render(request, "geo/site_detail.html", context)


def _site_form_values(form: SiteForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "code": data["code"],
        "name": data["name"],
        "kind": data["kind"],
        "area": data["area"],
        "latitude": data["latitude"],
        "longitude": data["longitude"],
        "operator": data["operator"],
        "operator_name": data["operator_name"],
        "status": data["status"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.SITE_MANAGE)
    initial: dict[str, Any] = {"status": "active"}
    area_id = request.GET.get("area", "")
    if area_id:
        initial["area"] = get_area_for_user(request.user, area_id).code
    form = SiteForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_create(actor=request.user, **_site_form_values(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Site “%(name)s” created.") % {"name": site.name})
            return redirect("geo:site_detail", site_id=site.pk)
    return render(request, "geo/site_form.html", {"form": form, "site": None})


def _site_initial(site: Site) -> dict[str, Any]:
    return {
        "code": site.code,
        "name": site.name,
        "kind": site.kind,
        "area": site.area.code,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "operator": site.operator_id,
        "operator_name": site.operator_name,
        "status": site.status,
    }


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, site_id: int) -> HttpResponse:
    _require(request, Permission.SITE_MANAGE)
    site = get_site_for_user(request.user, site_id)
    form = SiteForm(request.POST or None, user=request.user, initial=_site_initial(site))
    if request.method == "POST" and form.is_valid():
        try:
            services.site_update(actor=request.user, site=site, **_site_form_values(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Site “%(name)s” saved.") % {"name": site.name})
            return redirect("geo:site_detail", site_id=site.pk)
    return render(request, "geo/site_form.html", {"form": form, "site": site})
