"""A child met on a mine site whose household is not known: recorded, classified, identified,
seen only in the community where met, and attached to the household once the family is found."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditEvent
from core.errors import DomainError
from geo.tests.factories import SiteFactory
from monitoring.models import Child, Identification, Observation
from monitoring.services.child_update import child_attach_household
from monitoring.services.children import child_register
from monitoring.tests.factories import make_child, make_household
from monitoring.tests.test_api import _token
from monitoring.tests.visit_data import activity, new_child, visit_post
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def api_get(client, user, path):
    return client.get(path, headers={"Authorization": f"Bearer {_token(user)}"})


@pytest.fixture
def mine(world):
    return SiteFactory(name="Kasulo pit", area=world.village, kind="artisanal_mine")


@pytest.fixture
def seller(world, client_for, mine):
    """Recorded through the web form: a mine-site visit with no household chosen."""
    data = visit_post(
        kind="site",
        household="",
        site=str(mine.pk),
        children=[
            new_child(
                "Furaha",
                last_name="",
                caregiver_consent="",
                birth_date=date(2012, 5, 1).isoformat(),
                activities=[activity("market_vending", "6")],
            )
        ],
    )
    response = client_for(world.facilitator).post(reverse("monitoring:visit_new"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Child.objects.get()


def test_a_mine_site_visit_records_a_child_without_a_household(world, seller, mine):
    assert seller.household is None
    assert seller.area == world.village
    assert seller.community == world.village
    observation = Observation.objects.get(child=seller)
    assert observation.visit.site == mine
    assert observation.visit.household is None
    assert observation.category == "hazardous_child_labour"
    assert observation.reasons[0] == "DRC-MINE-SITE-ANY-WORK"
    identification = Identification.objects.get(child=seller)
    assert (identification.status, identification.urgency) == ("open", "high")
    created = AuditEvent.objects.get(action=Action.CHILD_CREATE, subject_id=str(seller.pk))
    assert created.changes["household"] is None
    assert created.changes["met_in"] == world.village.pk


def test_a_household_visit_still_needs_a_household(world, client_for):
    data = visit_post(household="", children=[new_child()])

    response = client_for(world.facilitator).post(reverse("monitoring:visit_new"), data)

    assert response.status_code == 200
    assert "Choose the household visited." in response.content.decode()
    assert not Child.objects.exists()


def test_a_site_visit_without_household_or_site_is_refused(world, client_for):
    data = visit_post(kind="site", household="", children=[new_child()])

    response = client_for(world.facilitator).post(reverse("monitoring:visit_new"), data)

    assert "Choose the site or school visited." in response.content.decode()
    assert not Child.objects.exists()


def test_the_facilitator_sees_the_child_and_is_offered_to_attach_a_household(
    world, client_for, seller
):
    client = client_for(world.facilitator)

    page = client.get(reverse("monitoring:child_detail", args=[seller.pk])).content.decode()
    listing = client.get(reverse("monitoring:child_list")).content.decode()

    assert "Community where met" in page
    assert "Not known yet" in page
    assert reverse("monitoring:child_attach_household", args=[seller.pk]) in page
    assert seller.code in listing
    assert "Kasulo" in listing


@pytest.mark.parametrize(
    "persona", ["other_facilitator", "company_member", "case_manager", "no_role_user"]
)
def test_others_see_nothing_of_the_child(world, client_for, seller, persona):
    client = client_for(getattr(world, persona))

    detail = client.get(reverse("monitoring:child_detail", args=[seller.pk]))
    attach = client.get(reverse("monitoring:child_attach_household", args=[seller.pk]))
    api = api_get(client_for(None), getattr(world, persona), f"/api/v1/children/{seller.pk}")
    listing = client.get(reverse("monitoring:child_list"))

    assert (detail.status_code, attach.status_code, api.status_code) == (404, 404, 404)
    assert seller.code not in listing.content.decode()


def test_anonymous_is_sent_to_sign_in(client_for, seller):
    response = client_for(None).get(reverse("monitoring:child_detail", args=[seller.pk]))

    assert response.status_code == 302


def test_the_api_gives_the_community_where_met_and_no_household(world, client_for, seller):
    client = client_for(None)

    response = api_get(client, world.facilitator, f"/api/v1/children/{seller.pk}")
    listed = api_get(client, world.facilitator, f"/api/v1/children?area={world.village.pk}")
    elsewhere = api_get(client, world.hub_admin, f"/api/v1/children?area={world.other_village.pk}")

    assert_matches_schema(response, "/api/v1/children/{child_id}")
    child = response.json()
    assert child["household"] is None
    assert child["area"]["id"] == world.village.pk
    assert [item["id"] for item in listed.json()["items"]] == [seller.pk]
    assert elsewhere.json()["items"] == []


def test_the_referral_desk_refers_the_child_and_an_agency_opens_a_case(world, client_for, seller):
    from accounts.models import Organisation
    from cases.tests.factories import accredit, clear, open_case

    accredit(world, Organisation.objects.get(name="Agency One"))
    clear(world, world.case_manager)
    identification = Identification.objects.get(child=seller)
    desk = client_for(world.hub_admin).get(
        reverse("monitoring:desk_detail", args=[identification.pk])
    )
    assert desk.status_code == 200
    assert "Not known yet" in desk.content.decode()

    case = open_case(world, identification=identification)

    assert case.child == seller
    assert case.referral.area == world.village


def test_the_same_child_met_twice_in_a_community_is_refused_the_second_time(world, seller):
    with pytest.raises(DomainError) as refused:
        child_register(
            actor=world.facilitator,
            met_in=world.village,
            first_name="Furaha",
            sex="female",
            birth_date=date(2012, 5, 1),
            age_evidence="self_report",
            age_confidence="low",
        )

    assert refused.value.code == "child.already_recorded"
    assert seller.code in refused.value.message


def test_a_child_needs_a_household_or_a_community_not_both(world):
    household = make_household(world.facilitator, world.village)
    for place in ({}, {"household": household, "met_in": world.village}):
        with pytest.raises(DomainError) as refused:
            child_register(
                actor=world.facilitator,
                first_name="Furaha",
                sex="female",
                estimated_age=12,
                age_evidence="self_report",
                age_confidence="low",
                **place,
            )
        assert refused.value.code == "child.household_or_community"


def test_a_facilitator_attaches_the_child_once_the_family_is_found(world, client_for, seller):
    household = make_household(world.facilitator, world.village, head_name="Mama Furaha")
    client = client_for(world.facilitator)
    url = reverse("monitoring:child_attach_household", args=[seller.pk])

    unknown = client.post(url, {"household_code": "HH-NOPE"})
    response = client.post(url, {"household_code": household.code.lower()})

    assert "No household of your communities has this code." in unknown.content.decode()
    assert response.status_code == 302
    seller.refresh_from_db()
    assert (seller.household, seller.area) == (household, None)
    event = AuditEvent.objects.get(action=Action.CHILD_ATTACH_HOUSEHOLD)
    assert event.changes == {"household": household.pk, "met_in": world.village.pk}
    assert "Mama" not in str(event.changes)
    assert client.get(url).status_code == 404  # nothing left to attach
    assert Identification.objects.get(child=seller).status == "open"


def test_a_household_of_another_community_cannot_be_chosen(world, client_for, seller):
    elsewhere = make_household(world.other_facilitator, world.other_village)

    response = client_for(world.facilitator).post(
        reverse("monitoring:child_attach_household", args=[seller.pk]),
        {"household_code": elsewhere.code},
    )

    assert "No household of your communities has this code." in response.content.decode()
    with pytest.raises(DomainError) as refused:
        child_attach_household(actor=world.other_facilitator, child=seller, household=elsewhere)
    assert refused.value.code == "monitoring.out_of_scope"


def test_attaching_to_a_household_where_the_child_is_already_recorded_is_refused(world, seller):
    household = make_household(world.facilitator, world.village)
    twin = make_child(
        world.facilitator, household, first_name="Furaha", birth_date=date(2012, 5, 1)
    )

    with pytest.raises(DomainError) as refused:
        child_attach_household(actor=world.facilitator, child=seller, household=household)

    assert refused.value.code == "child.already_recorded"
    assert twin.code in refused.value.message
    assert Child.objects.get(pk=seller.pk).household is None


def _follow_up(actor, child, hours=6):
    from monitoring.services.visits import ActivityInput, ObservationInput, visit_record

    return visit_record(
        actor=actor,
        facilitator=actor,
        kind="follow_up",
        visited_on=date.today(),  # noqa: DTZ011 — a visit day, as the form gives it
        observations=[
            ObservationInput(
                child=child,
                school_status="attending_irregularly",
                activities=(ActivityInput("market_vending", hours),),
            )
        ],
    )


def test_a_follow_up_without_household_belongs_to_the_community_where_met(world, seller):
    visit = _follow_up(world.facilitator, seller)

    assert (visit.area, visit.household, visit.site) == (world.village, None, None)
    # No place is said on such a follow-up: the work is judged as work, not as mine-site work.
    assert visit.observations.get().reasons == ["DRC-MIN-AGE-16"]
    with pytest.raises(DomainError) as refused:
        _follow_up(world.other_facilitator, seller)
    assert refused.value.code == "monitoring.out_of_scope"


def test_a_follow_up_of_a_child_with_a_household_still_needs_it(world):
    household = make_household(world.facilitator, world.village)
    child = make_child(world.facilitator, household)

    with pytest.raises(DomainError) as refused:
        _follow_up(world.facilitator, child)

    assert refused.value.code == "visit.household_required"


def api_post(client, user, path, body):
    import json

    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {_token(user)}"},
    )


def test_the_api_records_a_follow_up_site_visit_of_the_child(world, client_for, seller, mine):
    body = {
        "kind": "site",
        "visited_on": str(date.today()),  # noqa: DTZ011 — a visit day
        "site_id": mine.pk,
        "children": [
            {
                "child_id": seller.pk,
                "school_status": "not_enrolled",
                "activities": [{"task": "market_vending", "hours_per_week": 4}],
            }
        ],
    }
    client = client_for(None)

    recorded = api_post(client, world.facilitator, "/api/v1/visits", body)
    refused = api_post(client, world.other_facilitator, "/api/v1/visits", body)

    assert recorded.status_code == 201
    assert_matches_schema(recorded, "/api/v1/visits", "post")
    (seen,) = recorded.json()["observations"]
    assert seen["reasons"][0]["rule_id"] == "DRC-MINE-SITE-ANY-WORK"
    assert refused.status_code == 400  # the site is not theirs: refused before any child
    assert refused.json()["field"] == "site_id"
    assert Observation.objects.filter(child=seller).count() == 2


def test_the_family_already_on_file_is_offered_as_a_duplicate_and_the_merge_keeps_it(world, seller):
    from monitoring.models import DuplicateCandidate
    from monitoring.services.duplicates import duplicate_merge

    household = make_household(world.facilitator, world.village)
    at_home = make_child(
        world.facilitator, household, first_name="Furaha", birth_date=date(2013, 1, 1)
    )
    elsewhere = make_household(world.other_facilitator, world.other_village)
    make_child(world.other_facilitator, elsewhere, first_name="Furaha", birth_date=date(2012, 5, 1))

    candidate = DuplicateCandidate.objects.get()
    assert {candidate.child_id, candidate.other_id} == {seller.pk, at_home.pk}
    assert candidate.reason == "same_community_first_name"

    duplicate_merge(actor=world.hub_admin, candidate=candidate, keep=seller)

    seller.refresh_from_db()
    assert (seller.household, seller.area) == (household, None)
    merged = AuditEvent.objects.get(action=Action.CHILD_MERGE)
    assert merged.changes["household_from_merged"] == household.pk
    assert Observation.objects.filter(child=seller).count() == 1


def test_the_preview_of_a_mine_site_visit_explains_the_mine_site_rule(world, client_for, mine):
    data = visit_post(
        kind="site",
        household="",
        site=str(mine.pk),
        action="preview",
        children=[new_child("Furaha", activities=[activity("market_vending", "6")])],
    )

    response = client_for(world.facilitator).post(reverse("monitoring:visit_preview"), data)

    html = response.content.decode()
    assert "Hazardous child labour" in html
    assert "The child was met on a mine site and worked at least 1 hour" in html
    assert not Child.objects.exists()
