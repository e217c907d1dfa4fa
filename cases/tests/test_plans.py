"""Consent, best-interest assessment and plan items: what a case manager records."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import (
    CaseEventKind,
    CaseState,
    Currency,
    NeedLevel,
    PlanItemKind,
    PlanItemStatus,
)
from cases.models import Assessment
from cases.services import plans
from cases.tests.factories import add_item, advance, open_case, record_assessment
from core.errors import DomainError
from monitoring.choices import ConsentKind, ConsentPurpose, Relationship
from monitoring.models import Caregiver, Consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessing(world, agencies):
    return advance(open_case(world), CaseState.ASSESSMENT, world.case_manager)


def _assess(world, case, **overrides):
    values: dict[str, Any] = {
        "education_need": NeedLevel.HIGH,
        "health_need": NeedLevel.NONE,
        "family_income_need": NeedLevel.HIGH,
        "safety_need": NeedLevel.MEDIUM,
        "psychosocial_need": NeedLevel.LOW,
        "root_causes": ["poverty"],
        "risks": "Pressure from an uncle who buys ore.",
        "child_views": "Je veux retourner à l'école.",
    }
    values.update(overrides)
    return plans.assessment_record(actor=world.case_manager, case=case, **values)


def test_an_assessment_keeps_the_childs_words_encrypted_and_out_of_the_audit(world, assessing):
    assessment = _assess(world, assessing)
    assert Assessment.objects.get().child_views == "Je veux retourner à l'école."
    with connection.cursor() as cursor:
        cursor.execute("SELECT child_views, risks FROM cases_assessment")
        stored = cursor.fetchone()
    assert "école" not in stored[0]
    assert "uncle" not in stored[1]
    audit = AuditEvent.objects.get(action=Action.ASSESSMENT_RECORD)
    assert "école" not in str(audit.changes)
    assert audit.changes["needs"]["education"] == "high"
    assert assessing.events.filter(kind=CaseEventKind.ASSESSMENT).count() == 1
    assert assessment.recorded_by == world.case_manager


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"child_views": "  "}, "assessment.child_views"),
        ({"risks": ""}, "assessment.risks"),
        ({"root_causes": []}, "assessment.root_causes"),
        ({"root_causes": ["laziness"]}, "assessment.root_cause_unknown"),
        ({"health_need": "extreme"}, "assessment.need"),
    ],
)
def test_an_incomplete_assessment_is_refused(world, assessing, overrides, code):
    with pytest.raises(DomainError) as refused:
        _assess(world, assessing, **overrides)
    assert refused.value.code == code
    assert not Assessment.objects.exists()


def test_assessment_is_recorded_only_during_the_assessment_stage(world, agencies):
    case = open_case(world)
    with pytest.raises(DomainError) as refused:
        record_assessment(world.case_manager, case)
    assert refused.value.code == "case.wrong_stage"


def test_another_agency_cannot_assess(world, assessing):
    with pytest.raises(DomainError) as refused:
        record_assessment(world.other_agency_case_manager, assessing)
    assert refused.value.code == "case.not_allowed"


def test_consent_to_case_management_is_recorded_on_the_child(world, assessing):
    consent = plans.case_consent_record(
        actor=world.case_manager,
        case=assessing,
        kind=ConsentKind.CHILD_ASSENT,
        given=True,
        obtained_on=timezone.localdate(),
    )
    assert consent.purpose == ConsentPurpose.CASE_MANAGEMENT
    assert consent.child == assessing.child
    assert consent.obtained_by == world.case_manager
    event = assessing.events.get(kind=CaseEventKind.CONSENT)
    assert event.detail_label() == "Child assent"


def test_consent_refuses_bad_input(world, assessing):
    stranger_household = Caregiver.objects.create(
        household=open_case(world, first_name="Joseph").child.household,
        name="Mama Joseph",
        relationship=Relationship.MOTHER,
    )
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "hope"}, "consent.kind"),
        ({"obtained_on": timezone.localdate() + timedelta(days=1)}, "consent.future"),
        ({"caregiver": stranger_household}, "consent.caregiver"),
    ]
    for overrides, code in cases:
        values: dict[str, Any] = {
            "kind": ConsentKind.CAREGIVER_CONSENT,
            "given": True,
            "obtained_on": timezone.localdate(),
        }
        values.update(overrides)
        with pytest.raises(DomainError) as refused:
            plans.case_consent_record(actor=world.case_manager, case=assessing, **values)
        assert refused.value.code == code
    assert not Consent.objects.filter(purpose=ConsentPurpose.CASE_MANAGEMENT).exists()


def test_a_decent_work_placement_is_refused_under_16(world, assessing):
    with pytest.raises(DomainError) as refused:
        add_item(world.case_manager, assessing, kind=PlanItemKind.DECENT_WORK_PLACEMENT)
    assert refused.value.code == "plan_item.under_working_age"
    assert refused.value.message == (
        "A decent-work placement is only for a young person aged 16 or more."
    )


def test_a_decent_work_placement_may_start_on_the_16th_birthday(world, agencies):
    case = advance(
        open_case(world, birth_date=date(2011, 1, 15)), CaseState.ASSESSMENT, world.case_manager
    )
    item = add_item(
        world.case_manager,
        case,
        kind=PlanItemKind.DECENT_WORK_PLACEMENT,
        starts_on=date(2027, 1, 15),
        ends_on=date(2027, 12, 31),
    )
    assert item.kind == PlanItemKind.DECENT_WORK_PLACEMENT
    with pytest.raises(DomainError):
        add_item(
            world.case_manager,
            case,
            kind=PlanItemKind.DECENT_WORK_PLACEMENT,
            starts_on=date(2027, 1, 14),
        )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "pony"}, "plan_item.kind"),
        ({"responsible_party": " "}, "plan_item.responsible"),
        ({"currency": "EUR"}, "plan_item.currency"),
        ({"budget_amount": "-5"}, "plan_item.budget"),
        ({"budget_amount": "lots"}, "plan_item.budget"),
        ({"budget_amount": "NaN"}, "plan_item.budget"),
        ({"ends_on": timezone.localdate() - timedelta(days=1)}, "plan_item.period"),
    ],
)
def test_a_bad_plan_item_is_refused(world, assessing, overrides, code):
    with pytest.raises(DomainError) as refused:
        add_item(world.case_manager, assessing, **overrides)
    assert refused.value.code == code


def test_a_plan_item_keeps_its_budget_exactly(world, assessing):
    item = add_item(world.case_manager, assessing, budget_amount="45000.5", currency=Currency.CDF)
    item.refresh_from_db()
    assert item.budget_amount == Decimal("45000.50")
    assert item.currency == Currency.CDF
    assert AuditEvent.objects.get(action=Action.PLAN_ITEM_ADD).changes["budget"] == ("45000.50 CDF")


def test_supports_are_delivered_once_remediation_starts_and_need_evidence(world, assessing):
    item = add_item(world.case_manager, assessing)
    with pytest.raises(DomainError) as refused:
        plans.plan_item_set_status(
            actor=world.case_manager, item=item, status=PlanItemStatus.IN_PROGRESS
        )
    assert refused.value.code == "plan_item.not_started"
    from cases.tests.factories import record_consents

    record_assessment(world.case_manager, assessing)
    record_consents(world.case_manager, assessing)
    from cases.services.lifecycle import case_agree_plan

    case = case_agree_plan(
        actor=world.case_manager, case=assessing, expected_version=assessing.version
    )
    case = advance(case, CaseState.IN_REMEDIATION, world.case_manager)
    plans.plan_item_set_status(
        actor=world.case_manager, item=item, status=PlanItemStatus.IN_PROGRESS
    )
    with pytest.raises(DomainError) as refused:
        plans.plan_item_set_status(
            actor=world.case_manager, item=item, status=PlanItemStatus.DONE, evidence_note=" "
        )
    assert refused.value.code == "plan_item.evidence"
    done = plans.plan_item_set_status(
        actor=world.case_manager,
        item=item,
        status=PlanItemStatus.DONE,
        evidence_note="Enrolment receipt from EP Kasulo, fees paid.",
    )
    assert done.completed_on == timezone.localdate()
    with pytest.raises(DomainError) as refused:
        plans.plan_item_set_status(
            actor=world.case_manager, item=item, status=PlanItemStatus.CANCELLED
        )
    assert refused.value.code == "plan_item.status"
    assert case.events.filter(detail=f"{item.kind}:done").exists()


def test_emergency_support_can_be_given_before_the_plan(world, agencies):
    case = advance(open_case(world), CaseState.IMMEDIATE_PROTECTION, world.case_manager)
    item = add_item(world.case_manager, case, kind=PlanItemKind.EMERGENCY_SUPPORT)
    done = plans.plan_item_set_status(
        actor=world.case_manager,
        item=item,
        status=PlanItemStatus.DONE,
        evidence_note="Food parcel delivered, receipt signed.",
    )
    assert done.status == PlanItemStatus.DONE


def test_a_planned_support_can_be_cancelled_and_that_is_final(world, assessing):
    item = add_item(world.case_manager, assessing)
    plans.plan_item_set_status(actor=world.case_manager, item=item, status=PlanItemStatus.CANCELLED)
    with pytest.raises(DomainError) as refused:
        plans.plan_item_set_status(
            actor=world.case_manager, item=item, status=PlanItemStatus.PLANNED
        )
    assert refused.value.code == "plan_item.status"
    with pytest.raises(DomainError):
        plans.plan_item_set_status(
            actor=world.other_agency_case_manager, item=item, status=PlanItemStatus.CANCELLED
        )
