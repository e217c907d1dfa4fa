"""What a case manager records while working a case: consent, assessment, plan items.

These writes do not move the case between stages, so they take no `expected_version`; each
locks the case row, so they cannot interleave with a transition that depends on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import Action
from audit.services import record_event
from cases.choices import (
    OPEN_CASE_STATES,
    CaseEventKind,
    CaseState,
    Currency,
    NeedLevel,
    PlanItemKind,
    PlanItemStatus,
    PlanStatus,
    RootCause,
)
from cases.models import Assessment, Case, PlanItem, RemediationPlan
from cases.policy import WORKING_AGE
from cases.services.state import add_event, begin, require_state
from core.errors import DomainError
from monitoring.choices import ConsentKind, ConsentPurpose
from monitoring.models import Caregiver, Consent

MAX_BUDGET = Decimal("9999999999.99")


@transaction.atomic
def case_consent_record(
    *,
    actor: Any,
    case: Case,
    kind: str,
    given: bool,
    obtained_on: date,
    caregiver: Caregiver | None = None,
    notes: str = "",
) -> Consent:
    """Record caregiver consent or child assent to case management (given or refused).

    Written like monitoring's consent service, which only facilitators may call: here the
    right comes from the case.
    """
    case = begin(actor, case, None)
    require_state(case, *OPEN_CASE_STATES)
    if kind not in ConsentKind.values:
        raise DomainError("consent.kind", _("Unknown kind of consent."), field="consent_kind")
    if obtained_on > timezone.localdate():
        raise DomainError(
            "consent.future", _("Consent cannot be dated in the future."), field="obtained_on"
        )
    if caregiver is not None and caregiver.household_id != case.child.household_id:
        raise DomainError(
            "consent.caregiver", _("The caregiver is not of this household."), field="caregiver"
        )
    consent = Consent.objects.create(
        child=case.child,
        kind=kind,
        purpose=ConsentPurpose.CASE_MANAGEMENT,
        given=given,
        caregiver=caregiver,
        obtained_by=actor,
        obtained_on=obtained_on,
        notes=notes.strip(),
    )
    add_event(case, kind=CaseEventKind.CONSENT, actor=actor, detail=kind)
    record_event(
        actor=actor,
        action=Action.CONSENT_RECORD,
        subject=case.child,
        changes={
            "kind": kind,
            "purpose": ConsentPurpose.CASE_MANAGEMENT.value,
            "given": given,
            "case": case.pk,
        },
    )
    return consent


def _need(value: str, field: str) -> str:
    if value not in NeedLevel.values:
        raise DomainError("assessment.need", _("Choose a level for each need."), field=field)
    return value


@transaction.atomic
def assessment_record(
    *,
    actor: Any,
    case: Case,
    education_need: str,
    health_need: str,
    family_income_need: str,
    safety_need: str,
    psychosocial_need: str,
    root_causes: Iterable[str],
    risks: str,
    child_views: str,
    root_causes_note: str = "",
) -> Assessment:
    """Record a best-interest assessment, with the child's own views in their words."""
    case = begin(actor, case, None)
    require_state(case, CaseState.ASSESSMENT)
    causes = list(dict.fromkeys(root_causes))
    if not causes:
        raise DomainError(
            "assessment.root_causes", _("Choose at least one root cause."), field="root_causes"
        )
    if unknown := sorted(set(causes) - set(RootCause.values)):
        raise DomainError(
            "assessment.root_cause_unknown",
            _("Unknown root cause: %(v)s.") % {"v": ", ".join(unknown)},
            field="root_causes",
        )
    if not child_views.strip():
        raise DomainError(
            "assessment.child_views",
            _("Write down the child's own views, in their words."),
            field="child_views",
        )
    if not risks.strip():
        raise DomainError("assessment.risks", _("Describe the risks to the child."), field="risks")
    assessment = Assessment.objects.create(
        case=case,
        education_need=_need(education_need, "education_need"),
        health_need=_need(health_need, "health_need"),
        family_income_need=_need(family_income_need, "family_income_need"),
        safety_need=_need(safety_need, "safety_need"),
        psychosocial_need=_need(psychosocial_need, "psychosocial_need"),
        root_causes=causes,
        root_causes_note=root_causes_note.strip(),
        risks=risks.strip(),
        child_views=child_views.strip(),
        recorded_by=actor,
    )
    add_event(case, kind=CaseEventKind.ASSESSMENT, actor=actor)
    record_event(
        actor=actor,
        action=Action.ASSESSMENT_RECORD,
        subject=assessment,
        # Needs and causes, never the free text: it speaks of the child in their words.
        changes={
            "case": case.pk,
            "needs": {
                "education": education_need,
                "health": health_need,
                "family_income": family_income_need,
                "safety": safety_need,
                "psychosocial": psychosocial_need,
            },
            "root_causes": causes,
        },
    )
    return assessment


