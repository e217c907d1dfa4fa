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
from monitoring.services.children import child_update, duplicate_key
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
