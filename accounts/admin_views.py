"""The hub administrator's pages: users, their roles and second factor, organisations.

Deny by default: without USER_MANAGE (users) or ORGANISATION_MANAGE (organisations) every page
here answers 404, as if it did not exist. The services check the same permissions again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.accounts import get_organisation_for_user, get_user_for_admin
from access.principal import principal_for
from accounts import selectors
from accounts.forms import (
    OrganisationFilterForm,
    OrganisationForm,
    ReasonForm,
    RoleAssignForm,
    RoleEndForm,
    RoleFieldsForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    add_domain_error,
)
from accounts.models import User
from accounts.roles import Permission
from accounts.services import organisations as organisation_services
from accounts.services import users as user_services
from core.errors import DomainError
from core.pagination import requested_page


def _require(request: HttpRequest, permission: Permission) -> None:
    if not principal_for(request.user).has(permission):
        raise Http404("No such page")


def _list_response(
    request: HttpRequest, page_template: str, fragment_template: str, context: dict[str, Any]
) -> HttpResponse:
    """The full page, or only its results when htmx asks (the filters changed)."""
    htmx = getattr(request, "htmx", None)
    fragment = htmx is not None and bool(htmx) and not htmx.boosted
    response = render(request, fragment_template if fragment else page_template, context)
    patch_vary_headers(response, ["HX-Request"])  # one URL, two bodies: caches must tell
    return response


def _form_data_without_action(post: QueryDict) -> dict[str, Any]:
    """The posted values as initial data, to redraw a form without validating it."""
    data: dict[str, Any] = {key: post.get(key) for key in post if key != "areas"}
    data["areas"] = post.getlist("areas")
    return data


# Users ---------------------------------------------------------------------------------------


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.USER_MANAGE)
    form = UserFilterForm(request.GET, actor=request.user)
    filters = form.filters()
    page, first_page = requested_page(
        request, lambda cursor: selectors.user_page(request.user, filters, cursor=cursor)
    )
    context = {"form": form, "page": page, "filtered": filters.any, "first_page": first_page}
    return _list_response(
        request, "accounts/admin/user_list.html", "accounts/admin/_user_results.html", context
    )


@login_required
@require_GET
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, Permission.USER_MANAGE)
    person = get_user_for_admin(request.user, user_id)
    current, ended = selectors.role_assignments_of(person)
    context = {
        "person": person,
        "current_assignments": current,
        "ended_assignments": ended,
        "security": selectors.security_status(person),
        "is_self": person.pk == request.user.pk,
        "can_read_audit": principal_for(request.user).has(Permission.AUDIT_READ),
    }
    return render(request, "accounts/admin/user_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.USER_MANAGE)
    if request.method == "POST" and "show_areas" in request.POST:
        # "Show communities" without JavaScript: redraw with the villages, save nothing.
        form = UserCreateForm(initial=_form_data_without_action(request.POST), actor=request.user)
    else:
        form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and "show_areas" not in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            created = user_services.user_create_with_role(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                preferred_language=data["preferred_language"],
                password=data["password"] or None,
                role=data["role"],
                organisation=data["organisation"],
                areas=data["areas"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # Rendered, not redirected: the temporary password must never sit in a URL or a
            # message store, and it is shown this once.
            return render(
                request,
                "accounts/admin/user_created.html",
                {"person": created.user, "temporary_password": created.temporary_password},
            )
    return render(request, "accounts/admin/user_form.html", {"form": form, "person": None})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, Permission.USER_MANAGE)
    person = get_user_for_admin(request.user, user_id)
    initial = {
        "full_name": person.full_name,
        "email": person.email,
        "preferred_language": person.preferred_language,
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user_services.user_update(actor=request.user, user=person, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": person})
            return redirect("accounts:admin_user_detail", user_id=person.pk)
    return render(request, "accounts/admin/user_form.html", {"form": form, "person": person})


def _reason_page(
    request: HttpRequest,
    person: User,
    *,
    action: Any,
    title: str,
    question: str,
    button: str,
    done: str,
) -> HttpResponse:
    """A reason form, then the service; shared by deactivate, reactivate and reset MFA."""
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(actor=request.user, user=person, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect("accounts:admin_user_detail", user_id=person.pk)
    context = {
        "form": form,
        "person": person,
        "title": title,
        "question": question,
        "button": button,
    }
    return render(request, "accounts/admin/reason_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, Permission.USER_MANAGE)
    person = get_user_for_admin(request.user, user_id)
    return _reason_page(
        request,
        person,
        action=user_services.user_deactivate,
        title=_("Deactivate %(name)s") % {"name": person},
        question=_("%(name)s will be signed out and unable to sign in. Continue?")
        % {"name": person},
        button=_("Deactivate"),
        done=_("%(name)s is deactivated.") % {"name": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, Permission.USER_MANAGE)
    person = get_user_for_admin(request.user, user_id)
    return _reason_page(
        request,
        person,
        action=user_services.user_reactivate,
        title=_("Reactivate %(name)s") % {"name": person},
        question=_("%(name)s will be able to sign in again with their current roles. Continue?")
        % {"name": person},
        button=_("Reactivate"),
        done=_("%(name)s is active again.") % {"name": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_reset_mfa(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, Permission.USER_MANAGE)
    person = get_user_for_admin(request.user, user_id)
    return _reason_page(
        request,
        person,
        action=user_services.user_reset_mfa,
        title=_("Reset the second factor of %(name)s") % {"name": person},
        question=_(
            "The authenticator app and recovery codes of %(name)s will stop working; they set "
            "up a new one at their next sign-in. Continue?"
        )
        % {"name": person},
        button=_("Reset second factor"),
        done=_("The second factor of %(name)s is reset.") % {"name": person},
    )


@login_required
@require_POST
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, Permission.USER_MANAGE)
    person = get_user_for_admin(request.user, user_id)
    user_services.unlock_user(actor=request.user, user=person)
    messages.success(request, _("%(name)s can sign in again.") % {"name": person})
    return redirect("accounts:admin_user_detail", user_id=person.pk)


# Role assignments ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def role_assign(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, Permission.USER_MANAGE)
    person = get_user_for_admin(request.user, user_id)
    if request.method == "POST" and "show_areas" in request.POST:
        form = RoleAssignForm(initial=_form_data_without_action(request.POST), actor=request.user)
    else:
        form = RoleAssignForm(request.POST or None, actor=request.user)
    if request.method == "POST" and "show_areas" not in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            user_services.role_assign(
                actor=request.user,
                user=person,
                role=data["role"],
                organisation=data["organisation"],
                areas=data["areas"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Role given to %(name)s.") % {"name": person})
            return redirect("accounts:admin_user_detail", user_id=person.pk)
    return render(request, "accounts/admin/role_form.html", {"form": form, "person": person})


@login_required
@require_GET
def area_choices(request: HttpRequest) -> HttpResponse:
    """The area checkboxes under the typed parent code (htmx fragment of the role forms)."""
    _require(request, Permission.USER_MANAGE)
    form = RoleFieldsForm(
        initial={"area_parent": request.GET.get("area_parent", "")}, actor=request.user
    )
    return render(request, "accounts/admin/_area_choices.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def role_end(request: HttpRequest, user_id: int, assignment_id: int) -> HttpResponse:
    _require(request, Permission.USER_MANAGE)
    assignment = selectors.get_assignment_for_admin(request.user, user_id, assignment_id)
    form = RoleEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user_services.role_end(
                actor=request.user, assignment=assignment, ends_on=form.cleaned_data["ends_on"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Role ended."))
            return redirect("accounts:admin_user_detail", user_id=assignment.user_id)
    context = {"form": form, "assignment": assignment, "person": assignment.user}
    return render(request, "accounts/admin/role_end.html", context)


# Organisations -------------------------------------------------------------------------------


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.ORGANISATION_MANAGE)
    form = OrganisationFilterForm(request.GET)
    filters = form.filters()
    page, first_page = requested_page(
        request, lambda cursor: selectors.organisation_page(request.user, filters, cursor=cursor)
    )
    context = {
        "form": form,
        "page": page,
        "filtered": filters.any,
        "first_page": first_page,
        "can_manage_users": principal_for(request.user).has(Permission.USER_MANAGE),
    }
    return _list_response(
        request,
        "accounts/admin/organisation_list.html",
        "accounts/admin/_organisation_results.html",
        context,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.ORGANISATION_MANAGE)
    form = OrganisationForm(request.POST or None)
    del form.fields["is_active"]  # a new organisation starts active
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_services.organisation_create(
                actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s created.") % {"name": organisation.name})
            return redirect("accounts:admin_organisation_list")
    context = {"form": form, "organisation": None}
    return render(request, "accounts/admin/organisation_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    _require(request, Permission.ORGANISATION_MANAGE)
    organisation = get_organisation_for_user(request.user, organisation_id)
    initial = {
        "name": organisation.name,
        "short_name": organisation.short_name,
        "type": organisation.type,
        "country": organisation.country,
        "is_active": organisation.is_active,
    }
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_services.organisation_update(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": organisation.name})
            return redirect("accounts:admin_organisation_list")
    context = {"form": form, "organisation": organisation}
    return render(request, "accounts/admin/organisation_form.html", context)
