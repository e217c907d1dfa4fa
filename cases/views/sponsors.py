"""The case file's sponsor page: Hub staff give a case a place in a sponsored cohort, or take
it out, through the companies module's cohort services (capacity is enforced there)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.cases import get_case_for_user
from accounts.roles import Permission
from cases.forms import CohortPlaceForm, CohortRemoveForm
from cases.sponsor_selectors import case_placement, get_open_cohort, open_cohorts
from cases.views import apply_error, back_to_case, require_any
from companies.services.cohorts import cohort_assign_case, cohort_remove_case
from core.errors import DomainError


@login_required
@require_http_methods(["GET", "POST"])
def case_sponsor(request: HttpRequest, case_id: int) -> HttpResponse:
    """Show the case's cohort place; POST gives it a place in the chosen cohort."""
    require_any(request, Permission.COMPANY_MANAGE)
    case = get_case_for_user(request.user, case_id)
    placement = case_placement(case)
    choices = open_cohorts(request.user)
    form = CohortPlaceForm(request.POST or None, choices=choices)
    if request.method == "POST" and placement is None and form.is_valid():
        cohort = get_open_cohort(request.user, form.cleaned_data["cohort"])
        try:
            if cohort is None:
                raise DomainError("cohort.unknown", _("Choose a cohort."), field="cohort")
            cohort_assign_case(actor=request.user, cohort=cohort, case=case)
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(
                request,
                _("Case %(number)s placed in the cohort %(cohort)s; %(company)s sponsors it.")
                % {"number": case.number, "cohort": cohort.name, "company": cohort.company.name},
            )
            return back_to_case(request, case)
    context = {
        "case": case,
        "placement": placement,
        "form": form,
        "remove_form": CohortRemoveForm(),
        "has_cohorts": bool(choices),
    }
    return render(request, "cases/case_sponsor.html", context)


@login_required
@require_POST
def case_sponsor_remove(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take the case out of its cohort, once the person confirmed."""
    require_any(request, Permission.COMPANY_MANAGE)
    case = get_case_for_user(request.user, case_id)
    form = CohortRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm."))
        return back_to_case(request, case)
    try:
        cohort_remove_case(actor=request.user, case=case)
    except DomainError as error:
        return back_to_case(request, case, error)
    messages.success(request, _("Case %(number)s left its cohort.") % {"number": case.number})
    return back_to_case(request, case)
