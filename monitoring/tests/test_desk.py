"""The referral desk: who sees it, what each row says, the countdown, filters and pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from monitoring import desk_selectors
from monitoring.choices import IdentificationStatus, VisitKind
from monitoring.models import Identification
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db

DESK = "/monitoring/desk/"
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


def _record(world, household, child, *activities, days_ago=0, **extra):
    visit_record(
        actor=world.hub_admin,
        facilitator=world.hub_admin,
        kind=VisitKind.HOUSEHOLD,
        visited_on=timezone.localdate() - timedelta(days=days_ago),
        household=household,
        observations=[
            ObservationInput(
                child=child,
                school_status=extra.pop("school_status", "not_enrolled"),
                activities=tuple(activities),
                **extra,
            )
        ],
    )
    return Identification.objects.get(child=child, status=IdentificationStatus.OPEN)


def _due_in(identification, delta):
    """Move a deadline relative to now: how the tests stand at a chosen moment of the wait."""
    Identification.objects.filter(pk=identification.pk).update(deadline_at=timezone.now() + delta)
    identification.refresh_from_db()
    return identification


@pytest.fixture
def desk(world):
    """Three children waiting: one in each urgency, in two communities."""
    here = make_household(world.facilitator, world.village)
    there = make_household(world.other_facilitator, world.other_village, head_name="Far Away")
    washing = make_child(world.facilitator, here, first_name="Amani", birth_date=date(2012, 1, 5))
    vending = make_child(world.facilitator, here, first_name="Neema", birth_date=date(2011, 6, 1))
    bonded = make_child(
        world.other_facilitator, there, first_name="Joseph", birth_date=date(2010, 2, 2)
    )
    return {
        "hazardous": _record(
            world, here, washing, ActivityInput("washing_ore", 10, ("dust_or_chemicals",))
        ),
        "standard": _record(world, here, vending, ActivityInput("market_vending", 5)),
        "worst": _record(
            world, there, bonded, ActivityInput("digging", 20), worst_forms=("debt_bondage",)
        ),
    }


def _page(response):
    assert response.status_code == 200
    return response.content.decode()


# Who sees the desk -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hub_admin", "programme_manager"])
def test_hub_staff_see_every_open_identification_most_urgent_first(
    world, desk, client_for, persona
):
    page = _page(client_for(getattr(world, persona)).get(DESK))
    codes = [desk[key].child.code for key in ("worst", "hazardous", "standard")]
    positions = [page.index(code) for code in codes]
    assert positions == sorted(positions)
    assert "Kasulo" in page
    assert "Kanina" in page


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_everyone_else_gets_404_on_the_desk_and_its_pages(world, desk, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(DESK).status_code == 404
    assert client.get(f"{DESK}{desk['worst'].pk}/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(world, desk, client):
    for url in (DESK, f"{DESK}{desk['worst'].pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")


def test_hub_admin_sees_names_and_programme_manager_sees_only_codes(world, desk, client_for):
    admin_page = _page(client_for(world.hub_admin).get(DESK))
    manager_page = _page(client_for(world.programme_manager).get(DESK))
    assert "Amani Ilunga" in admin_page
    assert "Amani" not in manager_page
    assert "Ilunga" not in manager_page
    assert desk["hazardous"].child.code in manager_page


def test_a_row_says_age_sex_category_urgency_and_why_in_plain_words(world, desk, client_for):
    page = _page(client_for(world.hub_admin).get(DESK))
    assert "Hazardous child labour" in page
    assert "Hazardous (72 hours)" in page
    assert "Worst forms of child labour" in page
    assert "Girl / woman" in page
    age = desk["hazardous"].child.age_on(timezone.localdate())
    assert f"{age} years old" in page
    # The rule's own explanation, not its id.
    assert "debt" in page
    assert "WFCL-DEBT-BONDAGE" not in page


def test_referred_and_closed_identifications_leave_the_desk(world, desk, client_for):
    Identification.objects.filter(pk=desk["standard"].pk).update(
        status=IdentificationStatus.REFERRED
    )
    page = _page(client_for(world.hub_admin).get(DESK))
    assert desk["standard"].child.code not in page
    assert desk["worst"].child.code in page


def test_the_desk_menu_entry_shows_only_to_the_desk(world, client_for):
    assert 'href="/monitoring/desk/"' in _page(client_for(world.hub_admin).get("/"))
    assert 'href="/monitoring/desk/"' not in _page(client_for(world.facilitator).get("/"))


# Countdown --------------------------------------------------------------------------------------


def test_countdown_words():
    now = datetime(2026, 5, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
    soon = desk_selectors.deadline_countdown(now + timedelta(hours=5, minutes=20), now)
    assert (soon.overdue, soon.text.replace("\xa0", " ")) == (False, "due in 5 hours")
    late = desk_selectors.deadline_countdown(now - timedelta(days=2, hours=3), now)
    assert (late.overdue, late.text.replace("\xa0", " ")) == (True, "overdue by 2 days")
    minutes = desk_selectors.deadline_countdown(now + timedelta(minutes=40), now)
    assert minutes.text.replace("\xa0", " ") == "due in 40 minutes"
    assert desk_selectors.deadline_countdown(now, now).overdue


def test_overdue_rows_are_flagged_in_words_with_a_machine_readable_deadline(
    world, desk, client_for
):
    late = _due_in(desk["standard"], -timedelta(days=2, hours=2))
    _due_in(desk["hazardous"], timedelta(hours=5, minutes=30))
    page = _page(client_for(world.hub_admin).get(DESK)).replace("\xa0", " ")
    assert "overdue by 2 days" in page
    assert "due in 5 hours" in page
    assert page.count("Overdue</strong>") == 1
    assert f'<time datetime="{timezone.localtime(late.deadline_at).isoformat()}"' in page
    # The overdue row comes first: its deadline is the earliest.
    assert page.index(late.child.code) < page.index(desk["worst"].child.code)


# Filters and pages ----------------------------------------------------------------------------


def test_filter_by_urgency_and_category(world, desk, client_for):
    client = client_for(world.hub_admin)
    page = _page(client.get(DESK, {"urgency": "high"}))
    assert desk["hazardous"].child.code in page
    assert desk["worst"].child.code not in page
    page = _page(client.get(DESK, {"category": "worst_forms"}))
    assert desk["worst"].child.code in page
    assert desk["standard"].child.code not in page


def test_filter_by_area_takes_the_whole_subtree(world, desk, client_for):
    client = client_for(world.hub_admin)
    page = _page(client.get(DESK, {"area": "V-KANINA"}))
    assert desk["worst"].child.code in page
    assert desk["hazardous"].child.code not in page
    page = _page(client.get(DESK, {"area": "CD-LU-LUB"}))  # the territory above both villages
    assert all(desk[key].child.code in page for key in desk)


def test_an_unknown_area_code_is_reported_and_ignored(world, desk, client_for):
    page = _page(client_for(world.hub_admin).get(DESK, {"area": "NOWHERE"}))
    assert "No area you can see has this code." in page
    assert desk["worst"].child.code in page


def test_overdue_only(world, desk, client_for):
    _due_in(desk["standard"], -timedelta(hours=3))
    page = _page(client_for(world.hub_admin).get(DESK, {"overdue": "on"}))
    assert desk["standard"].child.code in page
    assert desk["worst"].child.code not in page


def test_empty_states_say_what_happens_next(world, client_for):
    page = _page(client_for(world.hub_admin).get(DESK))
    assert "No child is waiting for referral." in page
    page = _page(client_for(world.hub_admin).get(DESK, {"urgency": "immediate"}))
    assert "No waiting child matches these filters." in page


def test_pages_follow_the_deadline_then_the_id(world, desk):
    now = timezone.now()
    filters = desk_selectors.DeskFilters()
    first = desk_selectors.desk_page(world.hub_admin, filters, now=now, size=2)
    assert [row.pk for row in first.items] == [desk["worst"].pk, desk["hazardous"].pk]
    second = desk_selectors.desk_page(
        world.hub_admin, filters, now=now, size=2, cursor=first.next_cursor
    )
    assert [row.pk for row in second.items] == [desk["standard"].pk]
    assert second.next_cursor is None


def test_a_damaged_page_link_shows_the_first_page(world, desk, client_for):
    page = _page(client_for(world.hub_admin).get(DESK, {"cursor": "not-a-cursor"}))
    assert "This page link is not valid." in page
    assert desk["worst"].child.code in page


def test_htmx_gets_only_the_results(world, desk, client_for):
    response = client_for(world.hub_admin).get(DESK, {"urgency": "high"}, HTTP_HX_REQUEST="true")
    page = _page(response)
    assert page.startswith('<div id="desk-results"')
    assert desk["hazardous"].child.code in page
    assert "HX-Request" in response["Vary"]


def test_the_desk_costs_the_same_for_a_full_page(
    world, desk, client_for, django_assert_max_num_queries
):
    household = make_household(world.hub_admin, world.village, head_name="Many Children")
    for number in range(12):
        child = make_child(
            world.hub_admin,
            household,
            first_name=f"Child{number}",
            birth_date=date(2010 + number % 6, 1 + number % 12, 1),
        )
        _record(world, household, child, ActivityInput("digging", 3))
    client = client_for(world.hub_admin)
    client.get(DESK)  # warm the session and principal as any page would
    # Five queries any signed-in page makes, then the page of identifications with their
    # children, communities and latest observations: one query, however many rows.
    with django_assert_max_num_queries(6):
        page = _page(client.get(DESK))
    assert page.count('class="desk-row') == 15


# The detail page ------------------------------------------------------------------------------


def test_detail_shows_the_visits_that_found_the_child_and_logs_the_read(world, desk, client_for):
    identification = desk["hazardous"]
    page = _page(client_for(world.hub_admin).get(f"{DESK}{identification.pk}/"))
    assert identification.child.code in page
    assert "Amani Ilunga" in page
    assert "Washing ore" in page
    assert "Dust or chemicals" in page
    assert "10.0 hours a week" in page
    assert "first finding" in page
    assert "Referral" in page  # where the cases module will route the child
    event = AuditEvent.objects.filter(action=Action.CHILD_VIEW).get()
    assert event.actor == world.hub_admin
    assert event.subject_id == str(identification.child_id)
    assert event.changes == {"via": "referral_desk"}


def test_detail_includes_a_later_visit_that_confirmed_the_finding(world, desk, client_for):
    identification = desk["standard"]
    child = identification.child
    _record(world, child.household, child, ActivityInput("digging", 12), days_ago=1)
    page = _page(client_for(world.programme_manager).get(f"{DESK}{identification.pk}/"))
    assert "Digging in pits or trenches" in page
    assert "Selling at a market or in the street" in page
    assert "latest finding" in page
    assert "Neema" not in page  # the programme manager sees codes, not names


def test_detail_reasons_follow_the_language(world, desk, client_for):
    client = client_for(world.hub_admin)
    client.cookies["django_language"] = "fr"
    page = _page(client.get(f"{DESK}{desk['worst'].pk}/"))
    assert "dette" in page


def test_detail_of_an_unknown_identification_is_404(world, client_for):
    assert client_for(world.hub_admin).get(f"{DESK}999999/").status_code == 404


# For other pages: a child's referral status ---------------------------------------------------


def test_referral_status_of_children_is_scoped_like_the_records(world, desk):
    hazardous, worst = desk["hazardous"], desk["worst"]
    ids = [hazardous.child_id, worst.child_id]
    mine = desk_selectors.identification_status_for_children(world.facilitator, ids)
    assert set(mine) == {hazardous.child_id}
    assert mine[hazardous.child_id].status == IdentificationStatus.OPEN
    assert mine[hazardous.child_id].urgency == "high"
    assert not mine[hazardous.child_id].overdue
    assert set(desk_selectors.identification_status_for_children(world.hub_admin, ids)) == set(ids)
    for outsider in ("case_manager", "company_member", "auditor", "no_role_user"):
        assert not desk_selectors.identification_status_for_children(getattr(world, outsider), ids)


def test_referral_status_prefers_the_open_identification(world, desk):
    child = desk["standard"].child
    Identification.objects.filter(pk=desk["standard"].pk).update(status=IdentificationStatus.CLOSED)
    reopened = _record(world, child.household, child, ActivityInput("digging", 2), days_ago=1)
    status = desk_selectors.identification_status_for_children(world.facilitator, [child.pk])
    assert status[child.pk].identification_id == reopened.pk
    assert desk_selectors.identification_status_for_children(world.facilitator, []) == {}


def test_referral_status_says_overdue(world, desk):
    _due_in(desk["standard"], -timedelta(hours=1))
    child_id = desk["standard"].child_id
    assert desk_selectors.identification_status_for_children(world.hub_admin, [child_id])[
        child_id
    ].overdue


# Home page summary ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hub_admin", "programme_manager"])
def test_home_shows_the_desk_summary(world, desk, client_for, persona):
    _due_in(desk["standard"], -timedelta(hours=1))
    summary = desk_selectors.desk_summary(getattr(world, persona))
    assert {row.urgency: row.count for row in summary.by_urgency} == {
        "immediate": 1,
        "high": 1,
        "standard": 1,
    }
    assert summary.overdue == 1
    assert summary.total == 3
    page = _page(client_for(getattr(world, persona)).get("/"))
    assert "Waiting for referral" in page
    assert "Overdue" in page


def test_desk_summary_is_empty_for_outsiders(world, desk):
    for persona in ("case_manager", "company_member", "auditor", "no_role_user"):
        summary = desk_selectors.desk_summary(getattr(world, persona))
        assert summary.total == 0
        assert summary.overdue == 0
