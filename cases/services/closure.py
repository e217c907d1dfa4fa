"""Closing a case, approving a junior's closure, and reopening a closed case after a relapse.

A case closes as a success only when the closure rule is met (closure_rule.py); otherwise it
closes for a stated reason (moved, contact lost, refused, deceased, state services) with an
explanation. A child under 18 stays under post-closure monitoring until their 18th birthday,
except after death or a hand-over to state services.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from cases.choices import (
    OPEN_CASE_STATES,
    SUCCESS_CLOSURES,
    CaseEventKind,
    CaseState,
    ClosureReason,
    ClosureStatus,
)
from cases.models import Case, CaseClosure
from cases.policy import ADULT_AGE, APPROVAL_WINDOW, eighteenth_birthday, step_due_at
from cases.services.closure_rule import closure_rule_status
from cases.services.permissions import needs_supervisor_approval, require_full_supervisor
from cases.services.state import (
    add_event,
    begin,
    move,
    relapse_resets,
    require_state,
    save_case,
)
from core.errors import DomainError
from monitoring.choices import IdentificationStatus
from monitoring.models import Identification, Observation

# No one to watch over after these closures.
_NOT_MONITORED = frozenset({ClosureReason.DECEASED.value, ClosureReason.STATE_SERVICES.value})


def _require_closable(case: Case, reason: str, note: str) -> None:
    require_state(case, *OPEN_CASE_STATES)
    if reason not in ClosureReason.values:
        raise DomainError("case.closure_reason", _("Choose why the case closes."), field="reason")
    if reason in SUCCESS_CLOSURES:
        if case.state != CaseState.FOLLOW_UP:
            raise DomainError(
                "case.closure_stage",
                _("A case closes as a success only from the follow-up stage."),
                field="reason",
            )
        status = closure_rule_status(case)
        refusal = (
            status.completed_refusal
            if reason == ClosureReason.COMPLETED
            else status.decent_work_refusal
        )
        if refusal is not None:
            raise DomainError("case.closure_rule", refusal, field="reason")
    elif not note.strip():
        raise DomainError("case.closure_note", _("Explain why the case closes."), field="note")


def _pending(case: Case) -> CaseClosure | None:
    return (
        CaseClosure.objects.select_for_update()
        .filter(case=case, status=ClosureStatus.PENDING)
        .first()
    )


def _close(*, actor: Any, case: Case, expected_version: int, closure: CaseClosure) -> Case:
    now = timezone.now()
    closure.status = ClosureStatus.APPROVED
    closure.decided_by = actor
    closure.decided_at = now
    closure.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    today = timezone.localdate()
    monitored = closure.reason not in _NOT_MONITORED and case.child.age_on(today) < ADULT_AGE
    until = eighteenth_birthday(case.child.birth_date) if monitored else None
    if case.referral.identification_id is not None:
        Identification.objects.filter(
            pk=case.referral.identification_id, status=IdentificationStatus.REFERRED
        ).update(status=IdentificationStatus.CLOSED)
    return move(
        actor=actor,
        case=case,
        expected_version=expected_version,
        to_state=CaseState.CLOSED,
        note=closure.note,
        detail=closure.reason,
        action=Action.CASE_CLOSE,
        audit_changes={
            "reason": closure.reason,
            "closure": closure.pk,
            "monitored_until": until.isoformat() if until else None,
        },
        closed_at=now,
        closure_reason=closure.reason,
        post_closure_monitoring_until=until,
        next_follow_up_due_on=None,
        step_due_at=None,
    )


@transaction.atomic
def case_close(
    *, actor: Any, case: Case, expected_version: int, reason: str, note: str = ""
) -> CaseClosure:
    """Close the case, or, for junior work, ask a full supervisor to approve the closure.

    Returns the closure: `status` is "approved" when the case closed, "pending" otherwise.
    """
    case = begin(actor, case, expected_version)
    if _pending(case) is not None:
        raise DomainError(
            "case.closure_pending", _("A closure is already waiting for a supervisor's approval.")
        )
    _require_closable(case, reason, note)
    closure = CaseClosure.objects.create(
        case=case,
        reason=reason,
        note=note.strip(),
        status=ClosureStatus.PENDING,
        requested_by=actor,
    )
    if not needs_supervisor_approval(actor, case.case_manager, case.agency_id):
        _close(actor=actor, case=case, expected_version=expected_version, closure=closure)
        closure.case = case
        return closure
    save_case(case, expected_version=expected_version, step_due_at=timezone.now() + APPROVAL_WINDOW)
    add_event(
        case,
        kind=CaseEventKind.CLOSURE_REQUESTED,
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        note=closure.note,
        detail=reason,
    )
    record_event(
        actor=actor,
        action=Action.CASE_CLOSURE_REQUEST,
        subject=case,
        changes={"reason": reason, "closure": closure.pk, "version": case.version},
    )
    closure.case = case
    return closure


@transaction.atomic
def case_approve_closure(
    *, actor: Any, case: Case, expected_version: int, note: str = ""
) -> CaseClosure:
    """A full supervisor of the agency approves a junior's closure; the rule is checked again."""
    case = begin(actor, case, expected_version, Permission.CASE_APPROVE)
    require_full_supervisor(actor, case.agency_id)
    closure = _pending(case)
    if closure is None:
        raise DomainError("case.no_closure_pending", _("No closure is waiting for approval."))
    _require_closable(case, closure.reason, closure.note)
    closure.decision_note = note.strip()
    _close(actor=actor, case=case, expected_version=expected_version, closure=closure)
    closure.case = case
    return closure


