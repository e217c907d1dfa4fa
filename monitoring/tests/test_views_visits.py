"""The visit form: who may use it, a full visit saved in one go, refusals beside their fields,
a preview that writes nothing, and the result page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from monitoring.choices import Urgency
from monitoring.models import (
    Activity,
    Child,
    Consent,
    Household,
    Identification,
    Observation,
    Visit,
)
from monitoring.tests.factories import make_child, make_household
from monitoring.tests.visit_data import (
    activity,
    existing_child,
    new_child,
    new_household,
    visit_post,
)

pytestmark = pytest.mark.django_db

NEW_URL = "/monitoring/visits/new/"
PREVIEW_URL = "/monitoring/visits/preview/"
OUTSIDERS = [
    "hub_admin",
    "programme_manager",
    "case_manager",
    "supervisor",
    "other_agency_case_manager",
    "company_member",
    "auditor",
    "no_role_user",
]


def _counts():
    return (
        Household.objects.count(),
        Child.objects.count(),
        Visit.objects.count(),
        Observation.objects.count(),
        Consent.objects.count(),
        AuditEvent.objects.count(),
    )


def _full_visit(world, **extra):
    return visit_post(
        new_household_data=new_household(world.village),
        children=[
            new_child(
                "Amani",
                activities=[
                    activity("washing_ore", "20", hazards=["dust_or_chemicals"]),
                    activity("carrying_sacks", "6", hazards=["heavy_loads"]),
                ],
            ),
            new_child(
                "Kalenga",
                last_name="Kasongo",
                sex="male",
                birth_date=(timezone.localdate() - timedelta(days=9 * 366)).isoformat(),
                school_status="attending_regularly",
                caregiver_consent="refused",
                child_assent="",
            ),
        ],
        **extra,
    )


# Who may use the form ----------------------------------------------------------------------


def test_facilitator_opens_the_form_with_today_and_their_communities(world, client_for):
    mine = make_household(world.facilitator, world.village, head_name="Mine Here")
    theirs = make_household(world.other_facilitator, world.other_village, head_name="Not Mine")
    response = client_for(world.facilitator).get(NEW_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert timezone.localdate().isoformat() in html
    assert mine.code in html
    assert theirs.code not in html
    assert "Kasulo" in html
    assert "Kanina" not in html
    assert 'id="child-template"' in html
    assert "kinga/visit-form.js" in html
    assert "<script>" not in html  # no inline script (CSP)


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_only_facilitators_may_record_visits(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(NEW_URL).status_code == 404
    assert client.post(NEW_URL, _full_visit(world)).status_code == 404
    assert client.post(PREVIEW_URL, _full_visit(world)).status_code == 404
    assert not Visit.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, world):
    for response in (client.get(NEW_URL), client.post(NEW_URL, _full_visit(world))):
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
    assert not Visit.objects.exists()


def test_the_form_starts_from_a_households_page(world, client_for):
    household = make_household(world.facilitator, world.village)
    make_child(world.facilitator, household, first_name="Amani")
    html = client_for(world.facilitator).get(NEW_URL, {"household": household.pk}).content
    html = html.decode()
    assert f'<option value="{household.pk}" selected>' in html
    assert "Amani" in html  # the household's children are offered


def test_another_communitys_household_is_not_preselected(world, client_for):
    theirs = make_household(world.other_facilitator, world.other_village, head_name="Not Mine")
    html = client_for(world.facilitator).get(NEW_URL, {"household": theirs.pk}).content.decode()
    assert theirs.code not in html


# Saving a full visit -----------------------------------------------------------------------


def test_a_new_household_with_two_children_is_recorded_classified_and_identified(world, client_for):
    client = client_for(world.facilitator)
    response = client.post(NEW_URL, _full_visit(world))
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert response["Location"] == f"/monitoring/visits/{visit.pk}/?saved=1"

    household = Household.objects.get()
    assert household.area == world.village
    assert household.head_name == "Kabila Mwamba"
    assert household.members_count == 6
    assert household.income_sources == ["artisanal_mining", "petty_trade"]
    assert household.mining_dependence == "mainly"
    assert visit.household == household
    assert visit.facilitator == world.facilitator

    amani = Observation.objects.get(category="hazardous_child_labour").child
    assert amani.first_name == "Amani"
    assert amani.last_name == "Ilunga"  # the caregiver consented
    joseph = Child.objects.exclude(pk=amani.pk).get()
    assert joseph.last_name == ""  # consent refused: the last name is not kept
    assert Consent.objects.filter(child=amani).count() == 2
    assert Consent.objects.filter(child=joseph).count() == 1

    working = Observation.objects.get(child=amani)
    assert working.category == "hazardous_child_labour"
    assert "HAZ-SECTOR-MINING" in working.reasons
    assert Activity.objects.filter(observation=working).count() == 2
    assert Observation.objects.get(child=joseph).category == "no_child_labour"

    identification = Identification.objects.get()
    assert identification.child == amani
    assert identification.urgency == Urgency.HIGH

    result = client.get(response["Location"])
    html = result.content.decode()
    assert "The visit is saved." in html
    assert 'data-clear-draft="kinga-draft:visit:' in html
    assert "Hazardous child labour" in html
    assert "Congolese law forbids any work on a mine site" in html
    assert "A case manager must be assigned by" in html
    assert "No child labour" in html


def test_a_visit_to_a_known_household_records_a_known_and_a_new_child(world, client_for):
    household = make_household(world.facilitator, world.village)
    known = make_child(world.facilitator, household, first_name="Amani")
    data = visit_post(
        household=household,
        children=[
            existing_child(known, activities=[activity("market_vending", "4")]),
            new_child("Neema", caregiver_consent="", child_assent=""),
        ],
    )
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert response.status_code == 302
    assert Household.objects.count() == 1
    assert Child.objects.filter(household=household).count() == 2
    assert Observation.objects.get(child=known).category == "child_labour"
    assert Identification.objects.get().urgency == Urgency.STANDARD


def test_removed_children_and_activities_are_left_out(world, client_for):
    household = make_household(world.facilitator, world.village)
    data = visit_post(
        household=household,
        children=[
            new_child(
                "Amani",
                activities=[
                    activity("digging", "10"),
                    {**activity("washing_ore", "5"), "DELETE": "on"},
                ],
            ),
            new_child("Removed", DELETE="on"),
        ],
    )
    assert client_for(world.facilitator).post(NEW_URL, data).status_code == 302
    assert [child.first_name for child in Child.objects.all()] == ["Amani"]
    assert Activity.objects.get().task.code == "digging"


def test_a_site_visit_needs_a_site(world, client_for):
    household = make_household(world.facilitator, world.village)
    data = visit_post(household=household, kind="site", children=[new_child()])
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert response.status_code == 200
    assert "Choose the site or school visited." in response.content.decode()
    assert not Visit.objects.exists()


# Refusals beside their fields, with the input kept -----------------------------------------


def test_negative_hours_are_refused_at_the_activity(world, client_for):
    data = _full_visit(world)
    data["children-0-activities-1-hours_per_week"] = "-3"
    before = _counts()
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert response.status_code == 200
    assert _counts() == before
    forms = response.context["forms"]
    activity_form = forms.children.forms[0].activities.forms[1]
    assert "hours_per_week" in activity_form.errors
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert 'value="-3"' in html  # the input is kept
    assert 'value="Kabila Mwamba"' in html
    assert 'value="Kalenga"' in html


def test_an_unknown_task_is_refused_at_the_task(world, client_for):
    data = _full_visit(world)
    data["children-0-activities-0-task"] = "juggling"
    response = client_for(world.facilitator).post(NEW_URL, data)
    activity_form = response.context["forms"].children.forms[0].activities.forms[0]
    assert "task" in activity_form.errors
    assert not Visit.objects.exists()


def test_a_visit_with_no_child_is_refused(world, client_for):
    household = make_household(world.facilitator, world.village)
    data = visit_post(household=household, children=[{}])
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert response.status_code == 200
    assert "Add at least one child seen on this visit." in response.content.decode()
    assert not Visit.objects.exists()


def test_a_future_date_is_refused_at_the_date(world, client_for):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(world.facilitator).post(NEW_URL, _full_visit(world, visited_on=tomorrow))
    assert "visited_on" in response.context["forms"].visit.errors
    assert f'value="{tomorrow}"' in response.content.decode()
    assert not Household.objects.exists()


def test_more_hours_than_a_week_are_refused_at_the_childs_activities(world, client_for):
    data = _full_visit(world)
    data["children-0-activities-0-hours_per_week"] = "100"
    data["children-0-activities-1-hours_per_week"] = "100"
    response = client_for(world.facilitator).post(NEW_URL, data)
    child_form = response.context["forms"].children.forms[0]
    assert child_form.activity_errors == [
        "Work and chores add up to more than the 168 hours of a week."
    ]
    assert "more than the 168 hours of a week" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_new_child_needs_a_name_and_an_age(world, client_for):
    data = _full_visit(world)
    data["children-1-first_name"] = ""
    data["children-1-birth_date"] = ""
    response = client_for(world.facilitator).post(NEW_URL, data)
    child_form = response.context["forms"].children.forms[1]
    assert set(child_form.errors) >= {"first_name", "birth_date"}
    assert not Visit.objects.exists()


def test_a_new_household_needs_a_head_of_household(world, client_for):
    data = _full_visit(world)
    data["new_household-head_name"] = ""
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert "head_name" in response.context["forms"].new_household.errors
    assert not Household.objects.exists()


def test_a_household_of_another_community_is_refused(world, client_for):
    theirs = make_household(world.other_facilitator, world.other_village)
    far = make_child(world.other_facilitator, theirs, first_name="Kalenga")
    data = visit_post(household=theirs, children=[existing_child(far)])
    before = _counts()
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert response.status_code == 200
    assert "household" in response.context["forms"].visit.errors
    assert _counts() == before


def test_a_new_household_in_another_community_is_refused(world, client_for):
    data = _full_visit(world)
    data["new_household-community"] = str(world.other_village.pk)
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert "community" in response.context["forms"].new_household.errors
    assert not Household.objects.exists()


def test_a_child_of_another_household_cannot_be_slipped_in(world, client_for):
    household = make_household(world.facilitator, world.village)
    elsewhere = make_household(world.facilitator, world.village, head_name="Someone Else")
    other_child = make_child(world.facilitator, elsewhere, first_name="Other")
    data = visit_post(household=household, children=[existing_child(other_child)])
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert "existing" in response.context["forms"].children.forms[0].errors
    assert not Visit.objects.exists()


def test_a_service_refusal_lands_on_the_childs_field_and_nothing_is_half_saved(world, client_for):
    household = make_household(world.facilitator, world.village)
    make_child(world.facilitator, household, first_name="Amani")  # born 2013-03-01
    data = visit_post(
        household=household,
        children=[
            new_child("Neema", birth_date="2015-05-05"),
            new_child("Amani", birth_date="2013-03-01"),  # already recorded
        ],
    )
    before = _counts()
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert response.status_code == 200
    second = response.context["forms"].children.forms[1]
    assert "already recorded in this household" in " ".join(second.errors["first_name"])
    assert _counts() == before  # Neema was not kept either


# Preview -----------------------------------------------------------------------------------


def test_preview_shows_each_result_and_writes_nothing(world, client_for):
    before = _counts()
    response = client_for(world.facilitator).post(PREVIEW_URL, _full_visit(world, action="preview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Result before saving" in html
    assert "Hazardous child labour" in html
    assert "Congolese law forbids any work on a mine site" in html
    assert "a case manager must be assigned within 72 hours" in html
    assert "No child labour" in html
    assert 'value="Kabila Mwamba"' in html  # the whole page, input kept, ready to save
    assert _counts() == before


def test_htmx_preview_returns_only_the_results(world, client_for):
    response = client_for(world.facilitator).post(
        PREVIEW_URL, _full_visit(world, action="preview"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.startswith('<section class="preview"')
    assert "Hazardous child labour" in html
    assert not Household.objects.exists()


def test_htmx_preview_with_errors_swaps_the_whole_form(world, client_for):
    data = _full_visit(world, action="preview")
    data["children-0-activities-0-hours_per_week"] = "-1"
    response = client_for(world.facilitator).post(PREVIEW_URL, data, HTTP_HX_REQUEST="true")
    assert response["HX-Retarget"] == "#visit-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert response.content.decode().startswith("<form")
    assert 'value="-1"' in response.content.decode()


def test_check_result_on_the_form_page_also_writes_nothing(world, client_for):
    response = client_for(world.facilitator).post(NEW_URL, _full_visit(world, action="preview"))
    assert "Result before saving" in response.content.decode()
    assert not Household.objects.exists()


def test_preview_of_an_estimated_age_uses_the_visit_day(world, client_for):
    household = make_household(world.facilitator, world.village)
    data = visit_post(
        household=household,
        action="preview",
        children=[
            new_child(
                "Neema", birth_date="", estimated_age="8", activities=[activity("herding", "3")]
            )
        ],
    )
    response = client_for(world.facilitator).post(PREVIEW_URL, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "8 years old on the visit day" in html
    assert "Child labour" in html


# Adding parts without a script -------------------------------------------------------------


def test_add_another_child_without_a_script(world, client_for):
    household = make_household(world.facilitator, world.village)
    data = visit_post(household=household, action="add_child", children=[new_child()])
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert len(response.context["forms"].children.forms) == 2
    assert 'value="Amani"' in response.content.decode()
    assert not Child.objects.exists()


def test_add_an_activity_without_a_script(world, client_for):
    household = make_household(world.facilitator, world.village)
    data = visit_post(
        household=household, children=[new_child(activities=[activity()])], add_activity="0"
    )
    data.pop("save")
    response = client_for(world.facilitator).post(NEW_URL, data)
    assert len(response.context["forms"].children.forms[0].activities.forms) == 2


# Child options for the script, and the result page -----------------------------------------


def test_child_options_of_a_household(world, client_for):
    household = make_household(world.facilitator, world.village)
    make_child(world.facilitator, household, first_name="Amani")
    client = client_for(world.facilitator)
    html = client.get("/monitoring/visits/new/children/", {"household": household.pk}).content
    assert b"Amani" in html
    assert b"<option" in html


def test_child_options_of_another_community_are_404(world, client_for):
    theirs = make_household(world.other_facilitator, world.other_village)
    response = client_for(world.facilitator).get(
        "/monitoring/visits/new/children/", {"household": theirs.pk}
    )
    assert response.status_code == 404


def test_the_result_page_follows_the_visit_rules(world, client_for):
    client_for(world.facilitator).post(NEW_URL, _full_visit(world))
    url = f"/monitoring/visits/{Visit.objects.get().pk}/"
    assert client_for(world.other_facilitator).get(url).status_code == 404
    assert client_for(world.auditor).get(url).status_code == 404
    assert client_for(world.case_manager).get(url).status_code == 404
    hub = client_for(world.hub_admin).get(url)
    assert hub.status_code == 200
    assert "data-clear-draft" not in hub.content.decode()  # only right after saving
    manager = client_for(world.programme_manager).get(url).content.decode()
    assert "Amani" not in manager
    assert "Hazardous child labour" in manager


# Home, menu and page weight ----------------------------------------------------------------


def test_facilitator_home_and_menu_lead_to_the_form(world, client_for):
    client = client_for(world.facilitator)
    client.post(NEW_URL, _full_visit(world))
    home = client.get("/").content.decode()
    assert 'href="/monitoring/visits/new/"' in home
    assert 'href="/monitoring/households/"' in home
    assert "1 household in your communities" in home
    assert "2 children seen" in home
    assert f'href="/monitoring/visits/{Visit.objects.get().pk}/"' in home


@pytest.mark.parametrize("persona", ["auditor", "company_member", "case_manager"])
def test_the_menu_hides_the_form_from_others(world, client_for, persona):
    home = client_for(getattr(world, persona)).get("/").content.decode()
    assert 'href="/monitoring/visits/new/"' not in home
    assert 'href="/monitoring/households/"' not in home


def test_the_form_page_with_its_assets_stays_under_the_page_budget(world, client_for):
    from core.tests.test_page_weight import BUDGET_BYTES, _weight
    from monitoring.selectors import VISIT_FORM_HOUSEHOLDS_LIMIT

    for number in range(VISIT_FORM_HOUSEHOLDS_LIMIT):  # as many as the form offers
        make_household(world.facilitator, world.village, head_name=f"Mwamba Kapend {number}")
    assert _weight(client_for(world.facilitator), NEW_URL) < BUDGET_BYTES


def test_a_facilitator_without_communities_is_told_what_to_do(world, client_for):
    from accounts.models import RoleAssignment

    RoleAssignment.objects.get(user=world.facilitator).areas.clear()
    html = client_for(world.facilitator).get(NEW_URL).content.decode()
    assert "No community is assigned to you yet" in html
    assert "Save visit" not in html
