"""The case list and the case file, with every step of the lifecycle as a form or a button."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.cases import get_case_for_user
from access.monitoring import identity_visible
from access.principal import principal_for
from accounts.roles import Permission
from cases import selectors
from cases.choices import OPEN_CASE_STATES, CaseState, PlanItemKind, PlanStatus
from cases.forms import (
    AssessmentForm,
    AttachmentForm,
    CaseFilterForm,
    CloseForm,
    ConsentForm,
    FollowUpActivityFormSet,
    FollowUpForm,
    NoteForm,
    PlanItemForm,
    PlanItemStatusForm,
    ReassignForm,
    TransferForm,
)
from cases.models import Case
from cases.services import closure, lifecycle, notes, plans, transfers
from cases.services.agencies import agency_suggestions
from cases.services.closure_rule import closure_rule_status
from cases.services.follow_ups import case_record_follow_up
from cases.services.permissions import is_full_supervisor, permissions_in
from cases.views import apply_error, back_to_case, form_page, require_any
from core.errors import DomainError
from core.pagination import requested_page
from monitoring import selectors as monitoring_selectors
from monitoring.choices import CATEGORY_CHOICES
from monitoring.desk_selectors import child_names
from monitoring.services.visits import ActivityInput

CASE_READERS = (Permission.CASE_READ,)


# The list --------------------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    require_any(request, *CASE_READERS)
    user = request.user
    sponsors = selectors.sponsors()
    form = CaseFilterForm(request.GET, user=user, sponsors=sponsors)
    form.is_valid()  # invalid fields are shown as errors and left out of the filter
    data = form.cleaned_data
    filters = selectors.CaseFilters(
        search=data.get("q", ""),
        state=data.get("state", ""),
        urgency=data.get("urgency", ""),
        overdue=bool(data.get("overdue")),
        sponsor_id=int(data["sponsor"]) if data.get("sponsor") else None,
        area=data.get("area"),
        mine=bool(data.get("mine")),
        sort=data.get("sort") or "newest",
    )
    page, first_page = requested_page(
        request, lambda cursor: selectors.case_page(user, filters, cursor=cursor)
    )
    now = timezone.now()
    context = {
        "form": form,
        "page": page,
        "rows": [{"case": case, "overdue": _is_overdue(case, now)} for case in page.items],
        "first_page": first_page,
        "more_filters": any(request.GET.get(name) for name in ("urgency", "sponsor", "area"))
        or filters.sort != "newest",
        "transfers": selectors.transfer_summaries(user, limit=10).items,
    }
    return render(request, "cases/case_list.html", context)


def _is_overdue(case: Case, now: Any) -> bool:
    return case.state in OPEN_CASE_STATES and case.due_at is not None and case.due_at < now


# The case file ---------------------------------------------------------------------------------


def _file_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = request.user
    held = permissions_in(user, case.agency_id)
    can_write = Permission.CASE_WRITE in held
    plan = selectors.case_plan(case)
    follow_ups = selectors.case_follow_ups(case)
    categories = dict(CATEGORY_CHOICES)
    today = timezone.localdate()
    now = timezone.now()
    is_open = case.state in OPEN_CASE_STATES
    rule = closure_rule_status(case) if case.state == CaseState.FOLLOW_UP else None
    return {
        "case": case,
        "child": case.child,
        "names": child_names(case.child, identity_visible(user)),
        "age": case.child.age_on(today),
        "timeline": selectors.case_timeline(case),
        "plan": plan,
        "plan_awaits_approval": plan is not None and plan.status == PlanStatus.AWAITING_APPROVAL,
        "items": selectors.case_plan_items(case),
        "follow_ups": [
            {"follow_up": item, "category_label": categories.get(item.observation.category, "")}
            for item in follow_ups
        ],
        "trend": [
            {"category": category, "label": categories.get(category, "")}
            for category in selectors.follow_up_trend(follow_ups)
        ],
        "assessment": selectors.latest_assessment(case),
        "consents": selectors.case_consents(case),
        "pending_closure": selectors.pending_closure(case),
        "attachments": selectors.case_attachments(case),
        "transfers": selectors.case_transfers_out(user, case.number),
        "closure_rule": rule,
        "is_open": is_open,
        "is_overdue": _is_overdue(case, now),
        "can_write": can_write,
        "can_approve": is_full_supervisor(user, case.agency_id),
        "can_transfer": is_open
        and (
            Permission.CASE_APPROVE in held or principal_for(user).has(Permission.REFERRAL_MANAGE)
        ),
        "can_reassign": is_open and Permission.CASE_APPROVE in held,
        "can_sponsor": principal_for(user).has(Permission.COMPANY_MANAGE),
        "post_closure": case.state == CaseState.CLOSED
        and case.post_closure_monitoring_until is not None
        and case.post_closure_monitoring_until >= today,
        "note_form": NoteForm(),
        "attachment_form": AttachmentForm(),
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    notes.case_view_record(actor=request.user, case=case, via="case_file")
    return render(request, "cases/case_detail.html", _file_context(request, case))


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1  # a damaged form: the version check reports "someone else changed it"


def _started_on(request: HttpRequest) -> date | None:
    value = request.POST.get("started_on", "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            "case.started_on", _("Give the start date as a date."), field="started_on"
        ) from None


# Buttons: one POST each, carrying the version the person saw.
ACTIONS: dict[str, Callable[[Any, Case, int], object]] = {
    "start_protection": lambda r, c, v: lifecycle.case_start_protection(
        actor=r.user, case=c, expected_version=v, note=r.POST.get("note", "")
    ),
    "start_assessment": lambda r, c, v: lifecycle.case_start_assessment(
        actor=r.user, case=c, expected_version=v, note=r.POST.get("note", "")
    ),
    "agree_plan": lambda r, c, v: lifecycle.case_agree_plan(
        actor=r.user, case=c, expected_version=v, note=r.POST.get("note", "")
    ),
    "approve_plan": lambda r, c, v: lifecycle.plan_approve(
        actor=r.user, case=c, expected_version=v, note=r.POST.get("note", "")
    ),
    "start_remediation": lambda r, c, v: lifecycle.case_start_remediation(
        actor=r.user, case=c, expected_version=v, started_on=_started_on(r)
    ),
    "approve_closure": lambda r, c, v: closure.case_approve_closure(
        actor=r.user, case=c, expected_version=v, note=r.POST.get("note", "")
    ),
    "reject_closure": lambda r, c, v: closure.case_reject_closure(
        actor=r.user, case=c, expected_version=v, note=r.POST.get("note", "")
    ),
    "reopen": lambda r, c, v: closure.case_reopen_after_relapse(
        actor=r.user, case=c, expected_version=v, note=r.POST.get("note", "")
    ),
}


@login_required
@require_POST
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    run = ACTIONS.get(action)
    if run is None:
        raise Http404("No such action")
    try:
        run(request, case, _version(request))
    except DomainError as error:
        return back_to_case(request, case, error)
    messages.success(request, _("Saved."))
    return back_to_case(request, case)


@login_required
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return back_to_case(
            request, case, DomainError("case.note_required", _("Write the note first."))
        )
    try:
        notes.case_note_add(actor=request.user, case=case, note=form.cleaned_data["note"])
    except DomainError as error:
        return back_to_case(request, case, error)
    messages.success(request, _("Note added."))
    return back_to_case(request, case)


@login_required
@require_POST
def case_attachment_add(request: HttpRequest, case_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = " ".join(str(error) for error in form.errors.get("file", [])) or _(
            "Choose a file."
        )
        return back_to_case(request, case, DomainError("attachment.invalid", errors))
    upload = form.cleaned_data["file"]
    try:
        notes.case_attachment_add(
            actor=request.user,
            case=case,
            file_name=upload.name or "",
            data=upload.read(),
            description=form.cleaned_data["description"],
        )
    except DomainError as error:
        return back_to_case(request, case, error)
    messages.success(request, _("File attached."))
    return back_to_case(request, case)


@login_required
@require_GET
def case_attachment(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    attachment = selectors.get_attachment(case, attachment_id)
    if attachment is None:
        raise Http404("No such attachment")
    data = notes.case_attachment_read(actor=request.user, attachment=attachment)
    response = HttpResponse(data, content_type=attachment.content_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    response["Content-Disposition"] = (
        f'attachment; filename="{case.number}-{attachment.pk}.'
        f'{extension.get(attachment.content_type, "bin")}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Forms, one page each (phone-first: one thing at a time) ---------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_assessment(request: HttpRequest, case_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plans.assessment_record(actor=request.user, case=case, **form.cleaned_data)
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Assessment recorded."))
            return back_to_case(request, case)
    return form_page(
        request,
        case,
        title=_("Best-interest assessment"),
        intro=_(
            "Record what the child needs, why they worked, what puts them at risk, and what "
            "they say themselves, in their own words."
        ),
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_plan_item_new(request: HttpRequest, case_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    initial = {"starts_on": timezone.localdate(), "responsible_party": case.agency.name}
    form = PlanItemForm(request.POST or None, initial=initial)
    if case.state != CaseState.ASSESSMENT:  # only emergency support outside assessment
        form.fields["kind"].initial = PlanItemKind.EMERGENCY_SUPPORT
    if request.method == "POST" and form.is_valid():
        try:
            plans.plan_item_add(actor=request.user, case=case, **form.cleaned_data)
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Plan item added."))
            return back_to_case(request, case)
    return form_page(request, case, title=_("Add to the remediation plan"), form=form)


@login_required
@require_http_methods(["GET", "POST"])
def case_plan_item(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    item = selectors.get_plan_item(case, item_id)
    if item is None:
        raise Http404("No such plan item")
    form = PlanItemStatusForm(
        request.POST or None,
        initial={"status": item.status, "evidence_note": item.evidence_note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plans.plan_item_set_status(actor=request.user, item=item, **form.cleaned_data)
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Plan item updated."))
            return back_to_case(request, case)
    return form_page(
        request,
        case,
        title=item.get_kind_display(),
        intro=_("Responsible: %(party)s · %(amount)s %(currency)s · %(start)s → %(end)s")
        % {
            "party": item.responsible_party,
            "amount": item.budget_amount,
            "currency": item.currency,
            "start": item.starts_on.isoformat(),
            "end": item.ends_on.isoformat(),
        },
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_consent(request: HttpRequest, case_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plans.case_consent_record(
                actor=request.user,
                case=case,
                kind=data["kind"],
                given=data["given"] == "yes",
                obtained_on=data["obtained_on"],
                notes=data["notes"],
            )
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return back_to_case(request, case)
    return form_page(
        request,
        case,
        title=_("Consent and assent to case management"),
        intro=_(
            "A plan is agreed only with the caregiver's consent and the child's own assent, "
            "both given."
        ),
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_follow_up(request: HttpRequest, case_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    tasks = {task.code: task for task in monitoring_selectors.active_tasks()}
    form = FollowUpForm(request.POST or None)
    activities = FollowUpActivityFormSet(
        request.POST or None, prefix="activities", form_kwargs={"tasks": tasks}
    )
    if request.method == "POST" and form.is_valid() and activities.is_valid():
        data = form.cleaned_data
        done = [
            ActivityInput(
                task_code=activity.cleaned_data["task"],
                hours_per_week=activity.cleaned_data["hours_per_week"],
                hazards=tuple(activity.cleaned_data.get("hazards") or ()),
                night=bool(activity.cleaned_data.get("night")),
            )
            for _position, activity in activities.live_forms()
        ]
        try:
            follow_up = case_record_follow_up(
                actor=request.user,
                case=case,
                expected_version=_version(request),
                visited_on=data["visited_on"],
                school_status=data["school_status"],
                activities=done,
                household_chores_hours=data["household_chores_hours"] or 0,
                worst_forms=data["worst_forms"],
                immediate_danger=data["immediate_danger"],
                in_training=data["in_training"],
                notes=data["notes"],
            )
        except DomainError as error:
            apply_error(form, error)
        else:
            label = dict(CATEGORY_CHOICES).get(follow_up.observation.category, "")
            messages.success(request, _("Follow-up recorded: %(category)s.") % {"category": label})
            return back_to_case(request, case)
    return form_page(
        request,
        case,
        title=_("Follow-up visit"),
        intro=_(
            "The same questions as a monitoring visit. If the child is found working, the case "
            "returns to assessment."
        ),
        form=form,
        extra={"activities": activities, "with_version": True},
        template="cases/case_follow_up.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closure.case_close(
                actor=request.user,
                case=case,
                expected_version=_version(request),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Closure recorded."))
            return back_to_case(request, case)
    rule = closure_rule_status(case) if case.state == CaseState.FOLLOW_UP else None
    return form_page(
        request,
        case,
        title=_("Close the case"),
        form=form,
        extra={"closure_rule": rule, "with_version": True},
    )


def _transfer_staff(agencies: list[Any]) -> list[tuple[Any, str]]:
    return [
        (person, agency.name) for agency in agencies for person in selectors.agency_staff(agency.pk)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def case_transfer(request: HttpRequest, case_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    suggestions = agency_suggestions(area=case.child.community)
    agencies = [option.agency for option in suggestions.eligible if option.agency != case.agency]
    form = TransferForm(request.POST or None, agencies=agencies, staff=_transfer_staff(agencies))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = selectors.get_agency(data["to_agency"])
        person = selectors.get_user(data["to_case_manager"])
        try:
            if agency is None or person is None:
                raise DomainError("case.transfer", _("Choose the agency and the case manager."))
            transfers.case_transfer(
                actor=request.user,
                case=case,
                expected_version=_version(request),
                to_agency=agency,
                to_case_manager=person,
                reason=data["reason"],
                summary=data["summary"],
            )
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(
                request,
                _("Case %(number)s transferred to %(agency)s.")
                % {"number": case.number, "agency": agency.name},
            )
            if get_case_visible(request.user, case.pk):
                return back_to_case(request, case)
            return redirect("cases:case_list")
    return form_page(
        request,
        case,
        title=_("Transfer to another agency"),
        intro=_(
            "Once transferred, your agency keeps only the summary you write here. "
            "Agencies that cannot take the child are not listed."
        ),
        form=form,
        extra={"excluded": suggestions.excluded, "with_version": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_reassign(request: HttpRequest, case_id: int) -> HttpResponse:
    require_any(request, *CASE_READERS)
    case = get_case_for_user(request.user, case_id)
    staff = [
        person
        for person in selectors.agency_staff(case.agency_id)
        if person.pk != case.case_manager_id
    ]
    form = ReassignForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        person = selectors.get_user(form.cleaned_data["case_manager"])
        try:
            if person is None:
                raise DomainError("case.case_manager", _("Choose the case manager."))
            transfers.case_reassign(
                actor=request.user,
                case=case,
                expected_version=_version(request),
                case_manager=person,
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Case manager changed."))
            return back_to_case(request, case)
    return form_page(
        request,
        case,
        title=_("Change the case manager"),
        intro=_("Only people of the agency with a valid background check can take the case."),
        form=form,
        extra={"with_version": True},
    )


def get_case_visible(user: Any, case_id: int) -> bool:
    try:
        get_case_for_user(user, case_id)
    except Http404:
        return False
    return True
