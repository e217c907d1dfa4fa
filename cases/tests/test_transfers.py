"""Transfers, reassignment and sponsors: who holds a case, and what the old agency keeps."""

from __future__ import annotations

import pytest
from django.http import Http404

from access import cases as access
from access.monitoring import children_visible_to
from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import CaseEventKind, CaseState, ClosureReason, ClosureStatus
from cases.models import Case, CaseClosure
from cases.services import lifecycle
from cases.services.agencies import caseworker_level_set
from cases.services.closure import case_close
from cases.services.transfers import case_reassign, case_set_sponsor, case_transfer
from cases.tests.factories import accredit, advance, clean_follow_up, open_case
from core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, agencies):
    return advance(open_case(world), CaseState.IN_REMEDIATION, world.case_manager)


def _transfer(world, case, agencies, actor=None, **overrides):
    values = {
        "to_agency": agencies.two,
        "to_case_manager": world.other_agency_case_manager,
        "reason": "The family moved to Kanina, served by Agency Two.",
        "summary": "Removed from the pools, school fees paid for term 1, 1 follow-up.",
    }
    values.update(overrides)
    return case_transfer(
        actor=actor or world.supervisor, case=case, expected_version=case.version, **values
    )


def test_transfer_moves_the_case_and_the_old_agency_keeps_only_a_summary(world, case, agencies):
    case = clean_follow_up(world.case_manager, case).case
    transfer = _transfer(world, case, agencies)
    moved = Case.objects.get(pk=case.pk)
    assert moved.agency == agencies.two
    assert moved.case_manager == world.other_agency_case_manager
    assert moved.state == CaseState.FOLLOW_UP
    assert moved.version == case.version + 1
    assert transfer.case_number == case.number
    assert transfer.from_agency == agencies.one
    assert transfer.state_at_transfer == CaseState.FOLLOW_UP
    assert transfer.follow_ups_recorded == 1
    assert transfer.held_since == case.opened_at

    for old_staff in (world.case_manager, world.supervisor):
        assert not access.cases_visible_to(old_staff).exists()
        with pytest.raises(Http404):
            access.get_case_for_user(old_staff, case.pk)
        assert not children_visible_to(old_staff).exists()
        assert list(access.transfer_summaries_visible_to(old_staff)) == [transfer]
    assert access.get_case_for_user(world.other_agency_case_manager, case.pk) == moved
    assert list(children_visible_to(world.other_agency_case_manager)) == [moved.child]
    assert list(access.transfer_summaries_visible_to(world.other_agency_case_manager)) == [transfer]
    assert not access.transfer_summaries_visible_to(world.facilitator).exists()
    assert not access.transfer_summaries_visible_to(world.company_member).exists()

    assert moved.events.filter(kind=CaseEventKind.TRANSFERRED).count() == 1
    audit = AuditEvent.objects.get(action=Action.CASE_TRANSFER)
    assert audit.changes["agency"] == {"old": agencies.one.pk, "new": agencies.two.pk}


def test_the_old_agency_can_no_longer_act_on_the_case(world, case, agencies):
    _transfer(world, case, agencies)
    moved = Case.objects.get(pk=case.pk)
    with pytest.raises(DomainError) as refused:
        clean_follow_up(world.case_manager, moved)
    assert refused.value.code == "case.not_allowed"
    clean_follow_up(world.other_agency_case_manager, moved)


def test_the_referral_desk_may_transfer(world, case, agencies):
    assert _transfer(world, case, agencies, actor=world.hub_admin).to_agency == agencies.two


@pytest.mark.parametrize(
    "persona", ["case_manager", "other_agency_case_manager", "facilitator", "company_member"]
)
def test_others_may_not_transfer(world, case, agencies, persona):
    with pytest.raises(DomainError) as refused:
        _transfer(world, case, agencies, actor=getattr(world, persona))
    assert refused.value.code == "case.not_allowed"


