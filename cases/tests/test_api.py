"""The cases API: scoped exactly like the pages, schema-checked, keyset pages without N+1."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken
from audit.models import AuditEvent
from cases.choices import CaseState, ReferralSource, ReferralStatus
from cases.models import Case, Referral
from cases.services.referrals import (
    referral_accept,
    referral_create,
    referral_create_for_child,
)
from cases.tests.factories import accredit, advance, identify_child, open_case
from monitoring.choices import Urgency
from monitoring.tests.factories import make_child
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals"
REFERRAL = "/api/v1/referrals/{referral_id}"
ACCEPT = "/api/v1/referrals/{referral_id}/accept"
DECLINE = "/api/v1/referrals/{referral_id}/decline"
CASES = "/api/v1/cases"
CASE = "/api/v1/cases/{case_id}"
TRANSITIONS = "/api/v1/cases/{case_id}/transitions"
CLOSE = "/api/v1/cases/{case_id}/close"
PLAN = "/api/v1/cases/{case_id}/plan"
PLAN_ITEMS = "/api/v1/cases/{case_id}/plan/items"
FOLLOW_UPS = "/api/v1/cases/{case_id}/follow-ups"

OUTSIDERS = [
    "other_agency_case_manager",
    "facilitator",
    "company_member",
    "auditor",
    "no_role_user",
]


def _token(user) -> str:
    """A token row made directly: case roles get theirs as the accounts module issues them."""
    prefix = secrets.token_hex(4)
    token = f"kinga_{prefix}_{secrets.token_urlsafe(32)}"
    ApiToken.objects.create(
        user=user,
        name="test",
        prefix=prefix,
        secret_hash=hashlib.sha256(token.encode()).hexdigest(),
    )
    return token


@pytest.fixture
def api(client, world):
    class Caller:
        def __init__(self, user):
            self.headers = {"Authorization": f"Bearer {_token(user)}"} if user else {}

        def get(self, path, params=None):
            return client.get(path, params or {}, headers=self.headers)

        def post(self, path, body):
            return client.post(
                path, data=json.dumps(body), content_type="application/json", headers=self.headers
            )

    return lambda persona: Caller(getattr(world, persona) if persona else None)


@pytest.fixture
def records(world, agencies):
    case = open_case(world)
    waiting = referral_create(
        actor=world.hub_admin,
        identification=identify_child(world, first_name="Joseph"),
        agency=agencies.one,
    )
    return {"case": case, "waiting": waiting}


def test_case_list_and_detail_for_the_agency(world, records, api):
    caller = api("case_manager")
    response = caller.get(CASES)
    assert response.status_code == 200
    assert_matches_schema(response, CASES)
    assert [item["number"] for item in response.json()["items"]] == [records["case"].number]
    detail = caller.get(CASE.format(case_id=records["case"].pk))
    assert_matches_schema(detail, CASE)
    assert detail.json()["events"][0]["kind"] == "opened"
    assert AuditEvent.objects.filter(action="case:view").count() == 1


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_no_case_and_get_404_by_id(world, records, api, persona):
    caller = api(persona)
    listing = caller.get(CASES)
    if listing.status_code == 200:
        assert listing.json()["items"] == []
    else:
        assert listing.status_code == 404
        assert_matches_schema(listing, CASES)
    case_id = records["case"].pk
    for template in (CASE, PLAN, FOLLOW_UPS):
        response = caller.get(template.format(case_id=case_id))
        assert response.status_code == 404
        assert_matches_schema(response, template)
    response = caller.post(
        TRANSITIONS.format(case_id=case_id),
        {"action": "start_protection", "version": 1, "note": "Removed."},
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=case_id).state == CaseState.IDENTIFIED
    assert caller.get(REFERRAL.format(referral_id=records["waiting"].pk)).status_code == 404
    response = caller.post(
        ACCEPT.format(referral_id=records["waiting"].pk),
        {"case_manager_id": world.other_agency_case_manager.pk},
    )
    assert response.status_code == 404
    assert Referral.objects.get(pk=records["waiting"].pk).status == ReferralStatus.PENDING


def test_anonymous_gets_401(records, api):
    response = api(None).get(CASES)
    assert response.status_code == 401
    assert_matches_schema(response, CASES)


def test_filters(world, records, api):
    caller = api("hub_admin")
    case = records["case"]
    assert caller.get(CASES, {"state": "closed"}).json()["items"] == []
    assert len(caller.get(CASES, {"state": "identified"}).json()["items"]) == 1
    assert len(caller.get(CASES, {"agency": case.agency_id}).json()["items"]) == 1
    assert caller.get(CASES, {"urgency": "immediate"}).json()["items"] == []
    assert caller.get(CASES, {"overdue": "true"}).json()["items"] == []
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert len(caller.get(CASES, {"overdue": "true"}).json()["items"]) == 1
    assert len(caller.get(CASES, {"area": world.village.pk}).json()["items"]) == 1
    assert caller.get(CASES, {"area": world.other_village.pk}).json()["items"] == []
    assert caller.get(CASES, {"sponsor": 999999}).json()["items"] == []
    response = caller.get(CASES, {"state": "nonsense"})
    assert response.status_code == 422
    assert_matches_schema(response, CASES)
    pending = caller.get(REFERRALS, {"status": "pending"})
    assert_matches_schema(pending, REFERRALS)
    assert [item["id"] for item in pending.json()["items"]] == [records["waiting"].pk]


def test_keyset_pages_cost_the_same_at_any_depth(world, agencies, api):
    accredit(world, agencies.one, capacity=50)
    for name in ("Amani", "Joseph", "Neema", "Furaha", "Baraka"):
        open_case(world, first_name=name)
    caller = api("case_manager")
    caller.get(CASES, {"limit": 2})
    with CaptureQueriesContext(connection) as first:
        page = caller.get(CASES, {"limit": 2}).json()
    with CaptureQueriesContext(connection) as deep:
        second = caller.get(CASES, {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert len(first) == len(deep)
    seen = [item["id"] for item in page["items"] + second["items"]]
    assert len(set(seen)) == 4
    assert seen == sorted(seen, reverse=True)


def test_the_case_list_reads_no_child_name_and_a_fixed_number_of_queries(world, agencies, api):
    """The list shows codes, never names: their encrypted columns are not even read."""
    accredit(world, agencies.one, capacity=50)
    open_case(world, first_name="Amani")
    caller = api("hub_admin")
    caller.get(CASES, {"limit": 50})
    with CaptureQueriesContext(connection) as one:
        assert len(caller.get(CASES, {"limit": 50}).json()["items"]) == 1
    for name in ("Joseph", "Neema", "Furaha"):
        open_case(world, first_name=name)
    with CaptureQueriesContext(connection) as four:
        response = caller.get(CASES, {"limit": 50})
    assert len(response.json()["items"]) == 4
    assert_matches_schema(response, CASES)
    assert len(one) == len(four)
    (listing,) = [q["sql"] for q in four.captured_queries if "cases_case" in q["sql"]]
    for column in ("first_name", "last_name", "head_name", "phone"):
        assert column not in listing


def test_walking_a_referral_to_follow_up_through_the_api(world, agencies, api):
    desk = api("hub_admin")
    identification = identify_child(world)
    created = desk.post(
        REFERRALS, {"identification_id": identification.pk, "agency_id": agencies.one.pk}
    )
    assert created.status_code == 201
    assert_matches_schema(created, REFERRALS, "post")
    referral_id = created.json()["id"]
    caller = api("case_manager")
    accepted = caller.post(
        ACCEPT.format(referral_id=referral_id), {"case_manager_id": world.case_manager.pk}
    )
    assert accepted.status_code == 201
    assert_matches_schema(accepted, ACCEPT, "post")
    case = accepted.json()
    refused = caller.post(
        TRANSITIONS.format(case_id=case["id"]),
        {"action": "start_protection", "version": case["version"], "note": ""},
    )
    assert refused.status_code == 400
    assert_matches_schema(refused, TRANSITIONS, "post")
    moved = caller.post(
        TRANSITIONS.format(case_id=case["id"]),
        {"action": "start_protection", "version": case["version"], "note": "Removed."},
    )
    assert moved.status_code == 200
    stale = caller.post(
        TRANSITIONS.format(case_id=case["id"]),
        {"action": "start_assessment", "version": case["version"]},
    )
    assert stale.status_code == 400
    assert stale.json()["code"] == "case.stale"
    version = moved.json()["version"]
    caller.post(
        TRANSITIONS.format(case_id=case["id"]),
        {"action": "start_assessment", "version": version},
    )
    today = timezone.localdate()
    item = caller.post(
        PLAN_ITEMS.format(case_id=case["id"]),
        {
            "kind": "school_kit",
            "responsible_party": "Agency One",
            "budget_amount": "25.00",
            "currency": "USD",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert item.status_code == 201
    assert_matches_schema(item, PLAN_ITEMS, "post")
    plan = caller.get(PLAN.format(case_id=case["id"]))
    assert_matches_schema(plan, PLAN)
    assert [entry["kind"] for entry in plan.json()["items"]] == ["school_kit"]


def test_follow_up_through_the_api(world, agencies, api):
    case = advance(open_case(world), CaseState.IN_REMEDIATION, world.case_manager)
    caller = api("case_manager")
    response = caller.post(
        FOLLOW_UPS.format(case_id=case.pk),
        {
            "version": case.version,
            "visited_on": timezone.localdate().isoformat(),
            "school_status": "attending_regularly",
        },
    )
    assert response.status_code == 201, response.json()
    assert_matches_schema(response, FOLLOW_UPS, "post")
    assert response.json()["case"]["state"] == "follow_up"
    listing = caller.get(FOLLOW_UPS.format(case_id=case.pk))
    assert_matches_schema(listing, FOLLOW_UPS)
    assert len(listing.json()["items"]) == 1


def test_decline_returns_the_referral(world, records, api):
    response = api("case_manager").post(
        DECLINE.format(referral_id=records["waiting"].pk), {"reason": "No place in Kasulo."}
    )
    assert response.status_code == 200
    assert_matches_schema(response, DECLINE, "post")
    assert response.json()["status"] == "declined"


def test_close_refuses_without_the_rule(world, records, api):
    case = records["case"]
    response = api("case_manager").post(
        CLOSE.format(case_id=case.pk), {"version": case.version, "reason": "completed"}
    )
    assert response.status_code == 400
    assert_matches_schema(response, CLOSE, "post")


@pytest.mark.parametrize("persona", ["case_manager", "facilitator", "company_member"])
def test_only_the_desk_refers_through_the_api(world, agencies, api, persona):
    identification = identify_child(world)
    response = api(persona).post(
        REFERRALS, {"identification_id": identification.pk, "agency_id": agencies.one.pk}
    )
    assert response.status_code == 404
    assert_matches_schema(response, REFERRALS, "post")
    assert not Referral.objects.exists()


def test_a_child_met_without_a_household_is_listed_in_the_community_where_met(
    world, agencies, api, client_for
):
    """A child found on a site, family unknown: the case shows the community where met."""
    child = make_child(world.facilitator, None, first_name="Tumaini", met_in=world.village)
    referral = referral_create_for_child(
        actor=world.hub_admin,
        child=child,
        agency=agencies.one,
        source=ReferralSource.MANUAL,
        urgency=Urgency.HIGH,
        note="Met at the washing pond; family not known yet.",
    )
    case = referral_accept(
        actor=world.case_manager, referral=referral, case_manager=world.case_manager
    )
    response = api("case_manager").get(CASES, {"area": world.village.pk})
    assert_matches_schema(response, CASES)
    (item,) = response.json()["items"]
    assert item["id"] == case.pk
    assert item["area"]["code"] == world.village.code
    assert api("case_manager").get(CASES, {"area": world.other_village.pk}).json()["items"] == []
    page = client_for(world.case_manager).get("/cases/")
    assert world.village.name in page.content.decode()
    assert api("other_agency_case_manager").get(CASES).json()["items"] == []
