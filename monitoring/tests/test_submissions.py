"""A phone's household visit goes through the web form's path (`visit_enter`), with ids
derived from its instanceID so that processing it again makes nothing twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError
from monitoring.models import Child, Consent, Household, Observation, Visit
from monitoring.services.submissions import (
    PhoneChild,
    PhoneHousehold,
    household_visit_from_phone,
)
from monitoring.services.visits import ActivityInput

pytestmark = pytest.mark.django_db

INSTANCE = "uuid:6f1c0b9e-2f4a-4c55-9a57-0c0ffee00001"


def _send(world, *children, day=None, head_name="Kabila Mwamba"):
    return household_visit_from_phone(
        actor=world.facilitator,
        instance_id=INSTANCE,
        form_version="2026110101",
        visited_on=day or timezone.localdate(),
        household=PhoneHousehold(
            area=world.village, head_name=head_name, location="-10.7,25.5", members_count=4
        ),
        children=list(children),
    )


def _child(**extra):
    values = {
        "first_name": "Amani",
        "sex": "female",
        "age_evidence": "caregiver_report",
        "school_status": "not_enrolled",
        "age": 12,
        "caregiver_consent": True,
        "activities": (ActivityInput("washing_ore", 10),),
    }
    return PhoneChild(**{**values, **extra})


def test_a_phone_visit_makes_household_children_and_visit_with_phone_ids(world):
    visit = _send(world, _child(), _child(first_name="Neema", birth_date=date(2014, 2, 1)))

    assert (visit.source, visit.external_id, visit.form_version) == (
        "odk",
        "odk:6f1c0b9e-2f4a-4c55-9a57-0c0ffee00001",
        "2026110101",
    )
    household = Household.objects.get()
    assert (household.external_id, household.location) == (visit.external_id, "-10.7,25.5")
    amani, neema = Child.objects.order_by("external_id")
    assert amani.external_id == f"{visit.external_id}:child:1"
    assert (amani.birth_date_is_estimated, amani.age_confidence) == (True, "low")
    assert (neema.birth_date_is_estimated, neema.age_confidence) == (False, "medium")
    assert Consent.objects.filter(child=amani, kind="caregiver_consent", given=True).exists()
    assert Observation.objects.get(child=amani).category == "hazardous_child_labour"


def test_sending_the_same_submission_again_makes_nothing_new(world):
    first = _send(world, _child())

    again = _send(world, _child(), head_name="Someone Else")

    assert again == first
    assert (Visit.objects.count(), Household.objects.count(), Child.objects.count()) == (1, 1, 1)


def test_a_future_visit_day_is_refused_at_the_date_and_nothing_is_kept(world):
    with pytest.raises(DomainError) as refused:
        _send(world, _child(), day=timezone.localdate() + timedelta(days=1))

    assert (refused.value.code, refused.value.field) == ("visit.date", "visited_on")
    assert not Household.objects.exists()


def test_a_refused_child_names_its_place_in_the_form(world):
    with pytest.raises(DomainError) as refused:
        _send(world, _child(), _child(first_name=" "))

    assert refused.value.field == "children[1].first_name"
    assert not Household.objects.exists()
