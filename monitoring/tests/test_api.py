"""The monitoring API: scope per persona, names only for those who may see them, schema-checked
responses, keyset pages without N+1, and recording visits idempotently with clear errors."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services.tokens import create_api_token
from audit.actions import Action
from audit.models import AuditEvent
from core.errors import DomainError
from geo.tests.factories import SiteFactory
from monitoring.choices import IdentificationStatus, VisitKind
from monitoring.models import Child, DuplicateCandidate, Identification, Observation, Visit
from monitoring.services.duplicates import duplicate_merge
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
from monitoring.tests.factories import make_child, make_household
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households"
HOUSEHOLD = "/api/v1/households/{household_id}"
CHILDREN = "/api/v1/children"
CHILD = "/api/v1/children/{child_id}"
VISITS = "/api/v1/visits"
VISIT = "/api/v1/visits/{visit_id}"
IDENTIFICATIONS = "/api/v1/identifications"
TASKS = "/api/v1/tasks"

# Roles that may not create a token still reach the API once the collect module issues device
# credentials; a token row made directly stands in for those, so their scope is tested now.
NO_HOUSEHOLD_READ = [
    "case_manager",
    "supervisor",
    "other_agency_case_manager",
    "company_member",
    "auditor",
    "no_role_user",
]


def _token(user) -> str:
    try:
        _row, token = create_api_token(actor=user, name="test", verified=True)
    except DomainError:  # the role may not create tokens: stand in for a device credential
        prefix = secrets.token_hex(4)
        token = f"kinga_{prefix}_{secrets.token_urlsafe(32)}"
        ApiToken.objects.create(
            user=user,
            name="device",
            prefix=prefix,
            secret_hash=hashlib.sha256(token.encode()).hexdigest(),
        )
    return token


@pytest.fixture
def api(client, world):
    """`api(persona)` returns get/post helpers that send that persona's bearer token."""

    class Caller:
        def __init__(self, user):
            self.headers = {"Authorization": f"Bearer {_token(user)}"} if user else {}

        def get(self, path, params=None, language=None):
            language_header = {"Accept-Language": language} if language else {}
            return client.get(path, params or {}, headers={**self.headers, **language_header})

        def post(self, path, body):
            return client.post(
                path, data=json.dumps(body), content_type="application/json", headers=self.headers
            )

    return lambda persona: Caller(getattr(world, persona) if persona else None)


def _url(template, **ids):
    return template.format(**ids)


def _record(world, household, child, *activities, days_ago=3, actor=None, **extra):
    actor = actor or world.facilitator
    return visit_record(
        actor=actor,
        facilitator=actor,
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


@pytest.fixture
def records(world):
    here = make_household(world.facilitator, world.village, phone="+243970000111")
    there = make_household(world.other_facilitator, world.other_village, head_name="Far Away")
    amani = make_child(world.facilitator, here, birth_date=date(2013, 3, 1))
    neema = make_child(
        world.facilitator, here, first_name="Neema", birth_date=date(2019, 6, 1), sex="male"
    )
    joseph = make_child(world.other_facilitator, there, first_name="Joseph")
    visit_here = _record(
        world, here, amani, ActivityInput("washing_ore", 10, ("dust_or_chemicals",))
    )
    visit_there = _record(
        world,
        there,
        joseph,
        ActivityInput("digging", 20),
        worst_forms=("debt_bondage",),
        actor=world.other_facilitator,
    )
    return {
        "here": here,
        "there": there,
        "amani": amani,
        "neema": neema,
        "joseph": joseph,
        "visit_here": visit_here,
        "visit_there": visit_there,
    }


def _ids(response):
    return [item["id"] for item in response.json()["items"]]


# Authentication and the outsiders --------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [HOUSEHOLDS, CHILDREN, VISITS, IDENTIFICATIONS, TASKS, "/api/v1/children/1"]
)
def test_without_a_token_every_endpoint_answers_401(api, path):
    response = api(None).get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorised"


def test_without_a_token_no_visit_is_recorded(api, records):
    response = api(None).post(VISITS, {"kind": "household"})
    assert response.status_code == 401
    assert_matches_schema(response, VISITS, "post")


