"""Junior work: plans and closures wait for a full supervisor of the same agency."""

from __future__ import annotations

import pytest

from accounts.models import Organisation
from accounts.roles import Role
from accounts.tests.factories import RoleAssignmentFactory, UserFactory
from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import (
    AccreditationLevel,
    CaseEventKind,
    CaseState,
    ClosureReason,
    ClosureStatus,
    PlanStatus,
)
from cases.models import Case
from cases.selectors import approvals_waiting
from cases.services import closure, lifecycle
from cases.services.agencies import caseworker_level_set
from cases.tests.factories import advance, clean_follow_up, clear, open_case
from core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def junior_case(world, agencies):
    caseworker_level_set(
        actor=world.hub_admin, user=world.case_manager, level=AccreditationLevel.JUNIOR
    )
    return advance(open_case(world), CaseState.ASSESSMENT, world.case_manager)


@pytest.fixture
def other_supervisor(world, agencies):
    user = RoleAssignmentFactory(
        user=UserFactory(username="other-supervisor"),
        role=Role.CASE_SUPERVISOR,
        organisation=agencies.two,
    ).user
    clear(world, user)
    return user


def test_a_junior_plan_waits_for_approval_before_remediation(world, junior_case):
    case = advance(junior_case, CaseState.PLAN_AGREED, world.case_manager)
    assert case.plan.status == PlanStatus.AWAITING_APPROVAL
    with pytest.raises(DomainError) as refused:
        lifecycle.case_start_remediation(
            actor=world.case_manager, case=case, expected_version=case.version
        )
    assert refused.value.code == "case.plan_not_approved"

    approved = lifecycle.plan_approve(
        actor=world.supervisor, case=case, expected_version=case.version, note="Good plan."
    )
    approved.plan.refresh_from_db()
    assert approved.plan.status == PlanStatus.AGREED
    assert approved.plan.approved_by == world.supervisor
    assert approved.state == CaseState.PLAN_AGREED
    assert approved.events.filter(kind=CaseEventKind.PLAN_APPROVED).count() == 1
    assert AuditEvent.objects.filter(action=Action.PLAN_APPROVE).count() == 1
    started = lifecycle.case_start_remediation(
        actor=world.case_manager, case=approved, expected_version=approved.version
    )
    assert started.state == CaseState.IN_REMEDIATION


def test_the_junior_cannot_approve_their_own_plan(world, junior_case):
    case = advance(junior_case, CaseState.PLAN_AGREED, world.case_manager)
    with pytest.raises(DomainError) as refused:
        lifecycle.plan_approve(actor=world.case_manager, case=case, expected_version=case.version)
    assert refused.value.code == "case.not_allowed"


def test_a_junior_supervisor_cannot_approve(world, junior_case):
    case = advance(junior_case, CaseState.PLAN_AGREED, world.case_manager)
    caseworker_level_set(
        actor=world.hub_admin, user=world.supervisor, level=AccreditationLevel.JUNIOR
    )
    with pytest.raises(DomainError) as refused:
        lifecycle.plan_approve(actor=world.supervisor, case=case, expected_version=case.version)
    assert refused.value.code == "case.approver_level"
    assert refused.value.message == "Only a supervisor with full accreditation can approve this."


def test_a_supervisor_of_another_agency_cannot_approve(world, junior_case, other_supervisor):
    case = advance(junior_case, CaseState.PLAN_AGREED, world.case_manager)
    with pytest.raises(DomainError) as refused:
        lifecycle.plan_approve(actor=other_supervisor, case=case, expected_version=case.version)
    assert refused.value.code == "case.not_allowed"


def test_a_supervisor_without_a_recorded_level_counts_as_junior(world, junior_case):
    world.supervisor.caseworker_profile.delete()
    case = advance(junior_case, CaseState.PLAN_AGREED, world.case_manager)
    with pytest.raises(DomainError) as refused:
        lifecycle.plan_approve(actor=world.supervisor, case=case, expected_version=case.version)
    assert refused.value.code == "case.approver_level"


def test_a_full_plan_needs_no_approval(world, agencies):
    case = advance(open_case(world), CaseState.PLAN_AGREED, world.case_manager)
    with pytest.raises(DomainError) as refused:
        lifecycle.plan_approve(actor=world.supervisor, case=case, expected_version=case.version)
    assert refused.value.code == "plan.not_awaiting"


