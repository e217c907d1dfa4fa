"""The household list and a household's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access.monitoring import get_household_for_user, identity_needs_reason, identity_visible
from access.principal import principal_for
from accounts.roles import Permission
from core.pagination import requested_page
from monitoring import selectors
from monitoring.choices import IncomeSource
from monitoring.forms.lists import HouseholdFilterForm
from monitoring.services.identity import household_viewed
from monitoring.views import child_rows, render_list, require_any


@login_required
@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    require_any(request, Permission.HOUSEHOLD_READ)
    user = request.user
    show_identity = identity_visible(user)
    form = HouseholdFilterForm(request.GET, user=user, show_identity=show_identity)
    form.is_valid()  # invalid fields are shown as errors and left out of the filter
    filters = selectors.HouseholdFilters(
        q=form.cleaned_data.get("q", ""), community=form.cleaned_data.get("community")
    )
    page, first_page = requested_page(
        request, lambda cursor: selectors.household_page(user, filters, cursor=cursor)
    )
    principal = principal_for(user)
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters.q or filters.community),
        "first_page": first_page,
        "show_identity": show_identity,
        "can_record": principal.has(Permission.VISIT_RECORD),
    }
    return render_list(
        request, "monitoring/household_list.html", "monitoring/_household_results.html", context
    )


@login_required
@require_GET
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    require_any(request, Permission.HOUSEHOLD_READ)
    user = request.user
    household = get_household_for_user(user, household_id)
    household_viewed(actor=user, household=household)
    principal = principal_for(user)
    context = {
        "household": household,
        "show_identity": identity_visible(user),
        "needs_reason": identity_needs_reason(user),
        "income_sources": [IncomeSource(value).label for value in household.income_sources],
        "children": child_rows(selectors.household_children(user, household)),
        "visits": selectors.household_visits(user, household),
        "visits_shown_limit": selectors.HOUSEHOLD_PAGE_VISITS,
        "can_record": principal.has(Permission.VISIT_RECORD)
        and selectors.recordable_household(user, household.pk) is not None,
    }
    return render(request, "monitoring/household_detail.html", context)
