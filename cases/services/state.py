"""The mechanics every case write shares: locking, the version check, events, the timeline.

Optimistic locking: every transition names the `version` the person saw. The row is updated
only where it still has that version, and the version goes up by one in the same statement,
so two people working on the same case cannot silently overwrite each other.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from cases.choices import CaseEventKind, CaseState, ClosureStatus, PlanStatus
from cases.models import Case, CaseClosure, CaseEvent, RemediationPlan
from cases.policy import due_at, step_due_at
from cases.services.permissions import require_in_agency
from core.errors import DomainError
from monitoring.models import Observation


def stale() -> DomainError:
    return DomainError("case.stale", _("Someone else changed this case; reload it."))


def lock_case(case: Case | int) -> Case:
    """The case, re-read and locked for the rest of the transaction."""
    case_id = case if isinstance(case, int) else case.pk
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("child__household__area", "child__area", "agency", "case_manager")
        .get(pk=case_id)
    )


def check_version(case: Case, expected_version: int) -> None:
    if case.version != expected_version:
        raise stale()


def begin(
    actor: Any,
    case: Case | int,
    expected_version: int | None,
    permission: Permission = Permission.CASE_WRITE,
) -> Case:
    """Lock the case, check the actor's right in its agency, then the version they saw.

    The right comes first so that a stranger learns nothing, not even that the case changed.
    `expected_version=None` is for writes that do not change the case row itself.
    """
    locked = lock_case(case)
    require_in_agency(actor, locked.agency_id, permission)
    if expected_version is not None:
        check_version(locked, expected_version)
    return locked


def require_state(case: Case, *states: str) -> None:
    if case.state not in states:
        raise DomainError(
            "case.wrong_stage",
            _("This case is at the stage “%(stage)s”; this step is not possible now.")
            % {"stage": CaseState(case.state).label},
        )


def save_case(case: Case, *, expected_version: int, **fields: Any) -> Case:
    """Write `fields` only if the case still has `expected_version`; bump the version."""
    fields["updated_at"] = timezone.now()
    if "step_due_at" in fields or "next_follow_up_due_on" in fields:
        fields["due_at"] = due_at(
            fields.get("step_due_at", case.step_due_at),
            fields.get("next_follow_up_due_on", case.next_follow_up_due_on),
        )
    updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
        version=F("version") + 1, **fields
    )
    if updated != 1:
        raise stale()
    for name, value in fields.items():
        setattr(case, name, value)
    case.version = expected_version + 1
    return case


def add_event(
    case: Case,
    *,
    kind: str,
    actor: Any,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    detail: str = "",
    observation: Observation | None = None,
) -> CaseEvent:
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=user,
        from_state=from_state,
        to_state=to_state,
        note=note.strip(),
        detail=detail,
        observation=observation,
    )


def plan_awaits_approval(case: Case) -> bool:
    return RemediationPlan.objects.filter(case=case, status=PlanStatus.AWAITING_APPROVAL).exists()


def move(
    *,
    actor: Any,
    case: Case,
    expected_version: int,
    to_state: str,
    note: str = "",
    kind: str = CaseEventKind.TRANSITION,
    action: Action = Action.CASE_TRANSITION,
    detail: str = "",
    observation: Observation | None = None,
    audit_changes: dict[str, Any] | None = None,
    **fields: Any,
) -> Case:
    """Move `case` to `to_state` (or stay, for a follow-up), with its event and audit row.

    The step deadline is recomputed here, in one place, from cases.policy.
    """
    now = timezone.now()
    from_state = case.state
    if to_state != from_state:
        fields["state_changed_at"] = now
    fields.setdefault(
        "step_due_at",
        step_due_at(
            to_state,
            since=fields.get("state_changed_at", case.state_changed_at),
            opened_at=case.opened_at,
            urgency=case.urgency,
            awaiting_approval=plan_awaits_approval(case),
        ),
    )
    save_case(case, expected_version=expected_version, state=to_state, **fields)
    add_event(
        case,
        kind=kind,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        note=note,
        detail=detail,
        observation=observation,
    )
    if to_state != from_state or action != Action.CASE_TRANSITION:
        record_event(
            actor=actor,
            action=action,
            subject=case,
            changes={
                "state": {"old": from_state, "new": to_state},
                "version": case.version,
                **(audit_changes or {}),
            },
        )
    return case


def relapse_resets(case: Case) -> None:
    """What a relapse undoes: the plan must be agreed again, a waiting closure is void."""
    RemediationPlan.objects.filter(case=case).update(status=PlanStatus.DRAFT)
    CaseClosure.objects.filter(case=case, status=ClosureStatus.PENDING).update(
        status=ClosureStatus.CANCELLED
    )
