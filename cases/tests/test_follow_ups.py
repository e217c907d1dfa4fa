"""Follow-ups: recorded as monitoring visits, classified by the same engine, on a schedule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import CaseEventKind, CaseState, PlanStatus
from cases.models import Case, FollowUp
from cases.policy import add_months
from cases.services import lifecycle
from cases.tests.factories import advance, clean_follow_up, open_case, working_follow_up
from core.errors import DomainError
from monitoring.choices import IdentificationStatus, VisitKind
from monitoring.models import Identification, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def remediating(world, agencies):
    return advance(open_case(world), CaseState.IN_REMEDIATION, world.case_manager)


def test_a_clean_follow_up_is_a_classified_follow_up_visit(world, remediating):
    follow_up = clean_follow_up(world.case_manager, remediating)
    observation = follow_up.observation
    assert observation.visit.kind == VisitKind.FOLLOW_UP
    assert observation.visit.facilitator == world.case_manager
    assert observation.category == "no_child_labour"
    assert observation.ruleset.startswith("drc@")
    case = follow_up.case
    assert case.state == CaseState.FOLLOW_UP
    assert case.next_follow_up_due_on == add_months(follow_up.visited_on, 1)
    event = case.events.get(kind=CaseEventKind.FOLLOW_UP)
    assert event.observation == observation
    assert (event.from_state, event.to_state) == (CaseState.IN_REMEDIATION, CaseState.FOLLOW_UP)
    audit = AuditEvent.objects.get(action=Action.FOLLOW_UP_RECORD)
    assert audit.actor == world.case_manager
    assert audit.changes["relapse"] is False


def test_the_next_follow_up_stays_in_the_follow_up_stage(world, remediating):
    case = clean_follow_up(world.case_manager, remediating).case
    version = case.version
    case = clean_follow_up(world.case_manager, case).case
    assert case.state == CaseState.FOLLOW_UP
    assert case.version == version + 1
    assert case.follow_ups.count() == 2


def test_child_labour_at_a_follow_up_is_a_relapse_back_to_assessment(world, remediating):
    identifications = Identification.objects.count()
    follow_up = working_follow_up(world.case_manager, remediating)
    assert follow_up.observation.category == "hazardous_child_labour"
    case = Case.objects.get(pk=remediating.pk)
    assert case.state == CaseState.ASSESSMENT
    assert case.next_follow_up_due_on is None
    assert case.plan.status == PlanStatus.DRAFT
    relapse = case.events.get(kind=CaseEventKind.RELAPSE)
    assert relapse.observation == follow_up.observation
    assert (relapse.from_state, relapse.to_state) == (
        CaseState.IN_REMEDIATION,
        CaseState.ASSESSMENT,
    )
    # The case took the finding: no second identification, no "re-identified" noise.
    assert Identification.objects.count() == identifications
    assert not case.events.filter(kind=CaseEventKind.REIDENTIFIED).exists()
    assert AuditEvent.objects.get(action=Action.FOLLOW_UP_RECORD).changes["relapse"] is True


def test_after_a_relapse_the_plan_needs_a_new_assessment(world, remediating):
    working_follow_up(world.case_manager, remediating)
    case = Case.objects.get(pk=remediating.pk)
    with pytest.raises(DomainError) as refused:
        lifecycle.case_agree_plan(
            actor=world.case_manager, case=case, expected_version=case.version
        )
    assert refused.value.code == "case.assessment_missing"
    case = advance(case, CaseState.IN_REMEDIATION, world.case_manager)
    assert case.plan.revision == 2


@pytest.mark.parametrize("state", [CaseState.IDENTIFIED, CaseState.ASSESSMENT])
def test_no_follow_up_before_remediation(world, agencies, state):
    case = advance(open_case(world), state, world.case_manager)
    with pytest.raises(DomainError) as refused:
        clean_follow_up(world.case_manager, case)
    assert refused.value.code == "case.wrong_stage"


def _later(days):
    """Travel `days` ahead: cases are opened today, the follow-ups come later."""
    return time_machine.travel(timezone.now() + timedelta(days=days))


def test_follow_ups_are_dated_after_remediation_started_and_in_order(world, remediating):
    started = remediating.remediation_started_on
    with pytest.raises(DomainError) as refused:
        clean_follow_up(world.case_manager, remediating, visited_on=started - timedelta(days=1))
    assert refused.value.code == "follow_up.before_remediation"
    with _later(40):
        case = clean_follow_up(
            world.case_manager, remediating, visited_on=started + timedelta(days=20)
        ).case
        with pytest.raises(DomainError) as refused:
            clean_follow_up(world.case_manager, case, visited_on=started + timedelta(days=10))
    assert refused.value.code == "follow_up.out_of_order"


def test_bad_answers_record_nothing(world, remediating):
    visits = Visit.objects.count()
    with pytest.raises(DomainError) as refused:
        clean_follow_up(world.case_manager, remediating, school_status="on_holiday")
    assert refused.value.code == "visit.school_status"
    assert Visit.objects.count() == visits
    assert not FollowUp.objects.exists()
    assert Case.objects.get(pk=remediating.pk).version == remediating.version


def test_another_agency_cannot_record_a_follow_up(world, remediating):
    with pytest.raises(DomainError) as refused:
        clean_follow_up(world.other_agency_case_manager, remediating)
    assert refused.value.code == "case.not_allowed"


def test_a_stale_follow_up_is_refused(world, remediating):
    clean_follow_up(world.case_manager, remediating)
    with pytest.raises(DomainError) as refused:
        clean_follow_up(world.supervisor, remediating)  # still holds the old version
    assert refused.value.code == "case.stale"


def test_the_three_and_six_month_schedule(world, agencies, settings):
    settings.KINGA_FOLLOW_UP_SCHEDULE = "three_and_six_months"
    case = advance(open_case(world), CaseState.IN_REMEDIATION, world.case_manager)
    started = case.remediation_started_on
    assert case.next_follow_up_due_on == add_months(started, 3)
    with _later(200):
        case = clean_follow_up(world.case_manager, case, visited_on=add_months(started, 3)).case
        assert case.next_follow_up_due_on == add_months(started, 6)
        case = clean_follow_up(world.case_manager, case, visited_on=add_months(started, 6)).case
        assert case.next_follow_up_due_on == add_months(started, 9)


def test_the_monthly_schedule_runs_from_the_last_visit(world, remediating):
    started = remediating.remediation_started_on
    assert remediating.next_follow_up_due_on == add_months(started, 1)
    late_visit = started + timedelta(days=45)
    with _later(50):
        case = clean_follow_up(world.case_manager, remediating, visited_on=late_visit).case
    assert case.next_follow_up_due_on == add_months(late_visit, 1)


def test_overdue_follow_ups_show_on_the_dashboard(world, remediating):
    from cases import selectors

    assert not selectors.overdue_cases(world.case_manager).exists()
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        assert list(selectors.overdue_cases(world.case_manager)) == [remediating]
        assert not selectors.overdue_cases(world.other_agency_case_manager).exists()


def test_months_are_added_without_overflowing():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_an_unknown_schedule_setting_is_refused(settings):
    from cases.policy import follow_up_policy

    settings.KINGA_FOLLOW_UP_SCHEDULE = "weekly"
    with pytest.raises(ValueError, match="KINGA_FOLLOW_UP_SCHEDULE"):
        follow_up_policy()


def test_follow_ups_do_not_open_identifications(world, remediating):
    working_follow_up(world.case_manager, remediating)
    assert not Identification.objects.filter(status=IdentificationStatus.OPEN).exists()