@transaction.atomic
def case_reject_closure(*, actor: Any, case: Case, expected_version: int, note: str) -> CaseClosure:
    """A full supervisor sends a closure back, saying why; the case stays where it was."""
    case = begin(actor, case, expected_version, Permission.CASE_APPROVE)
    require_full_supervisor(actor, case.agency_id)
    closure = _pending(case)
    if closure is None:
        raise DomainError("case.no_closure_pending", _("No closure is waiting for approval."))
    if not note.strip():
        raise DomainError(
            "case.rejection_note", _("Say why the closure is not approved."), field="note"
        )
    closure.status = ClosureStatus.REJECTED
    closure.decided_by = actor
    closure.decided_at = timezone.now()
    closure.decision_note = note.strip()
    closure.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    save_case(
        case,
        expected_version=expected_version,
        step_due_at=step_due_at(
            case.state,
            since=case.state_changed_at,
            opened_at=case.opened_at,
            urgency=case.urgency,
            awaiting_approval=False,
        ),
    )
    add_event(
        case,
        kind=CaseEventKind.CLOSURE_REJECTED,
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        note=note,
        detail=closure.reason,
    )
    record_event(
        actor=actor,
        action=Action.CASE_CLOSURE_REJECT,
        subject=case,
        changes={"closure": closure.pk, "version": case.version},
    )
    closure.case = case
    return closure


def is_under_post_closure_monitoring(case: Case) -> bool:
    return (
        case.state == CaseState.CLOSED
        and case.post_closure_monitoring_until is not None
        and case.post_closure_monitoring_until >= timezone.localdate()
    )


def reopen_after_relapse(
    *,
    actor: Any,
    case: Case,
    expected_version: int,
    note: str,
    detail: str = "",
    observation: Observation | None = None,
) -> Case:
    """Back to assessment, with the same agency and case manager. Capacity is not checked:
    a child who relapses is not turned away because the agency is full."""
    require_state(case, CaseState.CLOSED)
    if not is_under_post_closure_monitoring(case):
        raise DomainError(
            "case.not_monitored",
            _("This case is no longer under post-closure monitoring; refer the child again."),
        )
    other = Case.objects.filter(child=case.child, state__in=OPEN_CASE_STATES).first()
    if other is not None:
        raise DomainError(
            "case.other_open",
            _("This child already has an open case, %(number)s.") % {"number": other.number},
        )
    relapse_resets(case)
    return move(
        actor=actor,
        case=case,
        expected_version=expected_version,
        to_state=CaseState.ASSESSMENT,
        note=note,
        kind=CaseEventKind.REOPENED,
        action=Action.CASE_REOPEN,
        detail=detail,
        observation=observation,
        audit_changes={"observation": observation.pk if observation else None},
        closed_at=None,
        closure_reason="",
        post_closure_monitoring_until=None,
        remediation_started_on=None,
        next_follow_up_due_on=None,
    )


@transaction.atomic
def case_reopen_after_relapse(
    *,
    actor: Any,
    case: Case,
    expected_version: int,
    note: str,
    observation: Observation | None = None,
) -> Case:
    """The case manager reopens a closed case under post-closure monitoring (a relapse)."""
    case = begin(actor, case, expected_version)
    if not note.strip():
        raise DomainError("case.reopen_note", _("Say what was found."), field="note")
    if observation is not None and observation.child_id != case.child_id:
        raise DomainError(
            "case.observation_child", _("This observation is of another child."), field="note"
        )
    return reopen_after_relapse(
        actor=actor,
        case=case,
        expected_version=expected_version,
        note=note,
        observation=observation,
    )
