"""Pages of member companies: the Hub's management pages and each company's portal.

Deny by default: the Hub pages need company:manage; the portal shows one company to its own
members (and to Hub staff), with counts only. Another company's ids answer 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.companies import (
    get_cohort_for_user,
    get_company_for_user,
    get_nomination_for_user,
    manages_companies,
    own_companies,
)
from access.geo import sites_visible_to
from access.principal import principal_for
from accounts.models import Organisation
from accounts.roles import Permission
from companies import figures, selectors
from companies.forms import (
    AssignCaseForm,
    CohortForm,
    ContributionForm,
    DeclineForm,
    MembershipForm,
    NominationForm,
    SupplierImportForm,
    SupplierLinkForm,
    add_domain_error,
)
from companies.models import NominationStatus
from companies.services import cohorts, imports, memberships, nominations, supply_chain
from core.errors import DomainError
from core.pagination import requested_page
from reports.suppression import THRESHOLD


def _require(request: HttpRequest, permission: Permission) -> None:
    if not principal_for(request.user).has(permission):
        raise Http404("No such page")


def _managed_company(request: HttpRequest, company_id: int) -> Organisation:
    _require(request, Permission.COMPANY_MANAGE)
    return get_company_for_user(request.user, company_id)


# The Hub ---------------------------------------------------------------------------------


@login_required
@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    if not manages_companies(request.user):
        own = own_companies(request.user).first()
        if own is None:
            raise Http404("No such page")
        return redirect("companies:portal", company_id=own.pk)
    page, first_page = requested_page(
        request, lambda cursor: selectors.company_page(request.user, cursor=cursor)
    )
    return render(request, "companies/company_list.html", {"page": page, "first_page": first_page})


@login_required
@require_GET
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _managed_company(request, company_id)
    membership = selectors.membership_for(company)
    context: dict[str, Any] = {
        "company": company,
        "membership": membership,
        "totals": selectors.contribution_totals(membership) if membership else None,
        "contributions": list(membership.contributions.all()[:20]) if membership else [],
        "links": selectors.chain_links(company),
        "nominations": list(selectors.company_nominations(company)),
        "cohorts": figures.company_cohort_figures(company),
        "decline_form": DeclineForm(),
    }
    return render(request, "companies/company_detail.html", context)


def _form_page(
    request: HttpRequest, company: Organisation, form: Any, title: str, button: str
) -> HttpResponse:
    return render(
        request,
        "companies/company_form.html",
        {"company": company, "form": form, "title": title, "button": button},
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _managed_company(request, company_id)
    membership = selectors.membership_for(company)
    initial = (
        {
            "package": membership.package,
            "status": membership.status,
            "starts_on": membership.starts_on,
            "ends_on": membership.ends_on,
            "currency": membership.currency,
        }
        if membership
        else {"status": "active", "currency": "USD"}
    )
    form = MembershipForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            memberships.membership_set(actor=request.user, company=company, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Membership saved."))
            return redirect("companies:detail", company_id=company.pk)
    return _form_page(request, company, form, _("Membership"), _("Save"))


@login_required
@require_http_methods(["GET", "POST"])
def contribution_new(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _managed_company(request, company_id)
    membership = selectors.membership_for(company)
    if membership is None:
        messages.error(request, _("Set the company's membership first."))
        return redirect("companies:membership", company_id=company.pk)
    form = ContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            memberships.contribution_record(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Contribution recorded."))
            return redirect("companies:detail", company_id=company.pk)
    return _form_page(request, company, form, _("Record a contribution"), _("Record"))


@login_required
@require_http_methods(["GET", "POST"])
def supplier_new(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _managed_company(request, company_id)
    form = SupplierLinkForm(request.POST or None, buyers=selectors.chain_buyers(company))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        codes = [code for code in data["site_codes"].replace(",", " ").split() if code]
        sites = list(sites_visible_to(request.user).filter(code__in=codes))
        missing = sorted(set(codes) - {site.code for site in sites})
        if missing:
            form.add_error(
                "site_codes",
                _("No site you can see has the code %(codes)s.") % {"codes": ", ".join(missing)},
            )
        else:
            try:
                supplier = supply_chain.supplier_find_or_create(
                    actor=request.user, name=data["supplier_name"]
                )
                supply_chain.link_add(
                    actor=request.user,
                    company=company,
                    supplier=supplier,
                    tier=data["tier"],
                    buyer=data["buyer"],
                )
                for site in sites:
                    supply_chain.supplier_site_add(actor=request.user, supplier=supplier, site=site)
            except DomainError as error:
                if error.field in ("supplier", "name"):
                    error.field = "supplier_name"
                add_domain_error(form, error)
            else:
                messages.success(request, _("Supplier added to the chain."))
                return redirect("companies:detail", company_id=company.pk)
    return _form_page(request, company, form, _("Add a supplier"), _("Add"))


@login_required
@require_http_methods(["GET", "POST"])
def supplier_import(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _managed_company(request, company_id)
    form = SupplierImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = "import" not in request.POST
        if upload.size > imports.MAX_SUPPLIER_LIST_BYTES:
            form.add_error("file", _("A supplier list is at most 5 MB; this file is larger."))
        else:
            try:
                result = imports.supplier_list_import(
                    actor=request.user, company=company, data=upload.read(), dry_run=dry_run
                )
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                if not dry_run:
                    messages.success(
                        request,
                        _("%(added)s suppliers added; %(errors)s rows with errors.")
                        % {"added": result.added, "errors": result.rows_with_errors},
                    )
    return render(
        request,
        "companies/supplier_import.html",
        {"company": company, "form": form, "result": result, "fields": imports.SUPPLIER_FIELDS},
    )


_STEPS = {
    "invite": nominations.nomination_invite,
    "accept": nominations.nomination_accept,
    "activate": nominations.nomination_activate,
}


@login_required
@require_POST
def nomination_step(request: HttpRequest, nomination_id: int, step: str) -> HttpResponse:
    _require(request, Permission.COMPANY_MANAGE)
    nomination = get_nomination_for_user(request.user, nomination_id)
    try:
        if step == "decline":
            form = DeclineForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            nominations.nomination_decline(actor=request.user, nomination=nomination, reason=reason)
        elif step in _STEPS:
            _STEPS[step](actor=request.user, nomination=nomination)
        else:
            raise Http404("No such step")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(name)s”: %(status)s.")
            % {"name": nomination.supplier_name, "status": nomination.get_status_display()},
        )
    return redirect("companies:detail", company_id=nomination.company_id)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_new(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _managed_company(request, company_id)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = cohorts.cohort_create(actor=request.user, company=company, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Cohort created."))
            return redirect("companies:cohort", cohort_id=cohort.pk)
    return _form_page(request, company, form, _("New sponsored cohort"), _("Create"))


@login_required
@require_http_methods(["GET", "POST"])
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    _require(request, Permission.COMPANY_MANAGE)
    cohort = get_cohort_for_user(request.user, cohort_id)
    form = AssignCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = selectors.case_by_number(request.user, form.cleaned_data["case_number"])
        if case is None:
            form.add_error("case_number", _("No case you can see has this number."))
        else:
            try:
                cohorts.cohort_assign_case(actor=request.user, cohort=cohort, case=case)
            except DomainError as error:
                form.add_error("case_number", error.message)
            else:
                messages.success(
                    request, _("Case %(number)s placed in the cohort.") % {"number": case.number}
                )
                return redirect("companies:cohort", cohort_id=cohort.pk)
    context = {
        "cohort": cohort,
        "placements": list(selectors.cohort_placements(request.user, cohort)),
        "placed": selectors.cohort_placed_count(cohort),
        "form": form,
    }
    return render(request, "companies/cohort_detail.html", context)


# The company's portal --------------------------------------------------------------------


@login_required
@require_GET
def portal(request: HttpRequest, company_id: int) -> HttpResponse:
    _require(request, Permission.REPORT_COMPANY_READ)
    company = get_company_for_user(request.user, company_id)
    return render(
        request, "companies/portal.html", {"portal": portal_context(request.user, company)}
    )


def portal_context(user: Any, company: Organisation) -> dict[str, Any]:
    """What a company reads about itself: its chain, its nominations, counts of its cohorts."""
    membership = selectors.membership_for(company)
    principal = principal_for(user)
    return {
        "company": company,
        "membership": membership,
        "totals": selectors.contribution_totals(membership) if membership else None,
        "links": selectors.chain_links(company),
        "sites": selectors.chain_sites(company),
        "nominations": list(selectors.company_nominations(company)),
        "nomination_summary": [
            (NominationStatus(status).label, count)
            for status, count in selectors.nomination_counts(company).items()
        ],
        "cohorts": figures.company_cohort_figures(company),
        "programme": figures.programme_figures(company),
        "can_nominate": principal.has(Permission.SUPPLIER_NOMINATE)
        or principal.has(Permission.COMPANY_MANAGE),
        "threshold": THRESHOLD,
    }


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, company_id: int) -> HttpResponse:
    principal = principal_for(request.user)
    if not (
        principal.has(Permission.SUPPLIER_NOMINATE) or principal.has(Permission.COMPANY_MANAGE)
    ):
        raise Http404("No such page")
    company = get_company_for_user(request.user, company_id)
    form = NominationForm(request.POST or None, buyers=selectors.chain_buyers(company))
    if request.method == "POST" and form.is_valid():
        try:
            nominations.nomination_create(actor=request.user, company=company, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Supplier nominated. The Hub will invite them."))
            return redirect("companies:portal", company_id=company.pk)
    return render(
        request,
        "companies/company_form.html",
        {
            "company": company,
            "form": form,
            "title": _("Nominate a supplier"),
            "button": _("Nominate"),
            "back": "portal",
        },
    )
