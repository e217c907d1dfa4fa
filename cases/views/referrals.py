"""Routing: the desk refers a child; the agency's inbox accepts or declines."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.cases import get_referral_for_user
from access.monitoring import children_visible_to, get_identification_for_user
from access.principal import principal_for
from accounts.roles import Permission
from cases import selectors
from cases.forms import AcceptForm, ManualReferralForm, ReasonForm, ReferForm
from cases.services.agencies import agency_suggestions
from cases.services.permissions import permissions_in
from cases.services.referrals import (
    referral_accept,
    referral_create,
    referral_create_for_child,
    referral_decline,
    referral_withdraw,
)
from cases.views import apply_error, require_any
from core.errors import DomainError
from monitoring.desk_selectors import deadline_countdown


@login_required
@require_POST
def refer(request: HttpRequest, identification_id: int) -> HttpResponse:
    """The desk's "Refer" form (on the identification's desk page) posts here."""
    require_any(request, Permission.REFERRAL_MANAGE)
    identification = get_identification_for_user(request.user, identification_id)
    suggestions = agency_suggestions(area=identification.area)
    form = ReferForm(request.POST, agencies=suggestions.eligible)
    if not form.is_valid():
        messages.error(request, _("Choose one of the suggested agencies."))
        return redirect("monitoring:desk_detail", identification_id=identification.pk)
    agency = selectors.get_agency(form.cleaned_data["agency"])
    if agency is None:
        raise Http404("No such agency")
    try:
        referral = referral_create(
            actor=request.user,
            identification=identification,
            agency=agency,
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("monitoring:desk_detail", identification_id=identification.pk)
    messages.success(
        request,
        _("Referred to %(agency)s. The agency must answer by %(deadline)s.")
        % {
            "agency": agency.name,
            "deadline": timezone.localtime(referral.deadline_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return redirect("cases:referral_detail", referral_id=referral.pk)


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    """A manual referral (or one from a grievance or a supplier audit) of a recorded child."""
    require_any(request, Permission.REFERRAL_MANAGE)
    agencies = selectors.active_agencies()
    form = ManualReferralForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child = children_visible_to(request.user).filter(code__iexact=data["child_code"]).first()
        agency = selectors.get_agency(data["agency"])
        if child is None:
            form.add_error("child_code", _("No child you can see has this code."))
        elif agency is None:
            form.add_error("agency", _("Choose the agency."))
        else:
            try:
                referral = referral_create_for_child(
                    actor=request.user,
                    child=child,
                    agency=agency,
                    source=data["source"],
                    urgency=data["urgency"],
                    note=data["note"],
                )
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Referred to %(agency)s.") % {"agency": agency.name})
                return redirect("cases:referral_detail", referral_id=referral.pk)
    return render(request, "cases/referral_new.html", {"form": form})


@login_required
@require_GET
def referral_inbox(request: HttpRequest) -> HttpResponse:
    require_any(request, Permission.CASE_READ, Permission.REFERRAL_MANAGE)
    now = timezone.now()
    rows = [
        {"referral": referral, "countdown": deadline_countdown(referral.deadline_at, now)}
        for referral in selectors.referral_inbox(request.user)
    ]
    return render(
        request,
        "cases/referral_inbox.html",
        {
            "rows": rows,
            "is_desk": principal_for(request.user).has(Permission.REFERRAL_MANAGE),
        },
    )


def _detail(request: HttpRequest, referral_id: int, **forms: object) -> HttpResponse:
    user = request.user
    referral = get_referral_for_user(user, referral_id)
    can_answer = Permission.CASE_WRITE in permissions_in(user, referral.agency_id)
    context: dict[str, object] = {
        "referral": referral,
        "countdown": deadline_countdown(referral.deadline_at, timezone.now()),
        "is_pending": referral.status == "pending",
        "can_answer": can_answer,
        "is_desk": principal_for(user).has(Permission.REFERRAL_MANAGE),
        "case": getattr(referral, "case", None) if referral.status == "accepted" else None,
    }
    if can_answer:
        context["accept_form"] = forms.get("accept_form") or AcceptForm(
            staff=selectors.agency_staff(referral.agency_id), sponsors=selectors.sponsors()
        )
        context["decline_form"] = forms.get("decline_form") or ReasonForm(prefix="decline")
    context["withdraw_form"] = forms.get("withdraw_form") or ReasonForm(prefix="withdraw")
    return render(request, "cases/referral_detail.html", context)


@login_required
@require_GET
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    require_any(request, Permission.CASE_READ, Permission.REFERRAL_MANAGE)
    return _detail(request, referral_id)


@login_required
@require_POST
def referral_accept_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    require_any(request, Permission.CASE_WRITE)
    referral = get_referral_for_user(request.user, referral_id)
    form = AcceptForm(
        request.POST,
        staff=selectors.agency_staff(referral.agency_id),
        sponsors=selectors.sponsors(),
    )
    if form.is_valid():
        sponsor_id = form.cleaned_data["sponsor"]
        case_manager = selectors.get_user(form.cleaned_data["case_manager"])
        try:
            if case_manager is None:
                raise DomainError("case.case_manager", _("Choose the case manager."))
            case = referral_accept(
                actor=request.user,
                referral=referral,
                case_manager=case_manager,
                sponsor=selectors.get_sponsor(sponsor_id) if sponsor_id else None,
            )
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect("cases:case_detail", case_id=case.pk)
    return _detail(request, referral_id, accept_form=form)


@login_required
@require_POST
def referral_decline_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    require_any(request, Permission.CASE_WRITE)
    referral = get_referral_for_user(request.user, referral_id)
    form = ReasonForm(request.POST, prefix="decline")
    if form.is_valid():
        try:
            referral_decline(
                actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("Referral declined; the child returns to the referral desk.")
            )
            return redirect("cases:referral_inbox")
    return _detail(request, referral_id, decline_form=form)


@login_required
@require_POST
def referral_withdraw_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    require_any(request, Permission.REFERRAL_MANAGE)
    referral = get_referral_for_user(request.user, referral_id)
    form = ReasonForm(request.POST, prefix="withdraw")
    if form.is_valid():
        try:
            referral_withdraw(
                actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Referral withdrawn; refer the child to another agency."))
            if referral.identification_id:
                return redirect(
                    "monitoring:desk_detail", identification_id=referral.identification_id
                )
            return redirect("cases:referral_inbox")
    return _detail(request, referral_id, withdraw_form=form)