@pytest.mark.parametrize("persona", NO_HOUSEHOLD_READ)
def test_roles_without_household_rights_get_404_for_households_and_visits(api, records, persona):
    caller = api(persona)
    for path, template in (
        (HOUSEHOLDS, HOUSEHOLDS),
        (_url(HOUSEHOLD, household_id=records["here"].pk), HOUSEHOLD),
        (VISITS, VISITS),
        (_url(VISIT, visit_id=records["visit_here"].pk), VISIT),
    ):
        response = caller.get(path)
        assert response.status_code == 404, path
        assert_matches_schema(response, template)


@pytest.mark.parametrize("persona", ["company_member", "no_role_user"])
def test_company_and_roleless_users_see_no_child_and_no_identification(api, records, persona):
    caller = api(persona)
    for path, template in (
        (CHILDREN, CHILDREN),
        (_url(CHILD, child_id=records["amani"].pk), CHILD),
        (IDENTIFICATIONS, IDENTIFICATIONS),
    ):
        response = caller.get(path)
        assert response.status_code == 404, path
        assert_matches_schema(response, template)


@pytest.mark.parametrize("persona", ["case_manager", "supervisor", "other_agency_case_manager"])
def test_case_managers_see_no_child_until_the_cases_module_refers_one(api, records, persona):
    response = api(persona).get(CHILDREN)
    assert response.status_code == 200
    assert_matches_schema(response, CHILDREN)
    assert response.json() == {"items": [], "next_cursor": None}
    assert api(persona).get(_url(CHILD, child_id=records["amani"].pk)).status_code == 404


# Households --------------------------------------------------------------------------------------


def test_facilitator_lists_only_their_communities_households(api, records):
    response = api("facilitator").get(HOUSEHOLDS)
    assert response.status_code == 200
    assert_matches_schema(response, HOUSEHOLDS)
    [item] = response.json()["items"]
    assert item["id"] == records["here"].pk
    assert item["head_name"] == "Kabila Mwamba"
    assert item["area"]["name"] == "Kasulo"


def test_another_communitys_household_is_404_like_a_missing_one(api, records):
    caller = api("facilitator")
    for household_id in (records["there"].pk, 999999):
        response = caller.get(_url(HOUSEHOLD, household_id=household_id))
        assert response.status_code == 404
        assert_matches_schema(response, HOUSEHOLD)
        assert response.json()["code"] == "not_found"
    assert not AuditEvent.objects.filter(action=Action.HOUSEHOLD_VIEW).exists()


@pytest.mark.parametrize(("persona", "names"), [("hub_admin", True), ("programme_manager", False)])
def test_hub_staff_list_every_household_names_only_if_allowed(api, records, persona, names):
    response = api(persona).get(HOUSEHOLDS)
    assert_matches_schema(response, HOUSEHOLDS)
    items = response.json()["items"]
    assert {item["id"] for item in items} == {records["here"].pk, records["there"].pk}
    assert all((item["head_name"] is not None) == names for item in items)


def test_household_filters(api, records, world):
    caller = api("hub_admin")
    assert _ids(caller.get(HOUSEHOLDS, {"area": world.other_village.pk})) == [records["there"].pk]
    chiefdom = world.village.parent
    assert len(_ids(caller.get(HOUSEHOLDS, {"area": chiefdom.pk}))) == 2
    code = records["here"].code
    assert _ids(caller.get(HOUSEHOLDS, {"q": code[3:8].lower()})) == [records["here"].pk]


def test_an_area_outside_the_scope_answers_404(api, records, world):
    response = api("facilitator").get(HOUSEHOLDS, {"area": world.other_village.pk})
    assert response.status_code == 404
    assert_matches_schema(response, HOUSEHOLDS)


def test_household_detail_has_children_and_contact_and_is_audited(api, records, world):
    response = api("facilitator").get(_url(HOUSEHOLD, household_id=records["here"].pk))
    assert response.status_code == 200
    assert_matches_schema(response, HOUSEHOLD)
    body = response.json()
    assert body["phone"] == "+243970000111"
    assert body["location"] is None  # not recorded
    assert [child["first_name"] for child in body["children"]] == ["Amani", "Neema"]
    event = AuditEvent.objects.get(action=Action.HOUSEHOLD_VIEW)
    assert (event.actor, event.subject_id) == (world.facilitator, str(records["here"].pk))
    assert event.changes == {"via": "api"}


