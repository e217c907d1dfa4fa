"""Correcting a child's name or date of birth: consent rule for the last name, audit without
names, duplicate keys kept true, scope, and the page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditEvent
from core.errors import DomainError
from monitoring.models import Child
from monitoring.services.child_update import child_update
from monitoring.services.children import duplicate_key
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(world):
    return make_household(world.facilitator, world.village)


@pytest.fixture
def consented(world, household):
    return make_child(world.facilitator, household)


@pytest.fixture
def unconsented(world, household):
    return make_child(world.facilitator, household, first_name="Neema", consents=[], last_name="")


def test_a_consented_childs_names_and_birth_date_are_corrected_and_audited_without_names(
    world, consented
):
    child_update(
        actor=world.facilitator,
        child=consented,
        first_name="Amany",
        last_name="Ilunga Kasongo",
        birth_date=date(2012, 5, 4),
    )
    child = Child.objects.get(pk=consented.pk)
    assert (child.first_name, child.last_name, child.birth_date) == (
        "Amany",
        "Ilunga Kasongo",
        date(2012, 5, 4),
    )
    assert child.duplicate_key == duplicate_key("Amany", date(2012, 5, 4), child.household)
    event = AuditEvent.objects.get(action=Action.CHILD_UPDATE, subject_id=str(child.pk))
    assert event.changes == {
        "first_name": "[encrypted]",
        "last_name": "[encrypted]",
        "birth_date": "changed",
        "classification": {"visits": 0, "moves": {}},
    }
    assert "Amany" not in str(event.changes)
    assert "2012" not in str(event.changes)


def test_a_last_name_needs_caregiver_consent_but_other_corrections_do_not(world, unconsented):
    with pytest.raises(DomainError) as refused:
        child_update(
            actor=world.facilitator,
            child=unconsented,
            first_name="Neema",
            last_name="Banza",
            birth_date=unconsented.birth_date,
        )
    assert refused.value.code == "child.last_name_without_consent"
    child_update(
        actor=world.facilitator,
        child=unconsented,
        first_name="Nema",
        last_name="",
        birth_date=unconsented.birth_date,
    )
    assert Child.objects.get(pk=unconsented.pk).first_name == "Nema"


def test_a_correction_that_makes_a_known_child_is_refused(world, consented, unconsented):
    with pytest.raises(DomainError) as refused:
        child_update(
            actor=world.facilitator,
            child=unconsented,
            first_name="Amani",
            last_name="",
            birth_date=consented.birth_date,
        )
    assert refused.value.code == "child.already_recorded"


def test_nothing_changed_writes_no_event(world, consented):
    child_update(
        actor=world.facilitator,
        child=consented,
        first_name=consented.first_name,
        last_name=consented.last_name,
        birth_date=consented.birth_date,
    )
    assert not AuditEvent.objects.filter(action=Action.CHILD_UPDATE).exists()


def test_a_facilitator_of_another_community_is_refused(world, consented):
    with pytest.raises(DomainError) as refused:
        child_update(
            actor=world.other_facilitator,
            child=consented,
            first_name="X",
            last_name="",
            birth_date=consented.birth_date,
        )
    assert refused.value.code == "monitoring.out_of_scope"


def test_the_page_corrects_the_record(world, consented, client_for):
    client = client_for(world.facilitator)
    url = reverse("monitoring:child_edit", args=[consented.pk])
    detail = client.get(reverse("monitoring:child_detail", args=[consented.pk]))
    assert url in detail.content.decode()
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"first_name": "Amany", "last_name": "Ilunga", "birth_date": "2013-03-02"}
    )
    assert response.status_code == 302
    assert Child.objects.get(pk=consented.pk).first_name == "Amany"
    refused = client.post(url, {"first_name": " ", "last_name": "", "birth_date": "2013-03-02"})
    assert refused.status_code == 200
    assert "first name" in refused.content.decode().lower()


@pytest.mark.parametrize(
    "persona",
    ["other_facilitator", "case_manager", "company_member", "auditor", "no_role_user", None],
)
def test_others_cannot_reach_the_page(world, consented, client_for, persona):
    user = getattr(world, persona) if persona else None
    response = client_for(user).get(reverse("monitoring:child_edit", args=[consented.pk]))
    assert response.status_code in (302, 404)  # anonymous: to the sign-in page
    if user is not None:
        assert response.status_code == 404


VISIT_DAY = date(2026, 10, 1)


def _seen_selling(world, household, child, hours=10):
    from monitoring.choices import SchoolStatus, VisitKind
    from monitoring.services.visits import ActivityInput, ObservationInput, visit_record

    return visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=VISIT_DAY,
        household=household,
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.NOT_ENROLLED,
                activities=(ActivityInput("market_vending", hours),),
            )
        ],
    )


def _correct_birth_date(world, child, born):
    return child_update(
        actor=world.facilitator,
        child=child,
        first_name=child.first_name,
        last_name=child.last_name,
        birth_date=born,
    )


def test_a_child_recorded_as_19_and_corrected_to_14_is_identified(world, household):
    from monitoring.models import Identification, Observation

    child = make_child(world.facilitator, household, birth_date=date(2007, 6, 1))  # 19
    _seen_selling(world, household, child)
    assert Observation.objects.get().category == "not_applicable"
    assert not Identification.objects.exists()

    _correct_birth_date(world, child, date(2012, 6, 1))  # 14 on the visit day

    observation = Observation.objects.get()
    assert (observation.age_at_visit, observation.category) == (14, "child_labour")
    assert observation.reasons == ["DRC-MIN-AGE-16"]  # 10 hours: under the ICLS 14
    assert observation.ruleset.startswith("drc@")
    identification = Identification.objects.get(child=child)
    assert (identification.category, identification.status) == ("child_labour", "open")
    assert identification.first_observation == observation
    event = AuditEvent.objects.get(action=Action.CHILD_UPDATE, subject_id=str(child.pk))
    assert event.changes["classification"] == {
        "visits": 1,
        "moves": {"not_applicable->child_labour": 1},
    }
    assert "2012" not in str(event.changes)
    assert AuditEvent.objects.filter(action=Action.IDENTIFICATION_CREATE).count() == 1


def test_a_child_corrected_from_14_to_19_leaves_the_referral_desk(world, household):
    from monitoring.models import Identification, Observation

    child = make_child(world.facilitator, household, birth_date=date(2012, 6, 1))  # 14
    _seen_selling(world, household, child)
    assert Identification.objects.get(child=child).status == "open"

    _correct_birth_date(world, child, date(2007, 6, 1))  # 19 on the visit day

    assert Observation.objects.get().category == "not_applicable"
    identification = Identification.objects.get(child=child)
    assert identification.status == "closed"
    closed = AuditEvent.objects.get(
        action=Action.IDENTIFICATION_UPDATE, subject_id=str(identification.pk)
    )
    assert closed.changes["status"] == {"old": "open", "new": "closed"}


def test_a_correction_within_the_same_category_moves_nothing(world, household):
    from monitoring.models import Identification

    child = make_child(world.facilitator, household, birth_date=date(2012, 6, 1))  # 14
    _seen_selling(world, household, child)

    _correct_birth_date(world, child, date(2012, 1, 1))  # still 14

    event = AuditEvent.objects.get(action=Action.CHILD_UPDATE, subject_id=str(child.pk))
    assert event.changes["classification"] == {"visits": 1, "moves": {}}
    assert not AuditEvent.objects.filter(action=Action.IDENTIFICATION_UPDATE).exists()
    assert Identification.objects.get(child=child).category == "child_labour"


def test_a_date_of_birth_after_a_visit_is_refused(world, household):
    child = make_child(world.facilitator, household, birth_date=date(2012, 6, 1))
    _seen_selling(world, household, child)

    with pytest.raises(DomainError) as refused:
        _correct_birth_date(world, child, date(2026, 10, 2))

    assert (refused.value.code, refused.value.field) == ("child.born_after_a_visit", "birth_date")
    assert "2026-10-01" in refused.value.message
    assert Child.objects.get(pk=child.pk).birth_date == date(2012, 6, 1)
