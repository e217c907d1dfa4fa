"""A monitoring visit that finds a child with a case in child labour again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import CaseEventKind, CaseState, ClosureReason
from cases.models import Case
from cases.services.closure import case_close
from cases.tests.factories import open_case
from monitoring.choices import IdentificationStatus, SchoolStatus, VisitKind, VisitSource
from monitoring.classification import Category
from monitoring.models import Identification
from monitoring.services.identifications import identify
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record

pytestmark = pytest.mark.django_db


def _seen_working(world, child, *, actor="facilitator", source=VisitSource.WEB):
    user = getattr(world, actor) if actor else None
    visit = visit_record(
        actor=user,
        facilitator=world.facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=timezone.localdate(),
        household=child.household,
        source=source,
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.DROPPED_OUT,
                activities=(ActivityInput("digging", 25, ("underground",)),),
            )
        ],
    )
    return visit.observations.get()


def _close(world, case, reason, note="Explained."):
    case_close(
        actor=world.case_manager,
        case=case,
        expected_version=case.version,
        reason=reason,
        note=note,
    )
    return Case.objects.get(pk=case.pk)


def test_a_child_with_an_open_case_is_not_identified_again(world, agencies):
    case = open_case(world)
    identifications = Identification.objects.count()
    observation = _seen_working(world, case.child)
    assert Identification.objects.count() == identifications
    assert not Identification.objects.filter(status=IdentificationStatus.OPEN).exists()
    event = case.events.get(kind=CaseEventKind.REIDENTIFIED)
    assert event.observation == observation
    assert event.actor == world.facilitator
    assert event.detail == "hazardous_child_labour"
    assert event.get_kind_display() == "Re-identified by a monitoring visit"
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == (case.state, case.version)
    audit = AuditEvent.objects.get(action=Action.CASE_REIDENTIFIED)
    assert audit.changes == {"observation": observation.pk, "category": "hazardous_child_labour"}


def test_identify_returns_nothing_for_a_child_with_a_case(world, agencies):
    case = open_case(world)
    observation = _seen_working(world, case.child)
    assert (
        identify(actor=None, observation=observation, category=Category.HAZARDOUS_CHILD_LABOUR)
        is None
    )


def test_a_phone_submission_is_recorded_as_the_system(world, agencies):
    case = open_case(world)
    _seen_working(world, case.child, actor=None, source=VisitSource.ODK)
    assert case.events.get(kind=CaseEventKind.REIDENTIFIED).actor is None


def test_a_closed_case_under_monitoring_is_reopened_as_a_relapse(world, agencies):
    case = _close(world, open_case(world), ClosureReason.LOST_CONTACT)
    observation = _seen_working(world, case.child)
    reopened = Case.objects.get(pk=case.pk)
    assert reopened.state == CaseState.ASSESSMENT
    assert reopened.version == case.version + 1
    assert reopened.post_closure_monitoring_until is None
    event = reopened.events.get(kind=CaseEventKind.REOPENED)
    assert event.observation == observation
    assert (event.from_state, event.to_state) == (CaseState.CLOSED, CaseState.ASSESSMENT)
    assert not Identification.objects.filter(status=IdentificationStatus.OPEN).exists()
    assert AuditEvent.objects.filter(action=Action.CASE_REOPEN).count() == 1


def test_a_closed_case_without_monitoring_leaves_monitoring_as_it_was(world, agencies):
    case = _close(world, open_case(world), ClosureReason.STATE_SERVICES)
    _seen_working(world, case.child)
    assert Case.objects.get(pk=case.pk).state == CaseState.CLOSED
    waiting = Identification.objects.get(child=case.child, status=IdentificationStatus.OPEN)
    assert waiting.category == "hazardous_child_labour"


def test_monitoring_ends_on_the_date_set_at_closure(world, agencies):
    case = _close(world, open_case(world), ClosureReason.MOVED)
    Case.objects.filter(pk=case.pk).update(
        post_closure_monitoring_until=timezone.localdate() - timedelta(days=1)
    )
    _seen_working(world, case.child)
    assert Case.objects.get(pk=case.pk).state == CaseState.CLOSED
    assert Identification.objects.filter(
        child=case.child, status=IdentificationStatus.OPEN
    ).exists()


def test_a_child_without_a_case_is_identified_as_before(world, agencies):
    from cases.tests.factories import identify_child

    identification = identify_child(world)
    assert identification.status == IdentificationStatus.OPEN
    assert not Case.objects.exists()