def test_programme_manager_reads_a_household_without_names_or_contact(api, records):
    response = api("programme_manager").get(_url(HOUSEHOLD, household_id=records["here"].pk))
    assert_matches_schema(response, HOUSEHOLD)
    body = response.json()
    assert (body["head_name"], body["phone"], body["location"]) == (None, None, None)
    assert {child["first_name"] for child in body["children"]} == {None}


# Pages -----------------------------------------------------------------------------------------


def test_keyset_pages_follow_the_cursor(api, records):
    caller = api("hub_admin")
    first = caller.get(HOUSEHOLDS, {"limit": 1})
    assert_matches_schema(first, HOUSEHOLDS)
    cursor = first.json()["next_cursor"]
    assert cursor
    second = caller.get(HOUSEHOLDS, {"limit": 1, "cursor": cursor})
    assert second.json()["next_cursor"] is None
    assert _ids(first) + _ids(second) == [records["there"].pk, records["here"].pk]


@pytest.mark.parametrize("path", [HOUSEHOLDS, CHILDREN, VISITS, IDENTIFICATIONS, TASKS])
def test_bad_page_parameters(api, records, path):
    caller = api("hub_admin")
    for limit in (0, 201, "many"):
        response = caller.get(path, {"limit": limit})
        assert response.status_code == 422
        assert_matches_schema(response, path)
    response = caller.get(path, {"cursor": "garbage"})
    assert response.status_code == 400
    assert_matches_schema(response, path)
    assert response.json()["code"] == "pagination.bad_cursor"


# Children -------------------------------------------------------------------------------------


def test_facilitator_lists_their_children_with_names_and_latest_category(api, records):
    response = api("facilitator").get(CHILDREN)
    assert_matches_schema(response, CHILDREN)
    items = {item["id"]: item for item in response.json()["items"]}
    assert set(items) == {records["amani"].pk, records["neema"].pk}
    amani = items[records["amani"].pk]
    assert (amani["first_name"], amani["last_name"]) == ("Amani", "Ilunga")
    assert amani["latest_category"] == "hazardous_child_labour"
    assert amani["household"]["code"] == records["here"].code
    assert items[records["neema"].pk]["latest_category"] is None  # never seen on a visit


@pytest.mark.parametrize("persona", ["auditor", "programme_manager"])
def test_pseudonymised_readers_get_every_child_without_names(api, records, persona):
    response = api(persona).get(CHILDREN)
    assert_matches_schema(response, CHILDREN)
    items = response.json()["items"]
    assert len(items) == 3
    assert {(item["first_name"], item["last_name"]) for item in items} == {(None, None)}
    assert "Amani" not in response.content.decode()


def test_child_filters(api, records, world):
    caller = api("hub_admin")
    assert _ids(caller.get(CHILDREN, {"sex": "male"})) == [records["neema"].pk]
    assert _ids(caller.get(CHILDREN, {"category": "worst_forms"})) == [records["joseph"].pk]
    assert _ids(caller.get(CHILDREN, {"area": world.other_village.pk})) == [records["joseph"].pk]
    neema_age = records["neema"].age_on(timezone.localdate())
    young = caller.get(CHILDREN, {"age_min": neema_age, "age_max": neema_age})
    assert _ids(young) == [records["neema"].pk]
    older = _ids(caller.get(CHILDREN, {"age_min": neema_age + 1}))
    assert records["neema"].pk not in older
    assert len(older) == 2


def test_ages_the_wrong_way_round_are_a_schema_error(api, records):
    response = api("hub_admin").get(CHILDREN, {"age_min": 12, "age_max": 5})
    assert response.status_code == 422
    assert_matches_schema(response, CHILDREN)


def test_child_detail_is_audited_and_explains_each_finding(api, records, world):
    amani = records["amani"]
    response = api("facilitator").get(_url(CHILD, child_id=amani.pk))
    assert response.status_code == 200
    assert_matches_schema(response, CHILD)
    body = response.json()
    assert body["first_name"] == "Amani"
    assert body["consents"][0]["kind"] == "caregiver_consent"
    [finding] = body["findings"]
    assert finding["category"] == "hazardous_child_labour"
    assert finding["ruleset"].startswith("drc@")
    assert any("mine" in reason["explanation"].lower() for reason in finding["reasons"])
    [identification] = body["identifications"]
    assert (identification["urgency"], identification["status"]) == ("high", "open")
    event = AuditEvent.objects.get(action=Action.CHILD_VIEW)
    assert (event.actor, event.subject_id) == (world.facilitator, str(amani.pk))
    assert event.changes == {"via": "api"}


