"""Who sees which cases, referrals and children: every persona, including the outsiders."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from access import cases as access
from access.monitoring import children_visible_to, get_child_for_user
from cases import selectors
from cases.services.referrals import referral_create
from cases.tests.factories import identify_child, open_case

pytestmark = pytest.mark.django_db

NO_CASE_PERSONAS = [
    "facilitator",
    "other_facilitator",
    "company_member",
    "auditor",
    "no_role_user",
]


@pytest.fixture
def records(world, agencies):
    """A case with Agency One, a referral waiting at Agency Two, a child found in Kanina."""
    case = open_case(world)
    waiting = referral_create(
        actor=world.hub_admin,
        identification=identify_child(world, first_name="Joseph"),
        agency=agencies.two,
    )
    elsewhere = identify_child(world, first_name="Neema", area=world.other_village)
    return {"case": case, "waiting": waiting, "elsewhere": elsewhere}


@pytest.mark.parametrize("persona", ["case_manager", "supervisor"])
def test_agency_staff_see_their_agencys_cases(world, records, persona):
    user = getattr(world, persona)
    assert list(access.cases_visible_to(user)) == [records["case"]]
    assert access.get_case_for_user(user, records["case"].pk) == records["case"]


def test_another_agencys_case_manager_gets_404(world, records):
    user = world.other_agency_case_manager
    assert not access.cases_visible_to(user).exists()
    with pytest.raises(Http404):
        access.get_case_for_user(user, records["case"].pk)


@pytest.mark.parametrize("persona", ["hub_admin", "programme_manager"])
def test_the_hub_sees_every_case(world, records, persona):
    user = getattr(world, persona)
    assert list(access.cases_visible_to(user)) == [records["case"]]
    assert access.get_case_for_user(user, str(records["case"].pk)) == records["case"]
    assert access.referrals_visible_to(user).count() == 2


@pytest.mark.parametrize("persona", NO_CASE_PERSONAS)
def test_everyone_else_sees_no_case_and_no_referral(world, records, persona):
    user = getattr(world, persona)
    assert not access.cases_visible_to(user).exists()
    assert not access.referrals_visible_to(user).exists()
    with pytest.raises(Http404):
        access.get_case_for_user(user, records["case"].pk)
    with pytest.raises(Http404):
        access.get_referral_for_user(user, records["waiting"].pk)


def test_anonymous_sees_nothing(records):
    anonymous = AnonymousUser()
    assert not access.cases_visible_to(anonymous).exists()
    assert not access.referrals_visible_to(anonymous).exists()
    assert not access.transfer_summaries_visible_to(anonymous).exists()
    assert access.referral_status_for_children(anonymous, [records["case"].child_id]) == {}
    with pytest.raises(Http404):
        access.get_case_for_user(anonymous, records["case"].pk)


@pytest.mark.parametrize("bad_id", ["abc", "", None, 10**9])
def test_a_malformed_or_unknown_id_is_404(world, records, bad_id):
    with pytest.raises(Http404):
        access.get_case_for_user(world.hub_admin, bad_id)


def test_an_agency_sees_the_referrals_made_to_it(world, records):
    assert list(access.referrals_visible_to(world.other_agency_case_manager)) == [
        records["waiting"]
    ]
    assert (
        access.get_referral_for_user(world.other_agency_case_manager, records["waiting"].pk)
        == records["waiting"]
    )
    assert list(access.referrals_visible_to(world.case_manager)) == [records["case"].referral]
    with pytest.raises(Http404):
        access.get_referral_for_user(world.case_manager, records["waiting"].pk)


def test_case_staff_see_the_children_of_their_cases_only(world, records):
    child = records["case"].child
    assert list(children_visible_to(world.case_manager)) == [child]
    assert list(children_visible_to(world.supervisor)) == [child]
    assert get_child_for_user(world.case_manager, child.pk) == child
    # A child only referred to Agency Two is not theirs until it accepts.
    assert not children_visible_to(world.other_agency_case_manager).exists()
    with pytest.raises(Http404):
        get_child_for_user(world.other_agency_case_manager, child.pk)
    with pytest.raises(Http404):
        get_child_for_user(world.case_manager, records["waiting"].child_id)


def test_facilitators_see_referral_status_in_their_communities_only(world, records):
    ids = [
        records["case"].child_id,
        records["waiting"].child_id,
        records["elsewhere"].child_id,
    ]
    statuses = access.referral_status_for_children(world.facilitator, ids)
    assert set(statuses) == {records["case"].child_id, records["waiting"].child_id}
    waiting = statuses[records["waiting"].child_id]
    assert (waiting.status, waiting.agency_name) == ("pending", "Agency Two")
    assert waiting.status_label == "Waiting for the agency"
    assert statuses[records["case"].child_id].status == "accepted"
    # Kanina's facilitator knows of no referral there (Neema is not referred yet).
    assert access.referral_status_for_children(world.other_facilitator, ids) == {}


@pytest.mark.parametrize("persona", ["company_member", "auditor", "no_role_user"])
def test_no_referral_status_for_companies_auditors_or_no_role(world, records, persona):
    ids = [records["case"].child_id, records["waiting"].child_id]
    assert access.referral_status_for_children(getattr(world, persona), ids) == {}


def test_referral_status_costs_one_query_for_many_children(
    world, records, django_assert_max_num_queries
):
    ids = [records["case"].child_id, records["waiting"].child_id]
    access.referral_status_for_children(world.facilitator, ids)  # warms the principal cache
    with django_assert_max_num_queries(1):
        access.referral_status_for_children(world.facilitator, ids)


def test_the_case_list_is_one_page_in_few_queries(world, records, django_assert_max_num_queries):
    for name in ("Ana", "Beni", "Chausiku"):
        open_case(world, first_name=name)
    selectors.case_list(world.case_manager)  # warms the principal cache
    with django_assert_max_num_queries(1):
        page = selectors.case_list(world.case_manager, limit=3)
        numbers = [(case.number, case.child.code, case.agency.name) for case in page.items]
    assert len(numbers) == 3
    assert page.next_cursor is not None
    rest = selectors.case_list(world.case_manager, cursor=page.next_cursor, limit=3)
    assert [case.pk for case in rest.items] == [records["case"].pk]
    assert selectors.case_list(world.case_manager, search=records["case"].number).items == [
        records["case"]
    ]
    assert selectors.case_list(world.other_agency_case_manager).items == []
