"""Closure: the closure rule, decent work from 16, the other reasons, post-closure monitoring."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import (
    CaseEventKind,
    CaseState,
    ClosureReason,
    ClosureStatus,
    PlanItemKind,
    PlanItemStatus,
)
from cases.models import Case
from cases.services import closure
from cases.services.closure_rule import closure_rule_status
from cases.services.plans import plan_item_set_status
from cases.tests.factories import (
    advance,
    clean_follow_up,
    open_case,
    working_follow_up,
)
from core.errors import DomainError
from monitoring.choices import IdentificationStatus, SchoolStatus, VisitKind
from monitoring.models import Identification
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def remediating(world, agencies):
    return advance(open_case(world), CaseState.IN_REMEDIATION, world.case_manager)


def _close(world, case, reason=ClosureReason.COMPLETED, note="", actor=None):
    case = Case.objects.get(pk=case.pk)
    return closure.case_close(
        actor=actor or world.case_manager,
        case=case,
        expected_version=case.version,
        reason=reason,
        note=note,
    )


def test_two_clean_follow_ups_in_a_row_close_the_case(world, remediating):
    case = clean_follow_up(world.case_manager, remediating).case
    with pytest.raises(DomainError) as refused:
        _close(world, case)
    assert refused.value.code == "case.closure_rule"
    assert refused.value.message == (
        "The case can close as a success after 2 follow-ups in a row with no child labour "
        "and the child in school or training; it has 1."
    )
    clean_follow_up(world.case_manager, case)
    done = _close(world, case)
    assert done.status == ClosureStatus.APPROVED
    closed = Case.objects.get(pk=case.pk)
    assert closed.state == CaseState.CLOSED
    assert closed.closure_reason == ClosureReason.COMPLETED
    assert closed.closed_at is not None
    assert closed.next_follow_up_due_on is None
    assert closed.step_due_at is None
    # Born 1 March 2013: watched until 1 March 2031.
    assert closed.post_closure_monitoring_until == date(2031, 3, 1)
    event = closed.events.filter(to_state=CaseState.CLOSED).get()
    assert event.detail == ClosureReason.COMPLETED
    assert event.detail_label() == "Out of child labour and in school or training"
    assert AuditEvent.objects.get(action=Action.CASE_CLOSE).changes["reason"] == "completed"
    assert Identification.objects.get(child=closed.child).status == IdentificationStatus.CLOSED


def test_a_relapse_in_between_resets_the_count(world, remediating):
    clean_follow_up(world.case_manager, remediating)
    case = Case.objects.get(pk=remediating.pk)
    working_follow_up(world.case_manager, case)
    case = advance(Case.objects.get(pk=case.pk), CaseState.IN_REMEDIATION, world.case_manager)
    case = clean_follow_up(world.case_manager, case).case
    status = closure_rule_status(case)
    assert (status.clean_follow_ups, status.needed, status.completed_met) == (1, 2, False)
    with pytest.raises(DomainError):
        _close(world, case)
    clean_follow_up(world.case_manager, case)
    assert _close(world, case).status == ClosureStatus.APPROVED


def test_out_of_school_and_not_working_breaks_the_run(world, remediating):
    case = clean_follow_up(world.case_manager, remediating).case
    case = clean_follow_up(world.case_manager, case, school_status=SchoolStatus.DROPPED_OUT).case
    assert closure_rule_status(case).clean_follow_ups == 0
    case = clean_follow_up(
        world.case_manager, case, school_status=SchoolStatus.DROPPED_OUT, in_training=True
    ).case
    case = clean_follow_up(
        world.case_manager, case, school_status=SchoolStatus.ATTENDING_IRREGULARLY
    ).case
    status = closure_rule_status(case)
    assert status.clean_follow_ups == 2
    assert status.completed_met


def test_enrolled_but_not_attending_does_not_count(world, remediating):
    case = clean_follow_up(
        world.case_manager, remediating, school_status=SchoolStatus.ENROLLED_NOT_ATTENDING
    ).case
    assert closure_rule_status(case).clean_follow_ups == 0


def test_the_number_of_clean_follow_ups_is_configurable(world, remediating, settings):
    settings.KINGA_CLOSURE_CLEAN_FOLLOW_UPS = 3
    case = clean_follow_up(world.case_manager, remediating).case
    case = clean_follow_up(world.case_manager, case).case
    assert not closure_rule_status(case).completed_met
    case = clean_follow_up(world.case_manager, case).case
    assert closure_rule_status(case).completed_met


def test_a_monitoring_visit_finding_the_child_working_blocks_closure(world, remediating):
    case = clean_follow_up(world.case_manager, remediating).case
    visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=timezone.localdate(),
        household=case.child.household,
        observations=[
            ObservationInput(
                child=case.child,
                school_status=SchoolStatus.ATTENDING_REGULARLY,
                activities=(ActivityInput("washing_ore", 6, ("dust_or_chemicals",)),),
            )
        ],
    )
    case = clean_follow_up(world.case_manager, Case.objects.get(pk=case.pk)).case
    with pytest.raises(DomainError) as refused:
        _close(world, case)
    assert "found the child working during these follow-ups" in refused.value.message


def test_success_closes_only_from_the_follow_up_stage(world, remediating):
    with pytest.raises(DomainError) as refused:
        _close(world, remediating)
    assert refused.value.code == "case.closure_stage"


def test_decent_work_closure_is_refused_under_16(world, remediating):
    case = clean_follow_up(world.case_manager, remediating).case
    with pytest.raises(DomainError) as refused:
        _close(world, case, reason=ClosureReason.DECENT_WORK)
    assert refused.value.code == "case.closure_rule"
    assert refused.value.message == (
        "A case closes on decent work only from the age of 16; this child is 13."
    )


def test_a_young_person_of_16_in_decent_work_closes(world, agencies):
    case = open_case(world, birth_date=date(2010, 1, 10))
    case = advance(
        case,
        CaseState.FOLLOW_UP,
        world.case_manager,
        item_kind=PlanItemKind.DECENT_WORK_PLACEMENT,
    )
    with pytest.raises(DomainError) as refused:
        _close(world, case, reason=ClosureReason.DECENT_WORK)
    assert refused.value.message == "No decent-work placement in the plan is recorded as done."
    placement = case.plan.items.get()
    plan_item_set_status(
        actor=world.case_manager,
        item=placement,
        status=PlanItemStatus.DONE,
        evidence_note="Apprentice mechanic at the Kasulo garage, contract seen.",
    )
    assert _close(world, case, reason=ClosureReason.DECENT_WORK).status == (ClosureStatus.APPROVED)
    closed = Case.objects.get(pk=case.pk)
    assert closed.post_closure_monitoring_until == date(2028, 1, 10)


@pytest.mark.parametrize(
    "reason",
    [
        ClosureReason.MOVED,
        ClosureReason.LOST_CONTACT,
        ClosureReason.REFUSED,
        ClosureReason.DECEASED,
        ClosureReason.STATE_SERVICES,
    ],
)
def test_other_closures_need_an_explanation(world, agencies, reason):
    case = open_case(world)
    with pytest.raises(DomainError) as refused:
        _close(world, case, reason=reason)
    assert refused.value.code == "case.closure_note"
    assert _close(world, case, reason=reason, note="Explained.").status == (ClosureStatus.APPROVED)
    closed = Case.objects.get(pk=case.pk)
    assert closed.state == CaseState.CLOSED
    monitored = reason not in (ClosureReason.DECEASED, ClosureReason.STATE_SERVICES)
    assert (closed.post_closure_monitoring_until is not None) == monitored


def test_an_unknown_reason_is_refused(world, agencies):
    with pytest.raises(DomainError) as refused:
        _close(world, open_case(world), reason="bored", note="x")
    assert refused.value.code == "case.closure_reason"


def test_a_closed_case_cannot_close_again(world, agencies):
    case = open_case(world)
    _close(world, case, reason=ClosureReason.MOVED, note="Gone to Likasi.")
    with pytest.raises(DomainError) as refused:
        _close(world, case, reason=ClosureReason.MOVED, note="Again.")
    assert refused.value.code == "case.wrong_stage"


def test_the_case_manager_reopens_a_monitored_case_after_a_relapse(world, agencies):
    case = open_case(world)
    _close(world, case, reason=ClosureReason.LOST_CONTACT, note="No one at home for 3 months.")
    closed = Case.objects.get(pk=case.pk)
    with pytest.raises(DomainError) as refused:
        closure.case_reopen_after_relapse(
            actor=world.case_manager, case=closed, expected_version=closed.version, note=""
        )
    assert refused.value.code == "case.reopen_note"
    with pytest.raises(DomainError):
        closure.case_reopen_after_relapse(
            actor=world.other_agency_case_manager,
            case=closed,
            expected_version=closed.version,
            note="Seen at the pools.",
        )
    reopened = closure.case_reopen_after_relapse(
        actor=world.case_manager,
        case=closed,
        expected_version=closed.version,
        note="Seen carrying sacks at the depot.",
    )
    assert reopened.state == CaseState.ASSESSMENT
    assert reopened.closed_at is None
    assert reopened.closure_reason == ""
    assert reopened.post_closure_monitoring_until is None
    event = reopened.events.get(kind=CaseEventKind.REOPENED)
    assert (event.from_state, event.to_state) == (CaseState.CLOSED, CaseState.ASSESSMENT)
    assert AuditEvent.objects.filter(action=Action.CASE_REOPEN).exists()


def test_a_case_without_post_closure_monitoring_is_not_reopened(world, agencies):
    case = open_case(world)
    _close(world, case, reason=ClosureReason.STATE_SERVICES, note="DIVAS took over.")
    closed = Case.objects.get(pk=case.pk)
    with pytest.raises(DomainError) as refused:
        closure.case_reopen_after_relapse(
            actor=world.case_manager,
            case=closed,
            expected_version=closed.version,
            note="Seen again.",
        )
    assert refused.value.code == "case.not_monitored"