def test_explanations_follow_the_request_language(api, records):
    response = api("facilitator").get(_url(CHILD, child_id=records["amani"].pk), language="fr")
    reasons = response.json()["findings"][0]["reasons"]
    assert any("enfant" in reason["explanation"] for reason in reasons)


def test_auditor_reads_a_child_pseudonymised_and_the_read_is_audited(api, records, world):
    response = api("auditor").get(_url(CHILD, child_id=records["joseph"].pk))
    assert_matches_schema(response, CHILD)
    body = response.json()
    assert (body["first_name"], body["last_name"]) == (None, None)
    assert body["findings"][0]["category"] == "worst_forms"
    assert AuditEvent.objects.get(action=Action.CHILD_VIEW).actor == world.auditor


def test_another_communitys_child_is_404_and_nothing_is_logged(api, records):
    response = api("facilitator").get(_url(CHILD, child_id=records["joseph"].pk))
    assert response.status_code == 404
    assert_matches_schema(response, CHILD)
    assert not AuditEvent.objects.filter(action=Action.CHILD_VIEW).exists()


def test_a_merged_record_points_to_the_kept_one_and_leaves_the_list(api, records, world):
    household = records["here"]
    twin = make_child(world.facilitator, household, birth_date=date(2014, 3, 1))
    candidate = DuplicateCandidate.objects.get(other=twin)
    duplicate_merge(actor=world.hub_admin, candidate=candidate, keep=records["amani"])
    caller = api("facilitator")
    assert twin.pk not in _ids(caller.get(CHILDREN))
    response = caller.get(_url(CHILD, child_id=twin.pk))
    assert_matches_schema(response, CHILD)
    assert response.json()["merged_into_id"] == records["amani"].pk


# Visits ---------------------------------------------------------------------------------------


def test_facilitator_lists_their_visits_and_reads_one(api, records):
    caller = api("facilitator")
    response = caller.get(VISITS)
    assert_matches_schema(response, VISITS)
    [item] = response.json()["items"]
    assert item["id"] == records["visit_here"].pk
    assert item["children_count"] == 1
    assert item["household"]["code"] == records["here"].code
    response = caller.get(_url(VISIT, visit_id=records["visit_here"].pk))
    assert_matches_schema(response, VISIT)
    [observation] = response.json()["observations"]
    assert observation["child"]["first_name"] == "Amani"
    assert observation["activities"] == [
        {
            "task": "washing_ore",
            "sector": "mining",
            "hours_per_week": 10.0,
            "hazards": ["dust_or_chemicals"],
            "night": False,
        }
    ]
    assert observation["identification"]["urgency"] == "high"
    other = caller.get(_url(VISIT, visit_id=records["visit_there"].pk))
    assert other.status_code == 404
    assert_matches_schema(other, VISIT)


def test_visit_filters(api, records, world):
    caller = api("hub_admin")
    assert len(_ids(caller.get(VISITS))) == 2
    assert _ids(caller.get(VISITS, {"area": world.village.pk})) == [records["visit_here"].pk]
    assert _ids(caller.get(VISITS, {"kind": "site"})) == []
    today = timezone.localdate()
    assert len(_ids(caller.get(VISITS, {"date_from": str(today - timedelta(days=3))}))) == 2
    assert _ids(caller.get(VISITS, {"date_to": str(today - timedelta(days=4))})) == []
    response = caller.get(VISITS, {"date_from": str(today), "date_to": str(today - timedelta(1))})
    assert response.status_code == 422
    assert_matches_schema(response, VISITS)


def test_programme_manager_reads_a_visit_without_names(api, records):
    response = api("programme_manager").get(_url(VISIT, visit_id=records["visit_there"].pk))
    assert_matches_schema(response, VISIT)
    assert response.json()["observations"][0]["child"]["first_name"] is None


# Recording a visit -------------------------------------------------------------------------------


