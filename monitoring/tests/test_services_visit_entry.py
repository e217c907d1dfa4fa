"""visit_enter: household, children and visit in one transaction, refusals at their input path;
identity_reveal: a reason checked and audited in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from core.errors import DomainError
from monitoring.choices import SchoolStatus
from monitoring.models import Child, Household, Visit
from monitoring.services.identity import identity_reveal
from monitoring.services.visit_entry import (
    ChildSeen,
    NewChild,
    NewHousehold,
    VisitEntry,
    visit_enter,
)
from monitoring.services.visits import ActivityInput
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db


def _new_child(first_name="Amani", **extra):
    return NewChild(
        first_name=first_name,
        sex="female",
        age_evidence="caregiver_report",
        age_confidence="medium",
        birth_date=extra.pop("birth_date", date(2013, 3, 1)),
        **extra,
    )


def _entry(world, *children, **extra):
    extra.setdefault("new_household", NewHousehold(area=world.village, head_name="Kabila Mwamba"))
    return VisitEntry(
        kind="household",
        visited_on=extra.pop("visited_on", timezone.localdate()),
        children=list(children),
        **extra,
    )


def _seen(**extra):
    extra.setdefault("new_child", _new_child())
    extra.setdefault("school_status", SchoolStatus.NOT_ENROLLED)
    return ChildSeen(**extra)


def test_everything_is_recorded_together(world):
    visit = visit_enter(
        actor=world.facilitator,
        entry=_entry(
            world,
            _seen(
                new_child=_new_child("Amani", last_name="Ilunga"),
                activities=(ActivityInput("digging", 10),),
                caregiver_consent=True,
            ),
            _seen(new_child=_new_child("Neema", last_name="Kasongo", birth_date=date(2016, 1, 1))),
        ),
    )
    assert visit.household is not None
    assert visit.household.head_name == "Kabila Mwamba"
    assert visit.facilitator == world.facilitator
    by_name = {child.first_name: child for child in Child.objects.all()}
    assert by_name["Amani"].last_name == "Ilunga"  # consent given
    assert by_name["Neema"].last_name == ""  # no consent: the last name is not kept
    assert visit.observations.get(child=by_name["Amani"]).category == "hazardous_child_labour"


def test_household_refusals_carry_the_household_path(world):
    entry = _entry(world, _seen(), new_household=NewHousehold(area=world.village, head_name=" "))
    with pytest.raises(DomainError) as refused:
        visit_enter(actor=world.facilitator, entry=entry)
    assert refused.value.field == "household.head_name"
    assert not Household.objects.exists()


def test_a_household_in_another_community_is_refused_at_its_area(world):
    entry = _entry(
        world, _seen(), new_household=NewHousehold(area=world.other_village, head_name="X Y")
    )
    with pytest.raises(DomainError) as refused:
        visit_enter(actor=world.facilitator, entry=entry)
    assert refused.value.field == "household.area"
    assert refused.value.code == "monitoring.out_of_scope"


def test_a_late_refusal_leaves_nothing_half_saved(world):
    events = AuditEvent.objects.count()
    entry = _entry(
        world,
        _seen(),
        _seen(new_child=_new_child("Neema"), activities=(ActivityInput("digging", -1),)),
    )
    with pytest.raises(DomainError) as refused:
        visit_enter(actor=world.facilitator, entry=entry)
    assert refused.value.field == "children[1].activities[0].hours_per_week"
    assert not Household.objects.exists()
    assert not Child.objects.exists()
    assert not Visit.objects.exists()
    assert AuditEvent.objects.count() == events


def test_child_refusals_carry_the_childs_path(world):
    entry = _entry(world, _seen(), _seen(new_child=_new_child(" ")))
    with pytest.raises(DomainError) as refused:
        visit_enter(actor=world.facilitator, entry=entry)
    assert refused.value.field == "children[1].first_name"


def test_a_future_visit_is_refused_before_anything_is_written(world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        visit_enter(
            actor=world.facilitator,
            entry=_entry(world, _seen(caregiver_consent=True), visited_on=tomorrow),
        )
    assert refused.value.field == "visited_on"
    assert not Household.objects.exists()


def test_no_child_is_refused(world):
    with pytest.raises(DomainError) as refused:
        visit_enter(actor=world.facilitator, entry=_entry(world))
    assert refused.value.field == "children"


def test_consent_for_a_known_child_is_recorded_with_the_visit(world):
    household = make_household(world.facilitator, world.village)
    child = make_child(world.facilitator, household, consents=[], last_name="")
    visit_enter(
        actor=world.facilitator,
        entry=_entry(
            world,
            _seen(new_child=None, child=child, child_assent=False),
            household=household,
            new_household=None,
        ),
    )
    consent = child.consents.get()
    assert consent.kind == "child_assent"
    assert consent.given is False


# identity_reveal ---------------------------------------------------------------------------


@pytest.fixture
def child(world):
    return make_child(world.facilitator, make_household(world.facilitator, world.village))


def test_programme_manager_reveals_with_a_reason(world, child):
    reason = identity_reveal(
        actor=world.programme_manager, child=child, reason="  Referral   check with agency "
    )
    assert reason == "Referral check with agency"
    event = AuditEvent.objects.filter(action=Action.CHILD_VIEW).get()
    assert event.reason == reason
    assert event.changes == {"via": "child_page", "identity_revealed": True}


@pytest.mark.parametrize("reason", ["", "too short", " " * 40])
def test_a_short_reason_is_refused(world, child, reason):
    with pytest.raises(DomainError) as refused:
        identity_reveal(actor=world.programme_manager, child=child, reason=reason)
    assert refused.value.field == "reason"
    assert not AuditEvent.objects.filter(action=Action.CHILD_VIEW).exists()


def test_auditor_is_refused(world, child):
    with pytest.raises(DomainError):
        identity_reveal(actor=world.auditor, child=child, reason="I want to see the name please")


def test_facilitator_needs_no_reason(world, child):
    assert identity_reveal(actor=world.facilitator, child=child, reason="") == ""
