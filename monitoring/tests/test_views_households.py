"""The household list and page, for every persona, including the outsiders."""

from __future__ import annotations

from datetime import date

import pytest

from audit.actions import Action
from audit.models import AuditEvent
from monitoring.choices import SchoolStatus, VisitKind
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db

OUTSIDERS = ["case_manager", "supervisor", "other_agency_case_manager", "company_member"]


@pytest.fixture
def records(world):
    here = make_household(world.facilitator, world.village, head_name="Kabila Mwamba")
    there = make_household(world.other_facilitator, world.other_village, head_name="Far Away")
    child = make_child(world.facilitator, here, first_name="Amani")
    visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=date(2026, 10, 1),
        household=here,
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.NOT_ENROLLED,
                activities=(ActivityInput("washing_ore", 12),),
            )
        ],
    )
    return {"here": here, "there": there, "child": child}


def test_facilitator_lists_only_households_of_their_communities(world, client_for, records):
    page = client_for(world.facilitator).get("/monitoring/households/").content.decode()
    assert records["here"].code in page
    assert "Kabila Mwamba" in page
    assert records["there"].code not in page
    assert "Far Away" not in page


def test_hub_admin_lists_every_household(world, client_for, records):
    page = client_for(world.hub_admin).get("/monitoring/households/").content.decode()
    assert records["here"].code in page
    assert records["there"].code in page


def test_programme_manager_lists_households_without_names(world, client_for, records):
    page = client_for(world.programme_manager).get("/monitoring/households/").content.decode()
    assert records["here"].code in page
    assert "Kabila Mwamba" not in page


@pytest.mark.parametrize("persona", [*OUTSIDERS, "auditor", "no_role_user"])
def test_outsiders_get_404_on_the_list(world, client_for, records, persona):
    assert client_for(getattr(world, persona)).get("/monitoring/households/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, records):
    response = client.get("/monitoring/households/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    response = client.get(f"/monitoring/households/{records['here'].pk}/")
    assert response["Location"].startswith("/account/login/")


def test_search_by_code_and_by_exact_head_name(world, client_for, records):
    client = client_for(world.hub_admin)
    by_code = client.get("/monitoring/households/", {"q": records["here"].code.lower()})
    assert records["here"].code in by_code.content.decode()
    assert records["there"].code not in by_code.content.decode()
    by_name = client.get("/monitoring/households/", {"q": "  far AWAY "}).content.decode()
    assert records["there"].code in by_name
    assert records["here"].code not in by_name
    nothing = client.get("/monitoring/households/", {"q": "Far"}).content.decode()
    assert records["there"].code not in nothing
    assert "No household matches" in nothing


def test_programme_manager_cannot_find_a_household_by_name(world, client_for, records):
    page = client_for(world.programme_manager).get("/monitoring/households/", {"q": "Far Away"})
    assert records["there"].code not in page.content.decode()


def test_filter_by_community(world, client_for, records):
    page = client_for(world.hub_admin).get(
        "/monitoring/households/", {"community": world.other_village.pk}
    )
    assert records["there"].code in page.content.decode()
    assert records["here"].code not in page.content.decode()


def test_an_htmx_search_returns_only_the_results(world, client_for, records):
    response = client_for(world.hub_admin).get(
        "/monitoring/households/", {"q": records["here"].code}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.startswith('<div id="household-results"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_empty_state_tells_a_facilitator_what_to_do(world, client_for):
    page = client_for(world.facilitator).get("/monitoring/households/").content.decode()
    assert "Record a visit" in page
    assert "A new household" in page


def test_pages_hold_30_households_and_link_to_the_next(world, client_for):
    for number in range(35):
        make_household(world.facilitator, world.village, head_name=f"Head {number}")
    client = client_for(world.facilitator)
    first = client.get("/monitoring/households/")
    assert first.context["page"].next_cursor
    assert len(first.context["page"].items) == 30
    second = client.get("/monitoring/households/", {"cursor": first.context["page"].next_cursor})
    assert len(second.context["page"].items) == 5
    broken = client.get("/monitoring/households/", {"cursor": "not-a-cursor"})
    assert broken.status_code == 200
    assert "This page link is not valid." in broken.content.decode()


def test_list_costs_the_same_queries_for_3_or_30_households(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.facilitator)
    client.get("/monitoring/households/")  # warm the session and principal caches
    for number in range(3):
        household = make_household(world.facilitator, world.village, head_name=f"Head {number}")
        make_child(world.facilitator, household, first_name=f"Child {number}")
    with django_assert_max_num_queries(8) as few:
        client.get("/monitoring/households/")
    for number in range(27):
        household = make_household(world.facilitator, world.village, head_name=f"More {number}")
        make_child(world.facilitator, household, first_name=f"Other {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/monitoring/households/")
    assert len(response.context["page"].items) == 30


# The household page -----------------------------------------------------------------------


def test_facilitator_sees_the_household_page_and_the_view_is_logged(world, client_for, records):
    household = records["here"]
    page = client_for(world.facilitator).get(f"/monitoring/households/{household.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Kabila Mwamba" in html
    assert "Kasulo" in html
    assert "Amani" in html
    assert "Hazardous child labour" in html  # the child's latest category
    assert "1 child seen" in html  # the visit history
    assert "Record a visit" in html
    event = AuditEvent.objects.filter(action=Action.HOUSEHOLD_VIEW).get()
    assert event.actor == world.facilitator
    assert event.subject_id == str(household.pk)


def test_facilitator_gets_404_for_another_communitys_household(world, client_for, records):
    response = client_for(world.facilitator).get(f"/monitoring/households/{records['there'].pk}/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=Action.HOUSEHOLD_VIEW).exists()


def test_hub_admin_sees_any_household_but_cannot_record_there(world, client_for, records):
    html = client_for(world.hub_admin).get(f"/monitoring/households/{records['there'].pk}/")
    assert "Far Away" in html.content.decode()
    assert "/monitoring/visits/new/" not in html.content.decode()


def test_programme_manager_sees_the_household_without_identities(world, client_for, records):
    html = client_for(world.programme_manager).get(f"/monitoring/households/{records['here'].pk}/")
    assert html.status_code == 200
    assert "Kabila Mwamba" not in html.content.decode()
    assert "Amani" not in html.content.decode()
    assert records["child"].code in html.content.decode()


@pytest.mark.parametrize("persona", [*OUTSIDERS, "auditor", "no_role_user"])
def test_outsiders_get_404_on_a_household(world, client_for, records, persona):
    response = client_for(getattr(world, persona)).get(
        f"/monitoring/households/{records['here'].pk}/"
    )
    assert response.status_code == 404


def test_an_unknown_household_is_404(world, client_for):
    assert client_for(world.hub_admin).get("/monitoring/households/999999/").status_code == 404