def _body(records, **overrides):
    body = {
        "kind": "household",
        "visited_on": str(timezone.localdate() - timedelta(days=1)),
        "household_id": records["here"].pk,
        "external_id": "uuid:phone-1",
        "children": [
            {
                "child_id": records["amani"].pk,
                "school_status": "dropped_out",
                "household_chores_hours": 4,
                "activities": [
                    {"task": "carrying_sacks", "hours_per_week": 12.5, "hazards": ["heavy_loads"]}
                ],
            },
            {"child_id": records["neema"].pk, "school_status": "attending_regularly"},
        ],
    }
    body.update(overrides)
    return body


def test_facilitator_records_a_visit_and_gets_each_childs_result(api, records, world):
    response = api("facilitator").post(VISITS, _body(records))
    assert response.status_code == 201
    assert_matches_schema(response, VISITS, "post")
    body = response.json()
    visit = Visit.objects.get(pk=body["id"])
    assert (visit.facilitator, visit.external_id) == (world.facilitator, "uuid:phone-1")
    assert visit.source == "api"  # not stored as a web form
    assert body["source"] == "api"
    results = {item["child"]["id"]: item for item in body["observations"]}
    amani = results[records["amani"].pk]
    assert amani["category"] == "hazardous_child_labour"
    assert amani["reasons"]
    assert all(reason["explanation"] for reason in amani["reasons"])
    assert amani["identification"]["status"] == "open"
    neema = results[records["neema"].pk]
    assert neema["category"] in {"no_child_labour", "not_applicable"}
    assert neema["identification"] is None
    assert AuditEvent.objects.filter(action=Action.VISIT_RECORD, subject_id=str(visit.pk)).exists()


def test_the_same_submission_again_returns_the_first_visit(api, records):
    caller = api("facilitator")
    first = caller.post(VISITS, _body(records))
    again = caller.post(VISITS, _body(records))
    assert (first.status_code, again.status_code) == (201, 200)
    assert_matches_schema(again, VISITS, "post")
    assert again.json()["id"] == first.json()["id"]
    assert Visit.objects.filter(external_id="uuid:phone-1").count() == 1
    assert Observation.objects.filter(visit_id=first.json()["id"]).count() == 2


def test_someone_elses_external_id_is_refused_without_revealing_their_visit(api, records, world):
    api("facilitator").post(VISITS, _body(records))
    body = _body(
        records,
        household_id=records["there"].pk,
        children=[{"child_id": records["joseph"].pk, "school_status": "not_enrolled"}],
    )
    response = api("other_facilitator").post(VISITS, body)
    assert response.status_code == 400
    assert_matches_schema(response, VISITS, "post")
    assert response.json()["field"] == "external_id"
    assert "Amani" not in response.content.decode()


def test_a_hub_importer_may_record_anywhere(api, records):
    body = _body(
        records,
        external_id=None,
        household_id=records["there"].pk,
        children=[{"child_id": records["joseph"].pk, "school_status": "not_enrolled"}],
    )
    response = api("hub_admin").post(VISITS, body)
    assert response.status_code == 201
    assert_matches_schema(response, VISITS, "post")


@pytest.mark.parametrize(
    "change",
    [
        {"children": []},
        {"kind": "picnic"},
        {"visited_on": "yesterday"},
        {"surprise": True},
        {"children": [{"child_id": 1, "school_status": "maybe"}]},
        {"children": [{"child_id": 1, "school_status": "not_enrolled", "worst_forms": ["piracy"]}]},
        {
            "children": [
                {
                    "child_id": 1,
                    "school_status": "not_enrolled",
                    "activities": [{"task": "digging", "hours_per_week": 200}],
                }
            ]
        },
        {
            "children": [
                {
                    "child_id": 1,
                    "school_status": "not_enrolled",
                    "activities": [{"task": "digging", "hours_per_week": 2, "hazards": ["lava"]}],
                }
            ]
        },
    ],
)
def test_schema_errors_answer_422_and_record_nothing(api, records, change):
    response = api("facilitator").post(VISITS, _body(records, **change))
    assert response.status_code == 422
    assert_matches_schema(response, VISITS, "post")
    assert response.json()["code"] == "invalid_input"
    assert not Visit.objects.filter(external_id="uuid:phone-1").exists()


