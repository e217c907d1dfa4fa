"""The child list and page, identity shown only to those allowed, every view logged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from monitoring.choices import SchoolStatus, Sex, VisitKind
from monitoring.selectors import years_before
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db

OUTSIDERS = ["case_manager", "supervisor", "other_agency_case_manager", "company_member"]
NAMES = ("Amani", "Ilunga", "Kalenga", "Kabila Mwamba")


def _ago(years: int, days: int = 30) -> date:
    """A birth date making a child `years` old today (and not about to have a birthday)."""
    return years_before(timezone.localdate(), years) - timedelta(days=days)


def _visit(world, household, *observations, day=None, actor=None):
    day = day or timezone.localdate() - timedelta(days=7)
    actor = actor or world.facilitator
    return visit_record(
        actor=actor,
        facilitator=actor,
        kind=VisitKind.HOUSEHOLD,
        visited_on=day,
        household=household,
        observations=list(observations),
    )


@pytest.fixture
def records(world):
    here = make_household(world.facilitator, world.village, head_name="Kabila Mwamba")
    there = make_household(world.other_facilitator, world.other_village, head_name="Far Away")
    working = make_child(world.facilitator, here, first_name="Amani", birth_date=_ago(13))
    schooled = make_child(
        world.facilitator, here, first_name="Neema", birth_date=_ago(10), sex=Sex.FEMALE
    )
    far = make_child(
        world.other_facilitator,
        there,
        first_name="Kalenga",
        birth_date=_ago(16),
        sex=Sex.MALE,
    )
    _visit(
        world,
        here,
        ObservationInput(
            child=working,
            school_status=SchoolStatus.DROPPED_OUT,
            activities=(ActivityInput("washing_ore", 20, ("dust_or_chemicals",)),),
        ),
        ObservationInput(child=schooled, school_status=SchoolStatus.ATTENDING_REGULARLY),
    )
    return {"here": here, "there": there, "working": working, "schooled": schooled, "far": far}


# The list ----------------------------------------------------------------------------------


def test_facilitator_lists_the_children_of_their_communities(world, client_for, records):
    page = client_for(world.facilitator).get("/monitoring/children/").content.decode()
    assert "Amani Ilunga" in page
    assert records["working"].code in page
    assert "Hazardous child labour" in page
    assert "Dropped out" in page
    assert records["far"].code not in page
    assert "Kalenga" not in page


def test_hub_admin_lists_every_child(world, client_for, records):
    page = client_for(world.hub_admin).get("/monitoring/children/").content.decode()
    assert records["working"].code in page
    assert records["far"].code in page
    assert "Kalenga" in page


@pytest.mark.parametrize("persona", ["auditor", "programme_manager"])
def test_auditor_and_programme_manager_see_codes_only(world, client_for, records, persona):
    page = client_for(getattr(world, persona)).get("/monitoring/children/").content.decode()
    assert records["working"].code in page
    assert records["far"].code in page
    for name in NAMES:
        assert name not in page
    assert "Names are hidden for your role." in page


def test_auditor_cannot_confirm_a_name_by_searching(world, client_for, records):
    page = client_for(world.auditor).get("/monitoring/children/", {"q": "Amani Ilunga"})
    assert records["working"].code not in page.content.decode()


@pytest.mark.parametrize("persona", [*OUTSIDERS, "no_role_user"])
def test_outsiders_get_404_on_the_list(world, client_for, records, persona):
    assert client_for(getattr(world, persona)).get("/monitoring/children/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, records):
    for url in ("/monitoring/children/", f"/monitoring/children/{records['working'].pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("amani ilunga", "working"),  # full name, any case
        ("AMANI", "working"),  # first name
        ("Neema", "schooled"),
    ],
)
def test_search_by_full_name_or_first_name(world, client_for, records, query, found):
    page = client_for(world.facilitator).get("/monitoring/children/", {"q": query})
    rows = page.context["rows"]
    assert [row.child for row in rows] == [records[found]]


def test_search_by_code(world, client_for, records):
    page = client_for(world.auditor).get("/monitoring/children/", {"q": records["far"].code})
    assert [row.child for row in page.context["rows"]] == [records["far"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"age_band": "12-14"}, {"working"}),  # 13
        ({"age_band": "5-11"}, {"schooled"}),  # 10
        ({"age_band": "15-17"}, {"far"}),  # 16
        ({"sex": "male"}, {"far"}),
        ({"category": "hazardous_child_labour"}, {"working"}),
        ({"category": "no_child_labour"}, {"schooled"}),
        ({"school_status": "attending_regularly"}, {"schooled"}),
        ({"community": "__other__"}, {"far"}),
    ],
)
def test_filters(world, client_for, records, filters, expected):
    if filters.get("community") == "__other__":
        filters = {"community": world.other_village.pk}
    page = client_for(world.hub_admin).get("/monitoring/children/", filters)
    assert {row.child for row in page.context["rows"]} == {records[key] for key in expected}


def test_age_bands_follow_birthdays_to_the_day(world, client_for):
    household = make_household(world.facilitator, world.village)
    birthday = years_before(timezone.localdate(), 12)
    twelve_today = make_child(
        world.facilitator, household, first_name="Birthday", birth_date=birthday
    )
    twelve_tomorrow = make_child(
        world.facilitator, household, first_name="Tomorrow", birth_date=birthday + timedelta(days=1)
    )
    client = client_for(world.facilitator)
    twelve = client.get("/monitoring/children/", {"age_band": "12-14"}).context["rows"]
    eleven = client.get("/monitoring/children/", {"age_band": "5-11"}).context["rows"]
    assert [row.child for row in twelve] == [twelve_today]
    assert [row.child for row in eleven] == [twelve_tomorrow]


def _merge_a_copy_of(world, child):
    from monitoring.models import DuplicateCandidate
    from monitoring.services.duplicates import duplicate_merge

    copy = make_child(
        world.facilitator,
        child.household,
        first_name=child.first_name,
        birth_date=child.birth_date + timedelta(days=1),
    )
    candidate = DuplicateCandidate.objects.get(child_id=child.pk, other_id=copy.pk)
    duplicate_merge(actor=world.hub_admin, candidate=candidate, keep=child)
    return copy


def test_a_merged_duplicate_is_not_listed(world, client_for, records):
    copy = _merge_a_copy_of(world, records["working"])
    page = client_for(world.facilitator).get("/monitoring/children/")
    assert copy not in [row.child for row in page.context["rows"]]
    assert records["working"] in [row.child for row in page.context["rows"]]


def test_list_costs_the_same_queries_for_3_or_30_children(
    world, client_for, django_assert_max_num_queries
):
    household = make_household(world.facilitator, world.village)
    client = client_for(world.facilitator)
    client.get("/monitoring/children/")  # warm the session and principal caches

    def add_children(count, start):
        for number in range(start, start + count):
            child = make_child(
                world.facilitator,
                household,
                first_name=f"Child {number}",
                birth_date=_ago(13) + timedelta(days=number),
            )
            _visit(
                world,
                household,
                ObservationInput(child=child, school_status=SchoolStatus.NOT_ENROLLED),
                day=timezone.localdate() - timedelta(days=number),
            )

    add_children(3, 0)
    with django_assert_max_num_queries(8) as few:
        client.get("/monitoring/children/", {"category": "no_child_labour"})
    add_children(27, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/monitoring/children/", {"category": "no_child_labour"})
    assert len(response.context["rows"]) == 30
    assert {row.category for row in response.context["rows"]} == {"no_child_labour"}


def test_the_latest_visit_decides_the_latest_category(world, client_for, records):
    _visit(
        world,
        records["here"],
        ObservationInput(child=records["working"], school_status=SchoolStatus.ATTENDING_REGULARLY),
        day=timezone.localdate(),
    )
    page = client_for(world.facilitator).get("/monitoring/children/")
    row = next(row for row in page.context["rows"] if row.child == records["working"])
    assert row.category == "no_child_labour"


# The page ----------------------------------------------------------------------------------


def test_facilitator_sees_the_child_with_reasons_and_the_view_is_logged(world, client_for, records):
    child = records["working"]
    response = client_for(world.facilitator).get(f"/monitoring/children/{child.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Amani" in html
    assert "Ilunga" in html
    assert "Caregiver&#x27;s report" in html  # age evidence
    assert "Medium" in html  # confidence in the age
    assert "Caregiver consent" in html
    assert "Hazardous child labour" in html
    assert "Congolese law forbids any work on a mine site" in html  # reason in plain words
    assert "Washing ore" in html
    assert "A case manager must be assigned by" in html
    event = AuditEvent.objects.filter(action=Action.CHILD_VIEW).get()
    assert event.actor == world.facilitator
    assert event.subject_id == str(child.pk)
    assert event.changes["identity_shown"] is True


def test_reasons_are_in_the_users_language(world, client_for, records):
    client = client_for(world.facilitator)
    client.cookies["django_language"] = "fr"
    html = client.get(f"/monitoring/children/{records['working'].pk}/").content.decode()
    assert "La loi congolaise interdit tout travail sur un site minier" in html


def test_facilitator_gets_404_for_another_communitys_child(world, client_for, records):
    response = client_for(world.facilitator).get(f"/monitoring/children/{records['far'].pk}/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=Action.CHILD_VIEW).exists()


@pytest.mark.parametrize("persona", [*OUTSIDERS, "no_role_user"])
def test_outsiders_get_404_on_a_child(world, client_for, records, persona):
    response = client_for(getattr(world, persona)).get(
        f"/monitoring/children/{records['working'].pk}/"
    )
    assert response.status_code == 404


def test_auditor_sees_the_child_pseudonymised_and_the_view_is_logged(world, client_for, records):
    response = client_for(world.auditor).get(f"/monitoring/children/{records['working'].pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for name in NAMES:
        assert name not in html
    assert records["working"].code in html
    assert "Hazardous child labour" in html
    assert "State your reason" not in html  # auditors cannot ask for identities
    assert records["here"].code not in html  # no household either
    event = AuditEvent.objects.filter(action=Action.CHILD_VIEW).get()
    assert event.changes["identity_shown"] is False


def test_auditor_cannot_post_a_reason(world, client_for, records):
    response = client_for(world.auditor).post(
        f"/monitoring/children/{records['working'].pk}/", {"reason": "I would like to know"}
    )
    assert response.status_code == 404


def test_programme_manager_states_a_reason_to_see_the_identity(world, client_for, records):
    child = records["working"]
    url = f"/monitoring/children/{child.pk}/"
    client = client_for(world.programme_manager)

    first = client.get(url).content.decode()
    assert "State your reason to see this child&#x27;s identity" in first
    assert "Amani" not in first

    too_short = client.post(url, {"reason": "curious"})
    assert too_short.status_code == 200
    assert "Amani" not in too_short.content.decode()
    assert "at least 10 characters" in too_short.content.decode()
    assert not AuditEvent.objects.filter(action=Action.CHILD_VIEW).exclude(reason="").exists()

    reason = "Checking referral HH follow-up with the agency"
    revealed = client.post(url, {"reason": reason})
    assert revealed.status_code == 302
    shown = client.get(url).content.decode()
    assert "Amani" in shown
    assert "Ilunga" in shown
    assert reason in shown
    events = AuditEvent.objects.filter(action=Action.CHILD_VIEW, subject_id=str(child.pk))
    assert events.filter(reason=reason, changes__identity_revealed=True).count() == 1
    assert events.filter(reason=reason, changes__identity_shown=True).count() == 1

    # For that child only, and for the rest of the session.
    other = client.get(f"/monitoring/children/{records['far'].pk}/").content.decode()
    assert "Kalenga" not in other
    assert "Amani" in client.get(url).content.decode()
    fresh = client_for(world.programme_manager).get(url).content.decode()
    assert "Amani" not in fresh


def test_a_merged_record_leads_to_the_kept_child(world, client_for, records):
    copy = _merge_a_copy_of(world, records["working"])
    response = client_for(world.facilitator).get(f"/monitoring/children/{copy.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/monitoring/children/{records['working'].pk}/"
