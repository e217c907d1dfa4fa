"""Households and children: scope, encryption at rest, consent limits, duplicates."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from audit.actions import Action
from audit.models import AuditEvent
from core.errors import DomainError
from monitoring.choices import AgeConfidence, AgeEvidence, Sex
from monitoring.models import Child, DuplicateCandidate, Household
from monitoring.services.children import child_register
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_facilitator_records_a_household_in_their_community(world):
    household = make_household(world.facilitator, world.village, phone="+243 970 000 111")
    assert household.code.startswith("HH-")
    assert Household.objects.get(pk=household.pk).head_name == "Kabila Mwamba"


def test_facilitator_cannot_record_outside_their_communities(world):
    with pytest.raises(DomainError) as refused:
        make_household(world.facilitator, world.other_village)
    assert refused.value.code == "monitoring.out_of_scope"


def test_case_manager_cannot_record_households(world):
    with pytest.raises(DomainError):
        make_household(world.case_manager, world.village)


def test_names_phones_and_locations_are_unreadable_in_the_database(world):
    household = make_household(
        world.facilitator, world.village, phone="+243970000111", location="-10.71,25.47"
    )
    child = make_child(world.facilitator, household)
    head, phone, location = _raw(
        "SELECT head_name, phone, location FROM monitoring_household WHERE id = %s",
        [household.pk],
    )
    first, last = _raw(
        "SELECT first_name, last_name FROM monitoring_child WHERE id = %s", [child.pk]
    )
    stored = " ".join([head, phone, location, first, last])
    for secret in ("Kabila", "Mwamba", "970000111", "25.47", "Amani", "Ilunga"):
        assert secret not in stored


def test_audit_rows_never_hold_a_name_in_clear(world):
    household = make_household(world.facilitator, world.village)
    make_child(world.facilitator, household)
    text = " ".join(str(event.changes) for event in AuditEvent.objects.all())
    assert "Kabila" not in text
    assert "Amani" not in text
    assert "Ilunga" not in text


def test_without_caregiver_consent_the_last_name_is_not_kept(world):
    household = make_household(world.facilitator, world.village)
    child = make_child(world.facilitator, household, consents=[])
    assert Child.objects.get(pk=child.pk).last_name == ""
    event = AuditEvent.objects.get(action=Action.CHILD_CREATE)
    assert event.changes["last_name_withheld"] is True


def test_with_consent_the_last_name_is_kept(world):
    household = make_household(world.facilitator, world.village)
    child = make_child(world.facilitator, household)
    assert Child.objects.get(pk=child.pk).last_name == "Ilunga"


def test_estimated_age_gives_an_estimated_birth_date(world):
    household = make_household(world.facilitator, world.village)
    child = child_register(
        actor=world.facilitator,
        household=household,
        first_name="Esther",
        sex=Sex.FEMALE,
        estimated_age=12,
        estimated_on=date(2026, 6, 1),
        age_evidence=AgeEvidence.CAREGIVER_REPORT,
        age_confidence=AgeConfidence.LOW,
    )
    assert child.birth_date_is_estimated
    assert child.age_on(date(2026, 6, 1)) == 12


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"first_name": "  "}, "first_name"),
        ({"sex": "x"}, "sex"),
        ({"birth_date": date(2999, 1, 1)}, "birth_date"),
        ({"birth_date": None}, "birth_date"),
        ({"birth_date": None, "estimated_age": 40}, "estimated_age"),
        ({"birth_date": date(1990, 1, 1)}, "birth_date"),
    ],
)
def test_bad_child_input_names_the_field(world, arguments, field):
    household = make_household(world.facilitator, world.village)
    values = {
        "first_name": "Amani",
        "sex": Sex.FEMALE,
        "birth_date": date(2013, 1, 1),
        "age_evidence": AgeEvidence.SELF_REPORT,
        "age_confidence": AgeConfidence.LOW,
        **arguments,
    }
    with pytest.raises(DomainError) as refused:
        child_register(actor=world.facilitator, household=household, **values)
    assert refused.value.field == field


def test_the_same_child_twice_in_a_household_is_refused(world):
    household = make_household(world.facilitator, world.village)
    first = make_child(world.facilitator, household)
    with pytest.raises(DomainError) as refused:
        make_child(world.facilitator, household, first_name=" AMANI ")
    assert first.code in refused.value.message


def test_a_likely_duplicate_is_listed_for_review(world):
    household = make_household(world.facilitator, world.village)
    first = make_child(world.facilitator, household, birth_date=date(2013, 3, 1))
    second = make_child(
        world.facilitator, household, first_name="Amáni", birth_date=date(2014, 1, 1)
    )
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.child_id, candidate.other_id} == {first.pk, second.pk}


def test_same_name_and_birth_date_in_another_household_is_a_candidate(world):
    one = make_household(world.facilitator, world.village)
    two = make_household(world.facilitator, world.village, head_name="Other Head")
    make_child(world.facilitator, one)
    make_child(world.facilitator, two)
    assert DuplicateCandidate.objects.get().reason == "same_name_and_birth_date"


def test_external_id_makes_registration_idempotent(world):
    first = make_household(world.facilitator, world.village, external_id="kobo:42")
    again = make_household(world.facilitator, world.village, external_id="kobo:42")
    assert first.pk == again.pk
    assert Household.objects.count() == 1