def _child_with(records, **fields):
    return [{"child_id": records["amani"].pk, "school_status": "not_enrolled", **fields}]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (
            lambda r: {"children": _child_with(r, activities=[{"task": "x", "hours_per_week": 1}])},
            "visit.task_unknown",
            "children[0].activities[0].task",
        ),
        (
            lambda r: {"household_id": r["there"].pk},
            "visit.household_unknown",
            "household_id",
        ),
        (lambda r: {"household_id": None}, "visit.household_required", "household_id"),
        (
            lambda r: {"children": [{"child_id": r["joseph"].pk, "school_status": "not_enrolled"}]},
            "visit.child_unknown",
            "children[0].child_id",
        ),
        (
            lambda r: {"visited_on": str(timezone.localdate() + timedelta(days=2))},
            "visit.date",
            "visited_on",
        ),
        (
            lambda r: {
                "children": _child_with(
                    r,
                    household_chores_hours=100,
                    activities=[{"task": "digging", "hours_per_week": 100}],
                )
            },
            "visit.hours_total",
            "children[0].activities",
        ),
        (
            lambda r: {"children": _child_with(r) + _child_with(r)},
            "visit.child_twice",
            "children",
        ),
        (lambda r: {"kind": "site", "household_id": None}, "visit.site_required", "site_id"),
    ],
)
def test_broken_rules_answer_400_with_code_message_and_field(api, records, change, code, field):
    response = api("facilitator").post(VISITS, _body(records, **change(records)))
    assert response.status_code == 400
    assert_matches_schema(response, VISITS, "post")
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]
    assert not Visit.objects.filter(external_id="uuid:phone-1").exists()


