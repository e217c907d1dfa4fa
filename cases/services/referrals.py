"""The referral desk: refer an identified child to an agency; the agency accepts or declines.

A referral waits for the agency's answer until a deadline set by the identification's urgency
(24 hours, 72 hours or 7 days). Acceptance opens the case; a decline (or a withdrawal by the
desk, for an agency that does not answer) returns the child to the desk, whose identification
is open again so that another agency can be chosen.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType, User
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from cases.choices import (
    OPEN_CASE_STATES,
    CaseEventKind,
    CaseState,
    ReferralSource,
    ReferralStatus,
)
from cases.models import Case, Referral, RemediationPlan
from cases.policy import step_due_at
from cases.services.agencies import require_agency_can_take_case
from cases.services.numbers import next_case_number
from cases.services.permissions import (
    require_assignable,
    require_in_agency,
    require_referral_desk,
)
from cases.services.state import add_event
from core.errors import DomainError
from monitoring.choices import IdentificationStatus, Urgency
from monitoring.models import Child, Identification
from monitoring.services.identifications import URGENCY_WINDOWS


def _require_no_open_case(child: Child) -> None:
    case = Case.objects.filter(child=child, state__in=OPEN_CASE_STATES).first()
    if case is not None:
        raise DomainError(
            "referral.case_open",
            _("This child already has an open case, %(number)s.") % {"number": case.number},
        )


def _lock_pending(referral: Referral) -> Referral:
    fresh = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("agency", "area", "child", "identification")
        .get(pk=referral.pk)
    )
    if fresh.status != ReferralStatus.PENDING:
        raise DomainError(
            "referral.answered",
            _("This referral was already answered (%(status)s).")
            % {"status": ReferralStatus(fresh.status).label},
        )
    return fresh


def _required_text(value: str, code: str, message: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise DomainError(code, message, field=field)
    return value


@transaction.atomic
def referral_create(
    *, actor: Any, identification: Identification, agency: Organisation, note: str = ""
) -> Referral:
    """Refer an identified child to `agency`; the identification becomes "referred"."""
    require_referral_desk(actor)
    identification = (
        Identification.objects.select_for_update(of=("self",))
        .select_related("child", "area")
        .get(pk=identification.pk)
    )
    if identification.status != IdentificationStatus.OPEN:
        raise DomainError(
            "referral.identification_not_open",
            _("This identification is not waiting for a referral (%(status)s).")
            % {"status": IdentificationStatus(identification.status).label},
        )
    child = identification.child
    if child.merged_into_id is not None:
        raise DomainError("referral.child_merged", _("This child record was merged into another."))
    _require_no_open_case(child)
    waiting = Referral.objects.filter(child=child, status=ReferralStatus.PENDING).first()
    if waiting is not None:
        raise DomainError(
            "referral.already_waiting",
            _("This child is already waiting for an answer from %(agency)s.")
            % {"agency": waiting.agency.name},
        )
    require_agency_can_take_case(agency, area=identification.area)
    now = timezone.now()
    referral = Referral.objects.create(
        child=child,
        source=ReferralSource.IDENTIFICATION,
        identification=identification,
        agency=agency,
        area=identification.area,
        urgency=identification.urgency,
        note=note.strip(),
        referred_by=actor,
        referred_at=now,
        deadline_at=now + URGENCY_WINDOWS[Urgency(identification.urgency)],
    )
    identification.status = IdentificationStatus.REFERRED
    identification.save(update_fields=["status"])
    record_event(
        actor=actor,
        action=Action.REFERRAL_CREATE,
        subject=referral,
        changes={
            "child": child.pk,
            "identification": identification.pk,
            "agency": agency.pk,
            "urgency": referral.urgency,
            "deadline_at": referral.deadline_at.isoformat(),
        },
    )
    return referral


@transaction.atomic
def referral_accept(
    *,
    actor: Any,
    referral: Referral,
    case_manager: User,
    sponsor: Organisation | None = None,
) -> Case:
    """The agency accepts and names the case manager: the case opens at "identified"."""
    referral = _lock_pending(referral)
    require_in_agency(actor, referral.agency_id, Permission.CASE_WRITE)
    _require_no_open_case(referral.child)
    require_agency_can_take_case(referral.agency, area=referral.area)
    require_assignable(case_manager, referral.agency_id)
    if sponsor is not None and (sponsor.type != OrganisationType.COMPANY or not sponsor.is_active):
        raise DomainError(
            "case.sponsor", _("A sponsor must be an active member company."), field="sponsor"
        )
    now = timezone.now()
    protection_due = step_due_at(
        CaseState.IDENTIFIED,
        since=now,
        opened_at=now,
        urgency=referral.urgency,
        awaiting_approval=False,
    )
    case = Case.objects.create(
        number=next_case_number(timezone.localdate().year),
        child=referral.child,
        agency=referral.agency,
        case_manager=case_manager,
        referral=referral,
        sponsor=sponsor,
        state=CaseState.IDENTIFIED,
        urgency=referral.urgency,
        opened_at=now,
        opened_by=actor,
        state_changed_at=now,
        step_due_at=protection_due,
        due_at=protection_due,
    )
    RemediationPlan.objects.create(case=case)
    referral.status = ReferralStatus.ACCEPTED
    referral.responded_by = actor
    referral.responded_at = now
    referral.save(update_fields=["status", "responded_by", "responded_at"])
    # A visit may have found the child again while the referral waited: the case covers it.
    absorbed = list(
        Identification.objects.filter(
            child=referral.child, status=IdentificationStatus.OPEN
        ).values_list("pk", flat=True)
    )
    Identification.objects.filter(pk__in=absorbed).update(status=IdentificationStatus.REFERRED)
    add_event(case, kind=CaseEventKind.OPENED, actor=actor, to_state=CaseState.IDENTIFIED)
    record_event(
        actor=actor,
        action=Action.REFERRAL_ACCEPT,
        subject=referral,
        changes={
            "case": case.pk,
            "case_manager": case_manager.pk,
            "late": now > referral.deadline_at,
        },
    )
    record_event(
        actor=actor,
        action=Action.CASE_OPEN,
        subject=case,
        changes={
            "number": case.number,
            "child": case.child_id,
            "agency": case.agency_id,
            "case_manager": case_manager.pk,
            "sponsor": sponsor.pk if sponsor else None,
            "referral": referral.pk,
            "identifications_absorbed": absorbed,
        },
    )
    return case


def _return_to_desk(referral: Referral) -> None:
    """Open the identification again for the desk, unless a newer one is already open."""
    identification = referral.identification
    if identification is None or identification.status != IdentificationStatus.REFERRED:
        return
    newer_open = (
        Identification.objects.filter(child=referral.child, status=IdentificationStatus.OPEN)
        .exclude(pk=identification.pk)
        .exists()
    )
    # The one-open-identification rule holds: a newer finding already waits at the desk.
    identification.status = IdentificationStatus.CLOSED if newer_open else IdentificationStatus.OPEN
    identification.save(update_fields=["status"])


@transaction.atomic
def referral_decline(*, actor: Any, referral: Referral, reason: str) -> Referral:
    """The agency says no, and why; the child goes back to the desk to be referred elsewhere."""
    referral = _lock_pending(referral)
    require_in_agency(actor, referral.agency_id, Permission.CASE_WRITE)
    reason = _required_text(
        reason, "referral.reason_required", _("Say why the referral is declined."), "reason"
    )
    referral.status = ReferralStatus.DECLINED
    referral.responded_by = actor
    referral.responded_at = timezone.now()
    referral.decline_reason = reason
    referral.save(update_fields=["status", "responded_by", "responded_at", "decline_reason"])
    _return_to_desk(referral)
    record_event(
        actor=actor,
        action=Action.REFERRAL_DECLINE,
        subject=referral,
        changes={"agency": referral.agency_id, "child": referral.child_id},
        reason=reason,
    )
    return referral


@transaction.atomic
def referral_withdraw(*, actor: Any, referral: Referral, reason: str) -> Referral:
    """The desk takes back a referral (an agency that does not answer in time)."""
    require_referral_desk(actor)
    referral = _lock_pending(referral)
    reason = _required_text(
        reason, "referral.reason_required", _("Say why the referral is withdrawn."), "reason"
    )
    referral.status = ReferralStatus.WITHDRAWN
    referral.responded_by = actor
    referral.responded_at = timezone.now()
    referral.decline_reason = reason
    referral.save(update_fields=["status", "responded_by", "responded_at", "decline_reason"])
    _return_to_desk(referral)
    record_event(
        actor=actor,
        action=Action.REFERRAL_WITHDRAW,
        subject=referral,
        changes={"agency": referral.agency_id, "child": referral.child_id},
        reason=reason,
    )
    return referral


MANUAL_SOURCES = (
    ReferralSource.MANUAL,
    ReferralSource.GRIEVANCE,
    ReferralSource.SUPPLIER_AUDIT,
)


@transaction.atomic
def referral_create_for_child(
    *,
    actor: Any,
    child: Child,
    agency: Organisation,
    source: str,
    urgency: str,
    note: str,
) -> Referral:
    """Refer a child already recorded, without a monitoring identification: a manual entry,
    or a grievance or supplier audit finding (until those modules link their own records).

    The note says what was found; the deadline follows the urgency chosen, as for the desk.
    """
    require_referral_desk(actor)
    if source not in MANUAL_SOURCES:
        raise DomainError(
            "referral.source", _("Choose where this referral comes from."), field="source"
        )
    if urgency not in Urgency.values:
        raise DomainError("referral.urgency", _("Choose the urgency."), field="urgency")
    note = _required_text(
        note,
        "referral.note_required",
        _("Say what was found and why the child needs a case manager."),
        "note",
    )
    child = (
        Child.objects.select_for_update(of=("self",))
        .select_related("household__area", "area")
        .get(pk=child.pk)
    )
    if child.merged_into_id is not None:
        raise DomainError("referral.child_merged", _("This child record was merged into another."))
    _require_no_open_case(child)
    if Referral.objects.filter(child=child, status=ReferralStatus.PENDING).exists():
        raise DomainError(
            "referral.already_waiting",
            _("This child is already waiting for an agency's answer."),
        )
    if Identification.objects.filter(child=child, status=IdentificationStatus.OPEN).exists():
        raise DomainError(
            "referral.identification_open",
            _("This child is waiting at the referral desk: refer them from the desk."),
        )
    area = child.community
    require_agency_can_take_case(agency, area=area)
    now = timezone.now()
    referral = Referral.objects.create(
        child=child,
        source=source,
        identification=None,
        agency=agency,
        area=area,
        urgency=urgency,
        note=note,
        referred_by=actor,
        referred_at=now,
        deadline_at=now + URGENCY_WINDOWS[Urgency(urgency)],
    )
    record_event(
        actor=actor,
        action=Action.REFERRAL_CREATE,
        subject=referral,
        changes={
            "child": child.pk,
            "source": source,
            "agency": agency.pk,
            "urgency": urgency,
            "deadline_at": referral.deadline_at.isoformat(),
        },
    )
    return referral