def _budget(value: Decimal | int | str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(
            "plan_item.budget", _("The budget must be an amount."), field="budget_amount"
        ) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_BUDGET:
        raise DomainError(
            "plan_item.budget", _("The budget must be zero or more."), field="budget_amount"
        )
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def plan_item_add(
    *,
    actor: Any,
    case: Case,
    kind: str,
    responsible_party: str,
    budget_amount: Decimal | int | str,
    currency: str,
    starts_on: date,
    ends_on: date,
    description: str = "",
) -> PlanItem:
    """Add a support to the plan while it is drafted (during assessment). Emergency support
    can be added at any stage of an open case: an emergency does not wait for a new plan."""
    case = begin(actor, case, None)
    require_state(case, *OPEN_CASE_STATES)
    plan = RemediationPlan.objects.select_for_update().get(case=case)
    if kind not in PlanItemKind.values:
        raise DomainError("plan_item.kind", _("Choose a support from the list."), field="kind")
    if kind != PlanItemKind.EMERGENCY_SUPPORT and (
        case.state != CaseState.ASSESSMENT or plan.status != PlanStatus.DRAFT
    ):
        raise DomainError(
            "plan_item.plan_agreed",
            _("Supports are added while the plan is drafted, during the assessment."),
            field="kind",
        )
    responsible_party = responsible_party.strip()
    if not responsible_party:
        raise DomainError(
            "plan_item.responsible",
            _("Say who is responsible for this support."),
            field="responsible_party",
        )
    if currency not in Currency.values:
        raise DomainError("plan_item.currency", _("Choose USD or CDF."), field="currency")
    if ends_on < starts_on:
        raise DomainError(
            "plan_item.period", _("The end must come after the start."), field="ends_on"
        )
    if kind == PlanItemKind.DECENT_WORK_PLACEMENT and case.child.age_on(starts_on) < WORKING_AGE:
        raise DomainError(
            "plan_item.under_working_age",
            _("A decent-work placement is only for a young person aged %(age)s or more.")
            % {"age": WORKING_AGE},
            field="kind",
        )
    item = PlanItem.objects.create(
        plan=plan,
        kind=kind,
        description=description.strip(),
        responsible_party=responsible_party,
        budget_amount=_budget(budget_amount),
        currency=currency,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    add_event(case, kind=CaseEventKind.PLAN_ITEM, actor=actor, detail=f"{kind}:planned")
    record_event(
        actor=actor,
        action=Action.PLAN_ITEM_ADD,
        subject=item,
        changes={
            "case": case.pk,
            "kind": kind,
            "budget": f"{item.budget_amount} {currency}",
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return item


# Which status may follow which; done and cancelled are final.
_NEXT_STATUSES = {
    PlanItemStatus.PLANNED: {PlanItemStatus.IN_PROGRESS, PlanItemStatus.DONE},
    PlanItemStatus.IN_PROGRESS: {PlanItemStatus.DONE},
}
_SUPPORT_UNDER_WAY = (CaseState.IN_REMEDIATION, CaseState.FOLLOW_UP)


@transaction.atomic
def plan_item_set_status(
    *,
    actor: Any,
    item: PlanItem,
    status: str,
    evidence_note: str = "",
    completed_on: date | None = None,
) -> PlanItem:
    """Start, finish (with evidence) or cancel a support.

    Supports start and finish once remediation has started (emergency support at any stage);
    a planned support can be cancelled at any time.
    """
    item = PlanItem.objects.select_related("plan").get(pk=item.pk)
    case = begin(actor, item.plan.case_id, None)
    item = PlanItem.objects.select_for_update().get(pk=item.pk)
    require_state(case, *OPEN_CASE_STATES)
    old = item.status
    allowed = _NEXT_STATUSES.get(PlanItemStatus(old), set()) | (
        {PlanItemStatus.CANCELLED}
        if old in (PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS)
        else set()
    )
    if status not in allowed:
        raise DomainError(
            "plan_item.status",
            _("A support that is “%(old)s” cannot become “%(new)s”.")
            % {
                "old": PlanItemStatus(old).label,
                "new": PlanItemStatus(status).label if status in PlanItemStatus.values else status,
            },
            field="status",
        )
    if (
        status in (PlanItemStatus.IN_PROGRESS, PlanItemStatus.DONE)
        and item.kind != PlanItemKind.EMERGENCY_SUPPORT
        and case.state not in _SUPPORT_UNDER_WAY
    ):
        raise DomainError(
            "plan_item.not_started",
            _("Supports start once remediation has started."),
            field="status",
        )
    today = timezone.localdate()
    if status == PlanItemStatus.DONE:
        if not evidence_note.strip():
            raise DomainError(
                "plan_item.evidence",
                _("Describe the evidence that this support was delivered."),
                field="evidence_note",
            )
        completed_on = completed_on or today
        if completed_on > today:
            raise DomainError(
                "plan_item.completed_future",
                _("A support cannot be finished in the future."),
                field="completed_on",
            )
        item.evidence_note = evidence_note.strip()
        item.completed_on = completed_on
    item.status = status
    item.updated_at = timezone.now()
    item.save()
    add_event(
        case,
        kind=CaseEventKind.PLAN_ITEM,
        actor=actor,
        detail=f"{item.kind}:{status}",
    )
    record_event(
        actor=actor,
        action=Action.PLAN_ITEM_UPDATE,
        subject=item,
        changes={"case": case.pk, "status": {"old": old, "new": status}},
    )
    return item
