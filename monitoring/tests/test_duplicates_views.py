"""Reviewing possible duplicates: who may, the side-by-side page, merging and dismissing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from access.monitoring import merged_record_for_user
from audit.actions import Action
from audit.models import AuditEvent
from monitoring.choices import DuplicateStatus, VisitKind
from monitoring.models import Child, DuplicateCandidate, Observation
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db

LIST = "/monitoring/duplicates/"
OUTSIDERS = [
    "facilitator",
    "other_facilitator",
    "case_manager",
    "supervisor",
    "other_agency_case_manager",
    "company_member",
    "auditor",
    "no_role_user",
]


def _visit(world, household, child, days_ago, *activities):
    return visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=timezone.localdate() - timedelta(days=days_ago),
        household=household,
        observations=[
            ObservationInput(
                child=child, school_status="not_enrolled", activities=tuple(activities)
            )
        ],
    )


@pytest.fixture
def pair(world):
    """Amani recorded twice in one household, a year apart in birth date, seen on three visits."""
    household = make_household(world.facilitator, world.village)
    first = make_child(world.facilitator, household, birth_date=date(2013, 3, 1))
    second = make_child(
        world.facilitator,
        household,
        birth_date=None,
        estimated_age=12,
        consents=[],
        last_name="",
    )
    _visit(world, household, first, 20, ActivityInput("digging", 6))
    _visit(world, household, second, 10)
    _visit(world, household, second, 5, ActivityInput("market_vending", 3))
    return {
        "candidate": DuplicateCandidate.objects.get(),
        "first": first,
        "second": second,
        "household": household,
    }


def _page(response):
    assert response.status_code == 200
    return response.content.decode()


def _detail(pair):
    return f"{LIST}{pair['candidate'].pk}/"


# Who may review --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hub_admin", "programme_manager"])
def test_hub_staff_see_open_pairs_with_the_reason(world, pair, client_for, persona):
    page = _page(client_for(getattr(world, persona)).get(LIST))
    assert pair["first"].code in page
    assert pair["second"].code in page
    assert "Same first name in the same household" in page


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_everyone_else_gets_404(world, pair, client_for, persona):
    client = client_for(getattr(world, persona))
    keep = {"keep": pair["first"].pk}
    assert client.get(LIST).status_code == 404
    assert client.get(_detail(pair)).status_code == 404
    assert client.post(f"{_detail(pair)}merge/", keep).status_code == 404
    assert client.post(f"{_detail(pair)}dismiss/", {"reason": "twins"}).status_code == 404
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.OPEN


def test_anonymous_visitor_is_sent_to_sign_in(world, pair, client):
    for response in (
        client.get(LIST),
        client.get(_detail(pair)),
        client.post(f"{_detail(pair)}merge/", {"keep": pair["first"].pk}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.OPEN


def test_the_menu_entry_shows_only_to_reviewers(world, client_for):
    assert 'href="/monitoring/duplicates/"' in _page(client_for(world.programme_manager).get("/"))
    assert 'href="/monitoring/duplicates/"' not in _page(client_for(world.facilitator).get("/"))


def test_empty_list_says_when_pairs_appear(world, client_for):
    assert "No pair is waiting for review." in _page(client_for(world.hub_admin).get(LIST))


def test_the_list_costs_the_same_for_many_pairs(world, client_for, django_assert_max_num_queries):
    household = make_household(world.facilitator, world.village)
    for number in range(6):
        make_child(world.facilitator, household, first_name=f"Twin{number}")
        make_child(
            world.facilitator, household, first_name=f"Twin{number}", birth_date=date(2014, 1, 1)
        )
    client = client_for(world.hub_admin)
    client.get(LIST)
    # Five queries any signed-in page makes, then the page of pairs with both children placed.
    with django_assert_max_num_queries(6):
        page = _page(client.get(LIST))
    assert page.count('href="/monitoring/duplicates/') == 7  # six pairs and the menu entry


# Side by side -----------------------------------------------------------------------------------


def test_side_by_side_compares_what_tells_the_records_apart(world, pair, client_for):
    page = _page(client_for(world.hub_admin).get(_detail(pair)))
    assert "Amani Ilunga" in page  # the first record has consent, so its last name
    assert "(estimated)" in page
    assert pair["household"].code in page
    assert "Kasulo" in page
    assert "Caregiver consent" in page
    assert "None recorded" in page  # the second record has no consent
    assert "1 visit" in page
    assert "2 visits" in page
    assert "Hazardous child labour" in page  # the first record's latest category
    assert page.count("Merge, keeping this record") == 2
    assert page.count("data-confirm=") == 2
    assert "Not the same child" in page


def test_programme_manager_compares_codes_not_names(world, pair, client_for):
    page = _page(client_for(world.programme_manager).get(_detail(pair)))
    assert "Amani" not in page
    assert pair["first"].code in page


def test_opening_the_comparison_logs_a_read_of_both_children(world, pair, client_for):
    client_for(world.hub_admin).get(_detail(pair))
    viewed = set(
        AuditEvent.objects.filter(action=Action.CHILD_VIEW).values_list("subject_id", flat=True)
    )
    assert viewed == {str(pair["first"].pk), str(pair["second"].pk)}


def test_unknown_pair_is_404(world, client_for):
    assert client_for(world.hub_admin).get(f"{LIST}999999/").status_code == 404


# Merging -----------------------------------------------------------------------------------------


def test_merge_keeps_every_visit_on_the_chosen_record(world, pair, client_for):
    first, second = pair["first"], pair["second"]
    client = client_for(world.hub_admin)
    response = client.post(f"{_detail(pair)}merge/", {"keep": second.pk})
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert Observation.objects.filter(child=second).count() == 3
    assert not Observation.objects.filter(child=first).exists()
    first.refresh_from_db()
    assert first.merged_into_id == second.pk
    second.refresh_from_db()
    assert second.last_name == "Ilunga"  # the kept record gains the consented last name
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.MERGED
    event = AuditEvent.objects.get(action=Action.CHILD_MERGE)
    assert event.actor == world.hub_admin
    assert event.changes["merged"] == first.pk
    page = _page(client.get(LIST))
    assert f"The two records are now one: {second.code}" in page
    assert "No pair is waiting for review." in page


def test_the_merged_record_leads_to_the_kept_one(world, pair, client_for):
    first, second = pair["first"], pair["second"]
    assert merged_record_for_user(world.hub_admin, first) is None  # still live
    client_for(world.programme_manager).post(f"{_detail(pair)}merge/", {"keep": first.pk})
    second.refresh_from_db()
    assert merged_record_for_user(world.facilitator, second) == first
    assert merged_record_for_user(world.other_facilitator, second) is None  # not theirs to see


def test_merge_must_keep_one_of_the_two(world, pair, client_for):
    stranger = make_child(
        world.facilitator, pair["household"], first_name="Joseph", birth_date=date(2009, 1, 1)
    )
    client = client_for(world.hub_admin)
    response = client.post(f"{_detail(pair)}merge/", {"keep": stranger.pk})
    assert response.status_code == 302
    assert response["Location"] == _detail(pair)
    assert "Keep one of the two records." in _page(client.get(_detail(pair)))
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.OPEN
    assert not Child.objects.exclude(merged_into=None).exists()


def test_merge_without_a_record_to_keep_is_404(world, pair, client_for):
    client = client_for(world.hub_admin)
    assert client.post(f"{_detail(pair)}merge/", {}).status_code == 404
    assert client.post(f"{_detail(pair)}merge/", {"keep": "x"}).status_code == 404
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.OPEN


def test_merge_and_dismiss_only_answer_post(world, pair, client_for):
    client = client_for(world.hub_admin)
    assert client.get(f"{_detail(pair)}merge/").status_code == 405
    assert client.get(f"{_detail(pair)}dismiss/").status_code == 405


# Dismissing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_dismiss_needs_a_reason(world, pair, client_for, reason):
    response = client_for(world.hub_admin).post(f"{_detail(pair)}dismiss/", {"reason": reason})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.OPEN
    assert not AuditEvent.objects.filter(action=Action.DUPLICATE_DISMISS).exists()


def test_dismiss_with_a_reason_keeps_both_records(world, pair, client_for):
    response = client_for(world.programme_manager).post(
        f"{_detail(pair)}dismiss/", {"reason": "Twins: the mother confirmed two girls."}
    )
    assert response.status_code == 302
    candidate = DuplicateCandidate.objects.get()
    assert candidate.status == DuplicateStatus.DISMISSED
    assert candidate.reviewed_by == world.programme_manager
    event = AuditEvent.objects.get(action=Action.DUPLICATE_DISMISS)
    assert event.reason == "Twins: the mother confirmed two girls."
    assert not Child.objects.exclude(merged_into=None).exists()


def test_a_reviewed_pair_offers_no_action(world, pair, client_for):
    client = client_for(world.hub_admin)
    client.post(f"{_detail(pair)}dismiss/", {"reason": "twins"})
    page = _page(client.get(_detail(pair)))
    assert "This pair was already reviewed: Not the same child." in page
    assert "Merge, keeping this record" not in page
    response = client.post(f"{_detail(pair)}merge/", {"keep": pair["first"].pk})
    assert response.status_code == 302
    assert "This pair was already reviewed." in _page(client.get(_detail(pair)))
    assert not Child.objects.exclude(merged_into=None).exists()
