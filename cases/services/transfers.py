"""Who holds a case: transfer to another agency, a new case manager, the sponsor.

After a transfer the old agency keeps only a CaseTransfer summary of what it did; the case
itself (and the child) disappear from its view, because access follows `Case.agency`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.models import Organisation, OrganisationType, User
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from cases.choices import OPEN_CASE_STATES, CaseEventKind, ClosureStatus, PlanItemStatus
from cases.models import Case, CaseClosure, CaseTransfer, PlanItem
from cases.services.agencies import require_agency_can_take_case
from cases.services.permissions import permissions_in, require_assignable
from cases.services.state import (
    add_event,
    begin,
    check_version,
    lock_case,
    require_state,
    save_case,
)
from core.errors import DomainError


def _required(value: str, code: str, message: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise DomainError(code, message, field=field)
    return value


@transaction.atomic
def case_transfer(
    *,
    actor: Any,
    case: Case,
    expected_version: int,
    to_agency: Organisation,
    to_case_manager: User,
    reason: str,
    summary: str,
) -> CaseTransfer:
    """Move an open case to another agency (the referral desk, or a supervisor of the agency
    holding it). `summary` says what the agency did: it is what that agency keeps."""
    case = lock_case(case)
    if not (
        principal_for(actor).has(Permission.REFERRAL_MANAGE)
        or Permission.CASE_APPROVE in permissions_in(actor, case.agency_id)
    ):
        raise DomainError(
            "case.not_allowed",
            _("Only the referral desk or a supervisor of this agency can transfer the case."),
        )
    check_version(case, expected_version)
    require_state(case, *OPEN_CASE_STATES)
    if to_agency.pk == case.agency_id:
        raise DomainError(
            "case.same_agency", _("The case is already with this agency."), field="to_agency"
        )
    reason = _required(reason, "case.transfer_reason", _("Say why the case moves."), "reason")
    summary = _required(
        summary, "case.transfer_summary", _("Summarise what your agency did."), "summary"
    )
    # The child may have moved: the new agency must serve where the child lives now.
    require_agency_can_take_case(to_agency, area=case.child.community)
    require_assignable(to_case_manager, to_agency.pk)
    previous = case.transfers.filter(to_agency_id=case.agency_id).order_by("-id").first()
    held_since = previous.transferred_at if previous is not None else case.opened_at
    transfer = CaseTransfer.objects.create(
        case=case,
        case_number=case.number,
        from_agency_id=case.agency_id,
        to_agency=to_agency,
        from_case_manager_id=case.case_manager_id,
        to_case_manager=to_case_manager,
        state_at_transfer=case.state,
        held_since=held_since,
        transferred_by=actor,
        reason=reason,
        summary=summary,
        follow_ups_recorded=case.follow_ups.filter(recorded_at__gte=held_since).count(),
        plan_items_done=PlanItem.objects.filter(
            Q(completed_on__gte=held_since.date()),
            plan__case=case,
            status=PlanItemStatus.DONE,
        ).count(),
    )
    # A closure asked of the old agency's supervisor is the new agency's decision now.
    CaseClosure.objects.filter(case=case, status=ClosureStatus.PENDING).update(
        status=ClosureStatus.CANCELLED
    )
    save_case(
        case, expected_version=expected_version, agency=to_agency, case_manager=to_case_manager
    )
    add_event(
        case,
        kind=CaseEventKind.TRANSFERRED,
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        note=reason,
    )
    record_event(
        actor=actor,
        action=Action.CASE_TRANSFER,
        subject=case,
        changes={
            "agency": {"old": transfer.from_agency_id, "new": to_agency.pk},
            "case_manager": {"old": transfer.from_case_manager_id, "new": to_case_manager.pk},
            "transfer": transfer.pk,
            "version": case.version,
        },
    )
    return transfer


@transaction.atomic
def case_reassign(
    *, actor: Any, case: Case, expected_version: int, case_manager: User, note: str = ""
) -> Case:
    """A supervisor gives the case to another case manager of the same agency."""
    case = begin(actor, case, expected_version, Permission.CASE_APPROVE)
    require_state(case, *OPEN_CASE_STATES)
    if case_manager.pk == case.case_manager_id:
        raise DomainError(
            "case.same_manager",
            _("This person already manages the case."),
            field="case_manager",
        )
    require_assignable(case_manager, case.agency_id)
    old = case.case_manager_id
    save_case(case, expected_version=expected_version, case_manager=case_manager)
    add_event(
        case,
        kind=CaseEventKind.REASSIGNED,
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        note=note,
    )
    record_event(
        actor=actor,
        action=Action.CASE_REASSIGN,
        subject=case,
        changes={"case_manager": {"old": old, "new": case_manager.pk}, "version": case.version},
    )
    return case


@transaction.atomic
def case_set_sponsor(
    *, actor: Any, case: Case, expected_version: int, sponsor: Organisation | None
) -> Case:
    """The Hub links a case to the member company funding it (companies see aggregates only)."""
    case = lock_case(case)
    if not principal_for(actor).has(Permission.REFERRAL_MANAGE):
        raise DomainError("case.not_allowed", _("Only the Hub can set a case's sponsor."))
    check_version(case, expected_version)
    if sponsor is not None and (sponsor.type != OrganisationType.COMPANY or not sponsor.is_active):
        raise DomainError(
            "case.sponsor", _("A sponsor must be an active member company."), field="sponsor"
        )
    old = case.sponsor_id
    save_case(case, expected_version=expected_version, sponsor=sponsor)
    record_event(
        actor=actor,
        action=Action.CASE_SPONSOR_SET,
        subject=case,
        changes={"sponsor": {"old": old, "new": sponsor.pk if sponsor else None}},
    )
    return case
