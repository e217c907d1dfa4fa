"""Who sees which monitoring rows: each persona, including the outsiders."""

from __future__ import annotations

import pytest
from django.http import Http404

from access import monitoring as access
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world):
    here = make_household(world.facilitator, world.village)
    there = make_household(world.other_facilitator, world.other_village, head_name="Far Away")
    return {
        "here": here,
        "there": there,
        "child_here": make_child(world.facilitator, here),
        "child_there": make_child(world.other_facilitator, there, first_name="Joseph"),
    }


def test_facilitator_sees_only_their_communities(world, records):
    assert list(access.households_visible_to(world.facilitator)) == [records["here"]]
    assert list(access.children_visible_to(world.facilitator)) == [records["child_here"]]
    with pytest.raises(Http404):
        access.get_child_for_user(world.facilitator, records["child_there"].pk)


@pytest.mark.parametrize("persona", ["hub_admin", "programme_manager"])
def test_hub_staff_see_every_household(world, records, persona):
    assert access.households_visible_to(getattr(world, persona)).count() == 2


@pytest.mark.parametrize(
    "persona",
    ["case_manager", "supervisor", "other_agency_case_manager", "company_member", "no_role_user"],
)
def test_outsiders_see_no_household_and_no_child(world, records, persona):
    user = getattr(world, persona)
    assert not access.households_visible_to(user).exists()
    assert not access.children_visible_to(user).exists()
    with pytest.raises(Http404):
        access.get_child_for_user(user, records["child_here"].pk)


def test_anonymous_sees_nothing(records):
    from django.contrib.auth.models import AnonymousUser

    assert not access.children_visible_to(AnonymousUser()).exists()


def test_auditor_sees_children_pseudonymised_but_no_household(world, records):
    assert access.children_visible_to(world.auditor).count() == 2
    assert not access.households_visible_to(world.auditor).exists()
    assert not access.identity_visible(world.auditor)


def test_programme_manager_must_give_a_reason_to_see_identities(world):
    assert access.identity_needs_reason(world.programme_manager)
    assert not access.identity_visible(world.programme_manager)
    assert access.identity_visible(world.facilitator)
    assert not access.identity_needs_reason(world.hub_admin)
