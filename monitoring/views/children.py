"""The child list and a child's page, with identity shown only to those allowed.

A programme manager first sees the page pseudonymised; after stating a reason, the child's
identity is shown for the rest of the session, and every view carries that reason in the
audit log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access.monitoring import (
    get_child_for_user,
    identity_needs_reason,
    identity_visible,
    merged_record_for_user,
)
from access.principal import principal_for
from accounts.roles import Permission
from core.errors import DomainError
from core.pagination import requested_page
from monitoring import selectors
from monitoring.choices import ConsentKind, ConsentPurpose
from monitoring.forms.child_update import AttachHouseholdForm, ChildUpdateForm
from monitoring.forms.lists import ChildFilterForm, IdentityReasonForm
from monitoring.models import Child
from monitoring.services.child_update import child_attach_household, child_update
from monitoring.services.children import has_consent
from monitoring.services.identity import child_viewed, identity_reveal
from monitoring.views import child_rows, observation_view, render_list, require_any

CHILD_READERS = (Permission.HOUSEHOLD_READ, Permission.CHILD_READ_PSEUDONYMISED)
REVEALED_SESSION_KEY = "monitoring_identity_reasons"  # child id -> reason, for this session
REVEALED_MAX = 200  # a session keeps the latest reasons only; older ones are asked again


@login_required
@require_GET
def child_list(request: HttpRequest) -> HttpResponse:
    require_any(request, *CHILD_READERS)
    user = request.user
    show_identity = identity_visible(user)
    form = ChildFilterForm(request.GET, user=user, show_identity=show_identity)
    filters = form.filters()
    page, first_page = requested_page(
        request, lambda cursor: selectors.child_page(user, filters, cursor=cursor)
    )
    principal = principal_for(user)
    context = {
        "form": form,
        "page": page,
        "rows": child_rows(page.items),
        "filtered": any(
            (
                filters.q,
                filters.community,
                filters.age_band,
                filters.sex,
                filters.category,
                filters.school_status,
            )
        ),
        "first_page": first_page,
        "show_identity": show_identity,
        "can_read_households": principal.has(Permission.HOUSEHOLD_READ),
        "can_record": principal.has(Permission.VISIT_RECORD),
    }
    return render_list(
        request, "monitoring/child_list.html", "monitoring/_child_results.html", context
    )


def _revealed(request: HttpRequest) -> dict[str, str]:
    stored = request.session.get(REVEALED_SESSION_KEY, {})
    return stored if isinstance(stored, dict) else {}


def _remember_reason(request: HttpRequest, child: Child, reason: str) -> None:
    revealed = _revealed(request)
    revealed.pop(str(child.pk), None)
    revealed[str(child.pk)] = reason
    request.session[REVEALED_SESSION_KEY] = dict(list(revealed.items())[-REVEALED_MAX:])


@login_required
@require_http_methods(["GET", "POST"])
def child_detail(request: HttpRequest, child_id: int) -> HttpResponse:
    require_any(request, *CHILD_READERS)
    user = request.user
    child = get_child_for_user(user, child_id)
    kept = merged_record_for_user(user, child)
    if kept is not None:  # a merged duplicate: its page is the kept record's
        return redirect("monitoring:child_detail", child_id=kept.pk)
    needs_reason = identity_needs_reason(user)
    reason = _revealed(request).get(str(child.pk), "") if needs_reason else ""
    show_identity = identity_visible(user) or bool(reason)
    reason_form = None
    if request.method == "POST":
        if not needs_reason:
            raise Http404("No such page")
        reason_form = IdentityReasonForm(request.POST)
        if reason_form.is_valid():
            try:
                text = identity_reveal(
                    actor=user, child=child, reason=reason_form.cleaned_data["reason"]
                )
            except DomainError as error:
                reason_form.add_error("reason", error.message)
            else:
                _remember_reason(request, child, text)
                return redirect("monitoring:child_detail", child_id=child.pk)
    elif needs_reason and not show_identity:
        reason_form = IdentityReasonForm()
    child_viewed(actor=user, child=child, identity_shown=show_identity, reason=reason)
    return render(
        request,
        "monitoring/child_detail.html",
        _detail_context(request, child, show_identity, reason, reason_form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, child_id: int) -> HttpResponse:
    """Correct the name or date of birth (recorders of the child's community, who see names)."""
    require_any(request, Permission.VISIT_RECORD)
    user = request.user
    child = get_child_for_user(user, child_id)
    if not identity_visible(user) or child.merged_into_id is not None:
        raise Http404("No such page")
    form = ChildUpdateForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        try:
            child_update(actor=user, child=child, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The child's record was corrected."))
            return redirect("monitoring:child_detail", child_id=child.pk)
    return render(
        request,
        "monitoring/child_form.html",
        {
            "child": child,
            "form": form,
            "has_consent": has_consent(
                child, ConsentKind.CAREGIVER_CONSENT, ConsentPurpose.IDENTIFICATION
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_attach_household_view(request: HttpRequest, child_id: int) -> HttpResponse:
    """A child met without a known household joins it once the family is found."""
    user = request.user
    require_any(request, Permission.VISIT_RECORD)
    child = get_child_for_user(user, child_id)
    if not identity_visible(user) or child.merged_into_id is not None or child.household_id:
        raise Http404("No such page")
    form = AttachHouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        household = selectors.recordable_household_by_code(
            user, form.cleaned_data["household_code"]
        )
        if household is None:
            form.add_error("household_code", _("No household of your communities has this code."))
        else:
            try:
                child_attach_household(actor=user, child=child, household=household)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("The child now belongs to household %(code)s.") % {"code": household.code},
                )
                return redirect("monitoring:child_detail", child_id=child.pk)
    return render(request, "monitoring/child_attach_household.html", {"child": child, "form": form})


def _detail_context(
    request: HttpRequest,
    child: Child,
    show_identity: bool,
    reason: str,
    reason_form: IdentityReasonForm | None,
) -> dict[str, Any]:
    user = request.user
    language = get_language() or "en"
    observations = selectors.child_observations(child)
    return {
        "child": child,
        "age": child.age_on(timezone.localdate()),
        "show_identity": show_identity,
        "reason": reason,
        "reason_form": reason_form,
        "can_read_households": principal_for(user).has(Permission.HOUSEHOLD_READ),
        "can_correct": show_identity
        and identity_visible(user)
        and principal_for(user).has(Permission.VISIT_RECORD)
        and child.merged_into_id is None,
        "consents": selectors.child_consents(child),
        "observations": [observation_view(observation, language) for observation in observations],
        "identifications": selectors.child_identifications(user, child),
    }
