"""The forward steps of a case: protection, assessment, plan agreed (and approved), remediation.

identified → immediate_protection → assessment → plan_agreed → in_remediation; follow-ups
and closure are in follow_ups.py and closure.py. Each step is one service with its
preconditions; each takes the `expected_version` the person saw (docs/cases.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from cases.choices import CaseEventKind, CaseState, PlanItemStatus, PlanStatus
from cases.models import Case, RemediationPlan
from cases.policy import REMEDIATION_START_WINDOW, next_follow_up_due
from cases.services.permissions import (
    is_full_supervisor,
    needs_supervisor_approval,
    require_full_supervisor,
)
from cases.services.state import begin, move, require_state
from core.errors import DomainError
from monitoring.choices import ConsentKind, ConsentPurpose
from monitoring.services.children import has_consent


@transaction.atomic
def case_start_protection(*, actor: Any, case: Case, expected_version: int, note: str) -> Case:
    """The child is being removed from the hazard; `note` says how (required)."""
    case = begin(actor, case, expected_version)
    require_state(case, CaseState.IDENTIFIED)
    if not note.strip():
        raise DomainError(
            "case.protection_note",
            _("Say what is being done to remove the child from the hazard."),
            field="note",
        )
    return move(
        actor=actor,
        case=case,
        expected_version=expected_version,
        to_state=CaseState.IMMEDIATE_PROTECTION,
        note=note,
    )


@transaction.atomic
def case_start_assessment(*, actor: Any, case: Case, expected_version: int, note: str = "") -> Case:
    """The child is out of immediate danger; the best-interest assessment starts."""
    case = begin(actor, case, expected_version)
    require_state(case, CaseState.IMMEDIATE_PROTECTION)
    return move(
        actor=actor,
        case=case,
        expected_version=expected_version,
        to_state=CaseState.ASSESSMENT,
        note=note,
    )


def _require_plan_preconditions(case: Case, plan: RemediationPlan) -> None:
    # Assessed since the case (re-)entered assessment: a relapse calls for a new assessment.
    if not case.assessments.filter(recorded_at__gte=case.state_changed_at).exists():
        raise DomainError(
            "case.assessment_missing",
            _("Record the best-interest assessment before agreeing the plan."),
        )
    if not plan.items.exclude(status=PlanItemStatus.CANCELLED).exists():
        raise DomainError("case.plan_empty", _("Add at least one support to the plan."))
    if not has_consent(case.child, ConsentKind.CAREGIVER_CONSENT, ConsentPurpose.CASE_MANAGEMENT):
        raise DomainError(
            "case.consent_missing",
            _("Record the caregiver's consent to case management before agreeing the plan."),
        )
    if not has_consent(case.child, ConsentKind.CHILD_ASSENT, ConsentPurpose.CASE_MANAGEMENT):
        raise DomainError(
            "case.assent_missing",
            _("Record the child's assent to case management before agreeing the plan."),
        )


@transaction.atomic
def case_agree_plan(*, actor: Any, case: Case, expected_version: int, note: str = "") -> Case:
    """The child and family agree the plan. Junior work then waits for a full supervisor's
    approval (`plan_approve`) before remediation can start; a full supervisor agreeing the
    plan approves it at the same time."""
    case = begin(actor, case, expected_version)
    require_state(case, CaseState.ASSESSMENT)
    plan = RemediationPlan.objects.select_for_update().get(case=case)
    _require_plan_preconditions(case, plan)
    junior = needs_supervisor_approval(actor, case.case_manager, case.agency_id)
    plan.status = PlanStatus.AWAITING_APPROVAL if junior else PlanStatus.AGREED
    plan.revision += 1
    plan.agreed_by = actor
    plan.agreed_at = timezone.now()
    # A full supervisor agreeing junior work approves it in the same act.
    approved_now = not junior and is_full_supervisor(actor, case.agency_id)
    plan.approved_by = actor if approved_now else None
    plan.approved_at = plan.agreed_at if approved_now else None
    plan.save()
    record_event(
        actor=actor,
        action=Action.PLAN_AGREE,
        subject=plan,
        changes={"revision": plan.revision, "status": plan.status, "case": case.pk},
    )
    return move(
        actor=actor,
        case=case,
        expected_version=expected_version,
        to_state=CaseState.PLAN_AGREED,
        note=note,
    )


@transaction.atomic
def plan_approve(*, actor: Any, case: Case, expected_version: int, note: str = "") -> Case:
    """A full supervisor of the same agency approves a junior case manager's plan."""
    case = begin(actor, case, expected_version, Permission.CASE_APPROVE)
    require_full_supervisor(actor, case.agency_id)
    require_state(case, CaseState.PLAN_AGREED)
    plan = RemediationPlan.objects.select_for_update().get(case=case)
    if plan.status != PlanStatus.AWAITING_APPROVAL:
        raise DomainError("plan.not_awaiting", _("This plan is not waiting for approval."))
    now = timezone.now()
    plan.status = PlanStatus.AGREED
    plan.approved_by = actor
    plan.approved_at = now
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    return move(
        actor=actor,
        case=case,
        expected_version=expected_version,
        to_state=CaseState.PLAN_AGREED,
        note=note,
        kind=CaseEventKind.PLAN_APPROVED,
        action=Action.PLAN_APPROVE,
        audit_changes={"plan": plan.pk, "revision": plan.revision},
        step_due_at=now + REMEDIATION_START_WINDOW,
    )


@transaction.atomic
def case_start_remediation(
    *, actor: Any, case: Case, expected_version: int, started_on: date | None = None
) -> Case:
    """Support starts; the follow-up schedule runs from `started_on` (default today)."""
    case = begin(actor, case, expected_version)
    require_state(case, CaseState.PLAN_AGREED)
    plan = RemediationPlan.objects.get(case=case)
    if plan.status != PlanStatus.AGREED:
        raise DomainError(
            "case.plan_not_approved",
            _("The plan is waiting for a supervisor's approval; remediation cannot start yet."),
        )
    today = timezone.localdate()
    started_on = started_on or today
    agreed_on = timezone.localdate(plan.agreed_at) if plan.agreed_at else today
    if not agreed_on <= started_on <= today:
        raise DomainError(
            "case.remediation_date",
            _("Remediation starts between the day the plan was agreed and today."),
            field="started_on",
        )
    return move(
        actor=actor,
        case=case,
        expected_version=expected_version,
        to_state=CaseState.IN_REMEDIATION,
        remediation_started_on=started_on,
        next_follow_up_due_on=next_follow_up_due(
            remediation_started_on=started_on, follow_ups_since_start=0, last_visit_on=None
        ),
    )