def test_a_full_supervisor_agreeing_a_junior_plan_approves_it(world, junior_case):
    from cases.tests.factories import add_item, record_assessment, record_consents

    record_assessment(world.case_manager, junior_case)
    add_item(world.case_manager, junior_case)
    record_consents(world.case_manager, junior_case)
    case = lifecycle.case_agree_plan(
        actor=world.supervisor, case=junior_case, expected_version=junior_case.version
    )
    case.plan.refresh_from_db()
    assert case.plan.status == PlanStatus.AGREED
    assert case.plan.approved_by == world.supervisor


@pytest.fixture
def junior_follow_up(world, junior_case):
    case = advance(junior_case, CaseState.PLAN_AGREED, world.case_manager)
    case = lifecycle.plan_approve(actor=world.supervisor, case=case, expected_version=case.version)
    case = advance(case, CaseState.FOLLOW_UP, world.case_manager)
    return clean_follow_up(world.case_manager, case).case


def test_a_junior_closure_waits_for_approval(world, junior_follow_up):
    case = junior_follow_up
    asked = closure.case_close(
        actor=world.case_manager,
        case=case,
        expected_version=case.version,
        reason=ClosureReason.COMPLETED,
    )
    assert asked.status == ClosureStatus.PENDING
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.state == CaseState.FOLLOW_UP
    assert fresh.step_due_at is not None
    assert fresh.events.filter(kind=CaseEventKind.CLOSURE_REQUESTED).exists()
    with pytest.raises(DomainError) as refused:
        closure.case_close(
            actor=world.case_manager,
            case=fresh,
            expected_version=fresh.version,
            reason=ClosureReason.COMPLETED,
        )
    assert refused.value.code == "case.closure_pending"
    with pytest.raises(DomainError) as refused:
        closure.case_approve_closure(
            actor=world.case_manager, case=fresh, expected_version=fresh.version
        )
    assert refused.value.code == "case.not_allowed"

    approved = closure.case_approve_closure(
        actor=world.supervisor, case=fresh, expected_version=fresh.version
    )
    assert approved.status == ClosureStatus.APPROVED
    assert approved.decided_by == world.supervisor
    assert Case.objects.get(pk=case.pk).state == CaseState.CLOSED
    assert AuditEvent.objects.filter(action=Action.CASE_CLOSE).count() == 1


def test_a_supervisor_can_send_a_closure_back(world, junior_follow_up):
    case = junior_follow_up
    closure.case_close(
        actor=world.case_manager,
        case=case,
        expected_version=case.version,
        reason=ClosureReason.MOVED,
        note="The family moved to Kolwezi.",
    )
    fresh = Case.objects.get(pk=case.pk)
    with pytest.raises(DomainError) as refused:
        closure.case_reject_closure(
            actor=world.supervisor, case=fresh, expected_version=fresh.version, note=""
        )
    assert refused.value.code == "case.rejection_note"
    rejected = closure.case_reject_closure(
        actor=world.supervisor,
        case=fresh,
        expected_version=fresh.version,
        note="Transfer to an agency in Kolwezi instead.",
    )
    assert rejected.status == ClosureStatus.REJECTED
    after = Case.objects.get(pk=case.pk)
    assert after.state == CaseState.FOLLOW_UP
    assert after.step_due_at is None
    with pytest.raises(DomainError) as refused:
        closure.case_approve_closure(
            actor=world.supervisor, case=after, expected_version=after.version
        )
    assert refused.value.code == "case.no_closure_pending"


def test_a_relapse_cancels_a_waiting_closure(world, junior_follow_up):
    from cases.tests.factories import working_follow_up

    case = junior_follow_up
    asked = closure.case_close(
        actor=world.case_manager,
        case=case,
        expected_version=case.version,
        reason=ClosureReason.COMPLETED,
    )
    fresh = Case.objects.get(pk=case.pk)
    working_follow_up(world.case_manager, fresh)
    asked.refresh_from_db()
    assert asked.status == ClosureStatus.CANCELLED


def test_agencies_fixture_names_the_world_agencies(agencies):
    assert agencies.one == Organisation.objects.get(name="Agency One")


def test_a_plan_left_waiting_on_a_closed_case_leaves_the_approvals_list(world, junior_case):
    case = advance(junior_case, CaseState.PLAN_AGREED, world.case_manager)
    assert list(approvals_waiting(world.supervisor)) == [case]
    closure.case_close(
        actor=world.supervisor,
        case=case,
        expected_version=case.version,
        reason=ClosureReason.MOVED,
        note="The family moved to Lubumbashi.",
    )
    assert Case.objects.get(pk=case.pk).state == CaseState.CLOSED
    assert list(approvals_waiting(world.supervisor)) == []