def test_a_site_visit_in_the_facilitators_community(api, records, world):
    mine = SiteFactory(name="Kasulo pit", area=world.village)
    elsewhere = SiteFactory(name="Kanina pit", area=world.other_village)
    body = _body(records, kind="site", household_id=None, site_id=mine.pk, external_id="uuid:site")
    body["children"] = body["children"][:1]
    response = api("facilitator").post(VISITS, body)
    assert response.status_code == 201
    assert_matches_schema(response, VISITS, "post")
    assert response.json()["site"] == {"id": mine.pk, "code": mine.code, "name": "Kasulo pit"}
    assert response.json()["household"] is None
    refused = api("facilitator").post(
        VISITS, {**body, "site_id": elsewhere.pk, "external_id": None}
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "site_id"


def test_a_child_of_another_household_is_refused(api, records, world):
    other = make_household(world.facilitator, world.village, head_name="Next Door")
    body = _body(records, household_id=other.pk)
    response = api("facilitator").post(VISITS, body)
    assert response.status_code == 400
    assert response.json()["code"] == "visit.child_elsewhere"


@pytest.mark.parametrize("persona", NO_HOUSEHOLD_READ)
def test_roles_that_do_not_record_visits_get_404(api, records, persona):
    response = api(persona).post(VISITS, _body(records))
    assert response.status_code == 404
    assert_matches_schema(response, VISITS, "post")
    assert not Visit.objects.filter(external_id="uuid:phone-1").exists()


# Identifications -------------------------------------------------------------------------------


def test_identifications_are_sorted_by_deadline_and_scoped(api, records):
    caller = api("hub_admin")
    response = caller.get(IDENTIFICATIONS)
    assert_matches_schema(response, IDENTIFICATIONS)
    items = response.json()["items"]
    assert [item["child"]["id"] for item in items] == [records["joseph"].pk, records["amani"].pk]
    assert items[0]["urgency"] == "immediate"
    assert items[0]["child"]["first_name"] == "Joseph"
    assert items[0]["reasons"]
    mine = api("facilitator").get(IDENTIFICATIONS).json()["items"]
    assert [item["child"]["id"] for item in mine] == [records["amani"].pk]


def test_identification_filters(api, records, world):
    caller = api("programme_manager")
    late = Identification.objects.get(child=records["amani"])
    Identification.objects.filter(pk=late.pk).update(
        deadline_at=timezone.now() - timedelta(hours=2)
    )
    # The fixture's visits are 3 days old, so their deadlines (run from the visit) have
    # passed too: give the others time left, so only `late` is overdue.
    Identification.objects.exclude(pk=late.pk).update(
        deadline_at=timezone.now() + timedelta(hours=2)
    )
    overdue = caller.get(IDENTIFICATIONS, {"overdue": "true"})
    assert_matches_schema(overdue, IDENTIFICATIONS)
    assert _ids(overdue) == [late.pk]
    assert overdue.json()["items"][0]["overdue"] is True
    assert overdue.json()["items"][0]["child"]["first_name"] is None
    assert late.pk not in _ids(caller.get(IDENTIFICATIONS, {"overdue": "false"}))
    assert _ids(caller.get(IDENTIFICATIONS, {"urgency": "high"})) == [late.pk]
    assert _ids(caller.get(IDENTIFICATIONS, {"area": world.village.pk})) == [late.pk]
    Identification.objects.filter(pk=late.pk).update(status=IdentificationStatus.REFERRED)
    assert _ids(caller.get(IDENTIFICATIONS, {"status": "referred"})) == [late.pk]
    assert late.pk not in _ids(caller.get(IDENTIFICATIONS, {"status": "open"}))
    response = caller.get(IDENTIFICATIONS, {"urgency": "someday"})
    assert response.status_code == 422


@pytest.mark.parametrize("persona", ["auditor", "case_manager", "company_member"])
def test_identifications_are_404_without_desk_or_community_rights(api, records, persona):
    response = api(persona).get(IDENTIFICATIONS)
    assert response.status_code == 404
    assert_matches_schema(response, IDENTIFICATIONS)


# Tasks ------------------------------------------------------------------------------------------


def test_task_catalogue_for_form_builders(api, world):
    response = api("auditor").get(TASKS, {"limit": 200})
    assert_matches_schema(response, TASKS)
    items = response.json()["items"]
    digging = next(item for item in items if item["code"] == "digging")
    assert digging["sector"] == "mining"
    assert "heavy_loads" in digging["typical_hazards"]
    assert digging["name"] == digging["name_en"]
    french = api("facilitator").get(TASKS, {"limit": 200}, language="fr")
    assert french.json()["items"][0]["name"] == french.json()["items"][0]["name_fr"]


def test_task_catalogue_pages(api, world):
    caller = api("hub_admin")
    first = caller.get(TASKS, {"limit": 5})
    assert len(first.json()["items"]) == 5
    second = caller.get(TASKS, {"limit": 5, "cursor": first.json()["next_cursor"]})
    codes = [item["code"] for item in first.json()["items"] + second.json()["items"]]
    assert len(set(codes)) == 10


# Query counts ------------------------------------------------------------------------------------


@pytest.fixture
def many(world, records):
    """Twenty more children and visits, so that any per-row query would show."""
    household = make_household(world.facilitator, world.village, head_name="Big Family")
    for number in range(20):
        child = make_child(
            world.facilitator,
            household,
            first_name=f"Child{number}",
            birth_date=date(2008 + number % 9, 1 + number % 12, 1),
        )
        _record(world, household, child, ActivityInput("digging", 2 + number % 5))
    return {**records, "world": world}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (HOUSEHOLDS, {"area": 0}),
        (CHILDREN, {"category": "hazardous_child_labour", "area": 0}),
        (VISITS, {"kind": "household", "area": 0}),
        (IDENTIFICATIONS, {"status": "open", "area": 0}),
        (TASKS, {}),
    ],
)
def test_lists_cost_a_fixed_number_of_queries(
    api, many, path, params, django_assert_max_num_queries
):
    world = many["world"]
    params = {**params, "limit": 200}
    if "area" in params:
        params["area"] = world.village.pk
    caller = api("facilitator")
    caller.get(path, params)  # the token's "last used" write happens once a minute
    # The token and its user, the role assignments and their areas, the area filter, then one
    # query for the page: rows, their related records and latest category come together.
    with django_assert_max_num_queries(5):
        response = caller.get(path, params)
    assert response.status_code == 200
    assert_matches_schema(response, path)
    if path != TASKS:
        assert len(response.json()["items"]) > 1


def test_merged_children_are_not_offered_to_record(api, records, world):
    twin = make_child(world.facilitator, records["here"], birth_date=date(2014, 3, 1))
    duplicate_merge(
        actor=world.hub_admin,
        candidate=DuplicateCandidate.objects.get(other=twin),
        keep=records["amani"],
    )
    body = _body(records, children=[{"child_id": twin.pk, "school_status": "not_enrolled"}])
    response = api("facilitator").post(VISITS, body)
    assert response.status_code == 400
    assert response.json()["code"] == "visit.child_merged"
    assert Child.objects.get(pk=twin.pk).merged_into_id == records["amani"].pk
