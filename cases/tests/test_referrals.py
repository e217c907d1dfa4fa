"""Referrals: the desk refers, the agency accepts or declines, every wait has a deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from cases import selectors
from cases.choices import CaseEventKind, CaseState, PlanStatus, ReferralSource, ReferralStatus
from cases.services.referrals import (
    referral_accept,
    referral_create,
    referral_decline,
    referral_withdraw,
)
from cases.tests.factories import identify_child, open_case
from core.errors import DomainError
from monitoring.choices import IdentificationStatus, SchoolStatus, Urgency, VisitKind
from monitoring.models import Identification
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record

pytestmark = pytest.mark.django_db


def _refer(world, agencies, identification=None, agency=None):
    return referral_create(
        actor=world.hub_admin,
        identification=identification or identify_child(world),
        agency=agency or agencies.one,
        note="Child seen at the washing pools twice.",
    )


def test_referring_marks_the_identification_referred_with_a_72_hour_deadline(world, agencies):
    identification = identify_child(world)
    before = timezone.now()
    referral = _refer(world, agencies, identification)
    identification.refresh_from_db()
    assert identification.status == IdentificationStatus.REFERRED
    assert referral.source == ReferralSource.IDENTIFICATION
    assert referral.status == ReferralStatus.PENDING
    assert referral.urgency == Urgency.HIGH
    assert timedelta(hours=72) <= referral.deadline_at - before <= timedelta(hours=72, seconds=5)
    assert referral.area == world.village
    event = AuditEvent.objects.get(action=Action.REFERRAL_CREATE)
    assert event.actor == world.hub_admin
    assert event.changes["agency"] == agencies.one.pk


def test_a_child_in_immediate_danger_gets_24_hours(world, agencies):
    identification = identify_child(world)
    identification.urgency = Urgency.IMMEDIATE
    identification.save()
    before = timezone.now()
    referral = _refer(world, agencies, identification)
    assert referral.deadline_at - before <= timedelta(hours=24, seconds=5)


@pytest.mark.parametrize(
    "persona", ["case_manager", "supervisor", "facilitator", "company_member", "auditor"]
)
def test_only_the_referral_desk_refers(world, agencies, persona):
    with pytest.raises(DomainError) as refused:
        referral_create(
            actor=getattr(world, persona),
            identification=identify_child(world),
            agency=agencies.one,
        )
    assert refused.value.code == "referral.not_allowed"


def test_a_child_is_referred_once_at_a_time(world, agencies):
    identification = identify_child(world)
    _refer(world, agencies, identification)
    with pytest.raises(DomainError) as refused:
        _refer(world, agencies, identification, agency=agencies.two)
    assert refused.value.code == "referral.identification_not_open"


def test_acceptance_opens_a_case_with_its_timeline_and_audit(world, agencies):
    referral = _refer(world, agencies)
    case = referral_accept(
        actor=world.supervisor, referral=referral, case_manager=world.case_manager
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.responded_by == world.supervisor
    assert case.state == CaseState.IDENTIFIED
    assert case.version == 1
    assert case.agency == agencies.one
    assert case.case_manager == world.case_manager
    assert case.number == f"KIN-{timezone.localdate().year}-000001"
    assert case.plan.status == PlanStatus.DRAFT
    # Removal from hazard within 72 hours of acceptance for hazardous child labour.
    assert case.step_due_at == case.opened_at + timedelta(hours=72)
    assert [(e.kind, e.to_state, e.actor) for e in case.events.all()] == [
        (CaseEventKind.OPENED, CaseState.IDENTIFIED, world.supervisor)
    ]
    assert AuditEvent.objects.filter(action=Action.CASE_OPEN, subject_id=str(case.pk)).exists()
    assert AuditEvent.objects.filter(action=Action.REFERRAL_ACCEPT).exists()
    assert Identification.objects.get(child=case.child).status == IdentificationStatus.REFERRED


def test_another_agency_cannot_answer_the_referral(world, agencies):
    referral = _refer(world, agencies)
    with pytest.raises(DomainError) as refused:
        referral_accept(
            actor=world.other_agency_case_manager,
            referral=referral,
            case_manager=world.other_agency_case_manager,
        )
    assert refused.value.code == "case.not_allowed"
    with pytest.raises(DomainError):
        referral_decline(actor=world.other_agency_case_manager, referral=referral, reason="No")


def test_a_referral_is_answered_once(world, agencies):
    referral = _refer(world, agencies)
    referral_accept(actor=world.case_manager, referral=referral, case_manager=world.case_manager)
    with pytest.raises(DomainError) as refused:
        referral_decline(actor=world.case_manager, referral=referral, reason="Changed our mind")
    assert refused.value.code == "referral.answered"


def test_a_sponsor_must_be_a_company(world, agencies):
    referral = _refer(world, agencies)
    with pytest.raises(DomainError) as refused:
        referral_accept(
            actor=world.case_manager,
            referral=referral,
            case_manager=world.case_manager,
            sponsor=agencies.two,
        )
    assert refused.value.code == "case.sponsor"
    company = world.company_member.role_assignments.get().organisation
    case = referral_accept(
        actor=world.case_manager,
        referral=referral,
        case_manager=world.case_manager,
        sponsor=company,
    )
    assert case.sponsor == company


def test_decline_needs_a_reason_and_returns_the_child_to_the_desk(world, agencies):
    identification = identify_child(world)
    referral = _refer(world, agencies, identification)
    with pytest.raises(DomainError) as refused:
        referral_decline(actor=world.case_manager, referral=referral, reason="  ")
    assert refused.value.code == "referral.reason_required"

    referral_decline(
        actor=world.case_manager, referral=referral, reason="No case manager speaks Lunda."
    )
    referral.refresh_from_db()
    identification.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert referral.decline_reason == "No case manager speaks Lunda."
    assert identification.status == IdentificationStatus.OPEN
    event = AuditEvent.objects.get(action=Action.REFERRAL_DECLINE)
    assert event.reason == "No case manager speaks Lunda."

    again = _refer(world, agencies, identification, agency=agencies.two)
    case = referral_accept(
        actor=world.other_agency_case_manager,
        referral=again,
        case_manager=world.other_agency_case_manager,
    )
    assert case.agency == agencies.two


def test_a_finding_while_the_referral_waited_is_covered_by_the_case(world, agencies):
    identification = identify_child(world)
    referral = _refer(world, agencies, identification)
    child = identification.child
    visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=timezone.localdate(),
        household=child.household,
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.NOT_ENROLLED,
                activities=(ActivityInput("digging", 20, ("underground",)),),
            )
        ],
    )
    newer = Identification.objects.get(child=child, status=IdentificationStatus.OPEN)
    referral_accept(actor=world.case_manager, referral=referral, case_manager=world.case_manager)
    newer.refresh_from_db()
    assert newer.status == IdentificationStatus.REFERRED


def test_a_decline_after_a_newer_finding_leaves_only_the_newer_one_open(world, agencies):
    identification = identify_child(world)
    referral = _refer(world, agencies, identification)
    child = identification.child
    visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=timezone.localdate(),
        household=child.household,
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.NOT_ENROLLED,
                activities=(ActivityInput("digging", 20, ("underground",)),),
            )
        ],
    )
    referral_decline(actor=world.case_manager, referral=referral, reason="Full this month")
    identification.refresh_from_db()
    assert identification.status == IdentificationStatus.CLOSED
    assert Identification.objects.filter(child=child, status=IdentificationStatus.OPEN).count() == 1


def test_the_desk_withdraws_an_unanswered_referral(world, agencies):
    identification = identify_child(world)
    referral = _refer(world, agencies, identification)
    with pytest.raises(DomainError):
        referral_withdraw(actor=world.case_manager, referral=referral, reason="Too slow")
    referral_withdraw(actor=world.hub_admin, referral=referral, reason="No answer in 72 hours")
    referral.refresh_from_db()
    identification.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert identification.status == IdentificationStatus.OPEN


def test_a_child_with_an_open_case_is_not_referred_again(world, agencies):
    case = open_case(world)
    stray = Identification.objects.get(child=case.child)
    stray.status = IdentificationStatus.OPEN
    stray.save()
    with pytest.raises(DomainError) as refused:
        _refer(world, agencies, stray, agency=agencies.two)
    assert refused.value.message == f"This child already has an open case, {case.number}."


def test_overdue_referrals_are_those_still_waiting_past_their_deadline(world, agencies):
    waiting = _refer(world, agencies)
    answered = _refer(world, agencies, identify_child(world, first_name="Joseph"))
    referral_accept(actor=world.case_manager, referral=answered, case_manager=world.case_manager)
    assert not selectors.overdue_referrals(world.hub_admin).exists()
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        assert list(selectors.overdue_referrals(world.hub_admin)) == [waiting]
        assert list(selectors.overdue_referrals(world.case_manager)) == [waiting]
        assert not selectors.overdue_referrals(world.other_agency_case_manager).exists()
        assert not selectors.overdue_referrals(world.facilitator).exists()


def test_acceptance_after_the_deadline_is_recorded_as_late(world, agencies):
    referral = _refer(world, agencies)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        referral_accept(
            actor=world.case_manager, referral=referral, case_manager=world.case_manager
        )
    assert AuditEvent.objects.get(action=Action.REFERRAL_ACCEPT).changes["late"] is True


def test_a_merged_child_is_not_referred(world, agencies):
    identification = identify_child(world)
    other = identify_child(world, first_name="Joseph", birth_date=date(2012, 1, 1))
    identification.child.merged_into = other.child
    identification.child.save()
    with pytest.raises(DomainError) as refused:
        _refer(world, agencies, identification)
    assert refused.value.code == "referral.child_merged"
