"""core.bulk_insert.insert_new: the bulk path of imports (COPY on PostgreSQL, bulk_create
elsewhere) writes what the ORM would write, and its ids never collide with later inserts."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from core.bulk_insert import insert_new
from monitoring.choices import AgeConfidence, AgeEvidence, Sex
from monitoring.models import Child, Household
from monitoring.tests.factories import make_household


def _household(world, number: int) -> Household:
    return Household(
        code=f"HH-BULK-{number:04d}",
        area=world.village,
        head_name=f"Head {number}",
        head_name_hash=f"hash-{number}",
        location="-10.7,25.5",
        income_sources=["artisanal_mining", "farming"],
        external_id=f"import:bulk-{number}",
    )


def _child(household: Household, number: int) -> Child:
    return Child(
        code=f"CH-BULK-{number:04d}",
        household=household,  # not saved yet: its id is known only after its own insert
        first_name=f"Amani {number}",
        name_hash=f"name-{number}",
        first_name_hash=f"first-{number}",
        sex=Sex.FEMALE,
        birth_date=date(2014, 1, 1),
        age_evidence=AgeEvidence.CAREGIVER_REPORT,
        age_confidence=AgeConfidence.MEDIUM,
        duplicate_key=f"key-{number}",
    )


@pytest.mark.django_db
def test_rows_are_written_as_the_orm_writes_them(world):
    households = [_household(world, number) for number in range(3)]
    children = [_child(household, number) for number, household in enumerate(households)]

    insert_new(households)
    insert_new(children)

    assert all(household.pk and not household._state.adding for household in households)
    assert [child.household_id for child in children] == [h.pk for h in households]
    stored = Household.objects.get(pk=households[1].pk)
    assert (stored.head_name, stored.location) == ("Head 1", "-10.7,25.5")
    assert stored.income_sources == ["artisanal_mining", "farming"]
    assert stored.created_at is not None  # model defaults
    assert stored.members_count == 1
    assert Child.objects.get(pk=children[2].pk).household_id == households[2].pk
    with connection.cursor() as cursor:  # encrypted at rest, as through save()
        cursor.execute("SELECT head_name FROM monitoring_household WHERE id = %s", [stored.pk])
        assert "Head 1" not in cursor.fetchone()[0]


@pytest.mark.django_db
def test_ids_come_from_the_sequence_so_later_inserts_do_not_collide(world):
    inserted = insert_new([_household(world, number) for number in range(5)])
    later = make_household(world.facilitator, world.village)  # an ordinary insert, after

    assert later.pk > max(household.pk for household in inserted)
    assert Household.objects.count() == 6


@pytest.mark.django_db
def test_a_related_object_never_saved_is_refused(world):
    orphan = _child(_household(world, 99), 1)

    with pytest.raises(ValueError, match="unsaved related object 'household'"):
        insert_new([orphan])
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_nothing_to_insert_asks_nothing_of_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_new([]) == []


@pytest.mark.django_db
def test_a_duplicate_is_django_s_integrity_error_and_rolls_back_to_the_savepoint(world):
    insert_new([_household(world, 1)])

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new([_household(world, 2), _household(world, 1)])  # same external id as before

    assert Household.objects.count() == 1  # the transaction goes on; nothing of the second
    insert_new([_household(world, 3)])
    assert Household.objects.count() == 2


@pytest.mark.django_db
def test_an_instance_with_an_id_is_refused(world):
    (saved,) = insert_new([_household(world, 1)])

    with pytest.raises(ValueError, match="without ids"):
        insert_new([saved])