def test_transfer_checks_the_receiving_agency_and_case_manager(world, case, agencies):
    with pytest.raises(DomainError) as refused:
        _transfer(world, case, agencies, to_agency=agencies.one)
    assert refused.value.code == "case.same_agency"
    accredit(world, agencies.two, status="suspended")
    with pytest.raises(DomainError) as refused:
        _transfer(world, case, agencies)
    assert refused.value.message == "Agency Two's accreditation is suspended."
    accredit(world, agencies.two)
    world.other_agency_case_manager.background_checks.all().delete()
    with pytest.raises(DomainError) as refused:
        _transfer(world, case, agencies)
    assert refused.value.code == "case.staff_not_cleared"


@pytest.mark.parametrize(
    ("field", "code"), [("reason", "transfer_reason"), ("summary", "transfer_summary")]
)
def test_transfer_needs_a_reason_and_a_summary(world, case, agencies, field, code):
    with pytest.raises(DomainError) as refused:
        _transfer(world, case, agencies, **{field: "  "})
    assert refused.value.code == f"case.{code}"


def test_a_stale_transfer_is_refused(world, case, agencies):
    stale_copy = Case.objects.get(pk=case.pk)
    clean_follow_up(world.case_manager, case)
    with pytest.raises(DomainError) as refused:
        _transfer(world, stale_copy, agencies)
    assert refused.value.code == "case.stale"


def test_a_closed_case_is_not_transferred(world, agencies):
    case = open_case(world)
    case_close(
        actor=world.case_manager,
        case=case,
        expected_version=case.version,
        reason=ClosureReason.MOVED,
        note="Left for Zambia.",
    )
    with pytest.raises(DomainError) as refused:
        _transfer(world, Case.objects.get(pk=case.pk), agencies)
    assert refused.value.code == "case.wrong_stage"


def test_a_waiting_closure_is_cancelled_by_a_transfer(world, case, agencies):
    caseworker_level_set(actor=world.hub_admin, user=world.case_manager, level="junior")
    asked = case_close(
        actor=world.case_manager,
        case=case,
        expected_version=case.version,
        reason=ClosureReason.MOVED,
        note="Moved to Kanina.",
    )
    _transfer(world, Case.objects.get(pk=case.pk), agencies)
    assert CaseClosure.objects.get(pk=asked.pk).status == ClosureStatus.CANCELLED


def test_a_supervisor_reassigns_within_the_agency(world, case):
    with pytest.raises(DomainError) as refused:
        case_reassign(
            actor=world.case_manager,
            case=case,
            expected_version=case.version,
            case_manager=world.supervisor,
        )
    assert refused.value.code == "case.not_allowed"
    with pytest.raises(DomainError) as refused:
        case_reassign(
            actor=world.supervisor,
            case=case,
            expected_version=case.version,
            case_manager=world.other_agency_case_manager,
        )
    assert refused.value.code == "case.staff_not_cleared"
    reassigned = case_reassign(
        actor=world.supervisor,
        case=case,
        expected_version=case.version,
        case_manager=world.supervisor,
        note="Case manager on leave.",
    )
    assert reassigned.case_manager == world.supervisor
    assert reassigned.events.filter(kind=CaseEventKind.REASSIGNED).count() == 1


def test_the_hub_sets_the_sponsor(world, case):
    company = world.company_member.role_assignments.get().organisation
    with pytest.raises(DomainError):
        case_set_sponsor(
            actor=world.supervisor, case=case, expected_version=case.version, sponsor=company
        )
    sponsored = case_set_sponsor(
        actor=world.hub_admin, case=case, expected_version=case.version, sponsor=company
    )
    assert sponsored.sponsor == company
    assert AuditEvent.objects.filter(action=Action.CASE_SPONSOR_SET).count() == 1


def test_the_new_agency_continues_where_the_old_one_stopped(world, agencies):
    case = advance(open_case(world), CaseState.IMMEDIATE_PROTECTION, world.case_manager)
    _transfer(world, case, agencies)
    moved = Case.objects.get(pk=case.pk)
    moved = lifecycle.case_start_assessment(
        actor=world.other_agency_case_manager, case=moved, expected_version=moved.version
    )
    assert moved.state == CaseState.ASSESSMENT
