"""The case file's sponsor page: Hub staff give a case a cohort place, or take it out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from audit.actions import Action
from audit.models import AuditEvent
from cases.models import Case
from cases.tests.factories import open_case
from companies.models import CohortCase
from companies.services.cohorts import cohort_create

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "case_manager",
    "supervisor",
    "other_agency_case_manager",
    "facilitator",
    "company_member",
    "auditor",
    "no_role_user",
]


@pytest.fixture
def cohort(world):
    return cohort_create(
        actor=world.hub_admin,
        company=Organisation.objects.get(name="Company One"),
        name="Kolwezi schools 2026",
        places=1,
        starts_on=timezone.localdate() - timedelta(days=30),
    )


def _text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def test_hub_staff_give_a_case_a_place_once_they_confirm(world, agencies, cohort, client_for):
    case = open_case(world)
    client = client_for(world.programme_manager)
    url = reverse("cases:case_sponsor", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Kolwezi schools 2026 (1 of 1 places left)" in _text(page)
    unconfirmed = client.post(url, {"cohort": cohort.pk})
    assert "Tick the box to confirm." in _text(unconfirmed)
    assert not CohortCase.objects.filter(case=case).exists()
    done = client.post(url, {"cohort": cohort.pk, "confirm": "on"})
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).sponsor_id == cohort.company_id
    assert AuditEvent.objects.filter(action=Action.COHORT_ASSIGN, subject_id=str(case.pk)).exists()
    file = _text(client.get(reverse("cases:case_detail", args=[case.pk])))
    assert "Company One" in file


def test_a_full_cohort_is_refused_with_its_reason(world, agencies, cohort, client_for):
    first = open_case(world)
    second = open_case(world, first_name="Neema")
    client = client_for(world.hub_admin)
    client.post(
        reverse("cases:case_sponsor", args=[first.pk]), {"cohort": cohort.pk, "confirm": "on"}
    )
    refused = client.post(
        reverse("cases:case_sponsor", args=[second.pk]), {"cohort": cohort.pk, "confirm": "on"}
    )
    assert refused.status_code == 200
    assert "All 1 places of this cohort are taken." in _text(refused)
    assert Case.objects.get(pk=second.pk).sponsor_id is None


def test_taking_a_case_out_frees_the_place(world, agencies, cohort, client_for):
    case = open_case(world)
    client = client_for(world.hub_admin)
    client.post(
        reverse("cases:case_sponsor", args=[case.pk]), {"cohort": cohort.pk, "confirm": "on"}
    )
    remove = reverse("cases:case_sponsor_remove", args=[case.pk])
    client.post(remove, {})  # not confirmed: nothing changes
    assert CohortCase.objects.filter(case=case).exists()
    client.post(remove, {"confirm": "on"})
    assert not CohortCase.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).sponsor_id is None
    assert AuditEvent.objects.filter(action=Action.COHORT_REMOVE).count() == 1
    # The place is free for another case.
    other = open_case(world, first_name="Neema")
    client.post(
        reverse("cases:case_sponsor", args=[other.pk]), {"cohort": cohort.pk, "confirm": "on"}
    )
    assert Case.objects.get(pk=other.pk).sponsor_id == cohort.company_id


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_nobody_else_reaches_the_sponsor_page(world, agencies, cohort, client_for, persona):
    case = open_case(world)
    client = client_for(getattr(world, persona))
    assert client.get(reverse("cases:case_sponsor", args=[case.pk])).status_code == 404
    posted = client.post(
        reverse("cases:case_sponsor", args=[case.pk]), {"cohort": cohort.pk, "confirm": "on"}
    )
    assert posted.status_code == 404
    removed = client.post(reverse("cases:case_sponsor_remove", args=[case.pk]), {"confirm": "on"})
    assert removed.status_code == 404
    assert not CohortCase.objects.filter(case=case).exists()
    assert client_for(None).get(reverse("cases:case_sponsor", args=[case.pk])).status_code == 302
