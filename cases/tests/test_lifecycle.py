"""The forward steps of a case, their preconditions, the timeline and optimistic locking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import CaseEventKind, CaseState, PlanItemKind, PlanItemStatus, PlanStatus
from cases.models import Case
from cases.services import lifecycle
from cases.services.plans import plan_item_set_status
from cases.tests.factories import (
    add_item,
    advance,
    open_case,
    record_assessment,
    record_consents,
)
from core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, agencies):
    return open_case(world)


def _transitions(case):
    return [
        (event.from_state, event.to_state)
        for event in case.events.filter(kind=CaseEventKind.TRANSITION)
    ]


def test_protection_needs_a_note_and_writes_the_timeline_and_audit(world, case):
    with pytest.raises(DomainError) as refused:
        lifecycle.case_start_protection(
            actor=world.case_manager, case=case, expected_version=case.version, note=" "
        )
    assert refused.value.code == "case.protection_note"
    moved = lifecycle.case_start_protection(
        actor=world.case_manager,
        case=case,
        expected_version=1,
        note="Taken home from the pools by the case manager.",
    )
    assert moved.state == CaseState.IMMEDIATE_PROTECTION
    assert moved.version == 2
    assert Case.objects.get(pk=case.pk).version == 2
    event = moved.events.get(kind=CaseEventKind.TRANSITION)
    assert (event.from_state, event.to_state, event.actor) == (
        CaseState.IDENTIFIED,
        CaseState.IMMEDIATE_PROTECTION,
        world.case_manager,
    )
    assert event.note == "Taken home from the pools by the case manager."
    audit = AuditEvent.objects.get(action=Action.CASE_TRANSITION, subject_id=str(case.pk))
    assert audit.changes["state"] == {"old": "identified", "new": "immediate_protection"}
    # The protection deadline runs from the opening and does not restart.
    assert moved.step_due_at == moved.opened_at + timedelta(hours=72)


def test_a_stale_version_is_refused_and_changes_nothing(world, case):
    lifecycle.case_start_protection(
        actor=world.case_manager, case=case, expected_version=1, note="Removed."
    )
    with pytest.raises(DomainError) as refused:
        lifecycle.case_start_assessment(actor=world.supervisor, case=case, expected_version=1)
    assert refused.value.code == "case.stale"
    assert refused.value.message == "Someone else changed this case; reload it."
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == (CaseState.IMMEDIATE_PROTECTION, 2)


def test_the_version_check_is_in_the_update_itself(world, case):
    """Even past the first check, a row changed meanwhile is not overwritten."""
    from cases.services.state import save_case

    Case.objects.filter(pk=case.pk).update(version=5)
    with pytest.raises(DomainError) as refused:
        save_case(case, expected_version=1, state=CaseState.CLOSED)
    assert refused.value.code == "case.stale"
    assert Case.objects.get(pk=case.pk).state == CaseState.IDENTIFIED


def test_a_teammate_may_act_but_another_agency_may_not(world, case):
    with pytest.raises(DomainError) as refused:
        lifecycle.case_start_protection(
            actor=world.other_agency_case_manager, case=case, expected_version=1, note="x"
        )
    assert refused.value.code == "case.not_allowed"
    for outsider in (world.hub_admin, world.facilitator, world.company_member, world.auditor):
        with pytest.raises(DomainError):
            lifecycle.case_start_protection(actor=outsider, case=case, expected_version=1, note="x")
    moved = lifecycle.case_start_protection(
        actor=world.supervisor, case=case, expected_version=1, note="Removed."
    )
    assert moved.state == CaseState.IMMEDIATE_PROTECTION


def test_an_outsider_learns_nothing_from_a_stale_version(world, case):
    with pytest.raises(DomainError) as refused:
        lifecycle.case_start_protection(
            actor=world.other_agency_case_manager, case=case, expected_version=99, note="x"
        )
    assert refused.value.code == "case.not_allowed"


def test_steps_cannot_be_skipped(world, case):
    with pytest.raises(DomainError) as refused:
        lifecycle.case_start_assessment(actor=world.case_manager, case=case, expected_version=1)
    assert refused.value.code == "case.wrong_stage"
    with pytest.raises(DomainError):
        lifecycle.case_agree_plan(actor=world.case_manager, case=case, expected_version=1)
    with pytest.raises(DomainError):
        lifecycle.case_start_remediation(actor=world.case_manager, case=case, expected_version=1)


def test_assessment_starts_after_protection_with_a_14_day_deadline(world, case):
    case = advance(case, CaseState.IMMEDIATE_PROTECTION, world.case_manager)
    case = lifecycle.case_start_assessment(
        actor=world.case_manager, case=case, expected_version=case.version
    )
    assert case.state == CaseState.ASSESSMENT
    assert case.step_due_at == case.state_changed_at + timedelta(days=14)


@pytest.fixture
def assessing(world, case):
    return advance(case, CaseState.ASSESSMENT, world.case_manager)


def _agree(world, case):
    return lifecycle.case_agree_plan(
        actor=world.case_manager, case=case, expected_version=case.version
    )


def test_no_plan_without_an_assessment(world, assessing):
    add_item(world.case_manager, assessing)
    record_consents(world.case_manager, assessing)
    with pytest.raises(DomainError) as refused:
        _agree(world, assessing)
    assert refused.value.code == "case.assessment_missing"


def test_no_plan_without_a_support(world, assessing):
    record_assessment(world.case_manager, assessing)
    record_consents(world.case_manager, assessing)
    with pytest.raises(DomainError) as refused:
        _agree(world, assessing)
    assert refused.value.code == "case.plan_empty"
    item = add_item(world.case_manager, assessing)
    plan_item_set_status(actor=world.case_manager, item=item, status=PlanItemStatus.CANCELLED)
    with pytest.raises(DomainError) as refused:
        _agree(world, assessing)
    assert refused.value.code == "case.plan_empty"


def test_no_plan_without_caregiver_consent(world, assessing):
    record_assessment(world.case_manager, assessing)
    add_item(world.case_manager, assessing)
    record_consents(world.case_manager, assessing, caregiver=False)
    with pytest.raises(DomainError) as refused:
        _agree(world, assessing)
    assert refused.value.code == "case.consent_missing"
    assert "caregiver's consent" in refused.value.message


def test_no_plan_without_the_childs_assent(world, assessing):
    record_assessment(world.case_manager, assessing)
    add_item(world.case_manager, assessing)
    record_consents(world.case_manager, assessing, child=False)
    with pytest.raises(DomainError) as refused:
        _agree(world, assessing)
    assert refused.value.code == "case.assent_missing"


def test_a_refused_consent_after_a_given_one_blocks_the_plan(world, assessing):
    from cases.services.plans import case_consent_record
    from monitoring.choices import ConsentKind

    record_assessment(world.case_manager, assessing)
    add_item(world.case_manager, assessing)
    record_consents(world.case_manager, assessing)
    case_consent_record(
        actor=world.case_manager,
        case=assessing,
        kind=ConsentKind.CAREGIVER_CONSENT,
        given=False,
        obtained_on=timezone.localdate(),
    )
    with pytest.raises(DomainError) as refused:
        _agree(world, assessing)
    assert refused.value.code == "case.consent_missing"


def test_a_full_case_managers_plan_is_agreed_and_remediation_starts(world, assessing):
    case = advance(assessing, CaseState.PLAN_AGREED, world.case_manager)
    assert case.plan.status == PlanStatus.AGREED
    assert case.plan.revision == 1
    assert case.plan.agreed_by == world.case_manager
    assert AuditEvent.objects.filter(action=Action.PLAN_AGREE).exists()
    assert case.step_due_at == case.state_changed_at + timedelta(days=30)
    case = lifecycle.case_start_remediation(
        actor=world.case_manager, case=case, expected_version=case.version
    )
    assert case.state == CaseState.IN_REMEDIATION
    assert case.remediation_started_on == timezone.localdate()
    assert case.next_follow_up_due_on is not None
    assert case.step_due_at is None
    assert _transitions(case) == [
        ("identified", "immediate_protection"),
        ("immediate_protection", "assessment"),
        ("assessment", "plan_agreed"),
        ("plan_agreed", "in_remediation"),
    ]


def test_remediation_cannot_start_before_the_plan_or_in_the_future(world, assessing):
    case = advance(assessing, CaseState.PLAN_AGREED, world.case_manager)
    for day in (timezone.localdate() - timedelta(days=1), timezone.localdate() + timedelta(days=1)):
        with pytest.raises(DomainError) as refused:
            lifecycle.case_start_remediation(
                actor=world.case_manager, case=case, expected_version=case.version, started_on=day
            )
        assert refused.value.code == "case.remediation_date"


def test_supports_can_only_be_added_to_a_draft_plan_except_emergencies(world, assessing):
    case = advance(assessing, CaseState.IN_REMEDIATION, world.case_manager)
    with pytest.raises(DomainError) as refused:
        add_item(world.case_manager, case, kind=PlanItemKind.SCHOOL_KIT)
    assert refused.value.code == "plan_item.plan_agreed"
    emergency = add_item(world.case_manager, case, kind=PlanItemKind.EMERGENCY_SUPPORT)
    assert emergency.status == PlanItemStatus.PLANNED
