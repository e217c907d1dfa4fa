from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import RoleAssignment
from accounts.roles import Role
from accounts.services.tokens import create_api_token
from accounts.tests.factories import OrganisationFactory, RoleAssignmentFactory, UserFactory
from audit.actions import Action
from audit.models import AuditEvent
from geo.models import Site, SiteKind, SiteStatus
from geo.tests.factories import SiteFactory
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

SITES = "/api/v1/sites"
SITE = "/api/v1/sites/{site_id}"
AREAS = "/api/v1/areas"
AREA = "/api/v1/areas/{area_id}"


def _headers(user) -> dict[str, str]:
    _row, token = create_api_token(actor=user, name="test", verified=True)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def sites(world):
    return {
        "mine": SiteFactory(name="Kasulo pit", code="MINE-KASULO", area=world.village),
        "other_mine": SiteFactory(name="Kanina pit", code="MINE-KANINA", area=world.other_village),
    }


@pytest.fixture
def village_auditor(world):
    """An auditor whose assignment is narrowed to one village: the API's outsider to Kanina."""
    assignment = RoleAssignmentFactory(
        user=UserFactory(username="village-auditor"),
        role=Role.AUDITOR,
        organisation=OrganisationFactory(name="Verifier"),
        areas=[world.village],
    )
    return assignment.user


def _fields(response) -> list[str]:
    """The inputs a 422 names. Body fields are named as the client sent them."""
    return [problem["field"] for problem in response.json()["errors"]]


def _post(client, headers, body):
    return client.post(
        SITES, data=json.dumps(body), content_type="application/json", headers=headers
    )


def _patch(client, headers, site_id, body):
    return client.patch(
        SITE.format(site_id=site_id),
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


# Authentication and visibility ------------------------------------------------------------------


def test_every_endpoint_needs_a_token(world, sites, client):
    site_id, area_id = sites["mine"].pk, world.village.pk
    calls = [
        ("get", AREAS, AREAS),
        ("get", AREA.format(area_id=area_id), AREA),
        ("get", SITES, SITES),
        ("get", SITE.format(site_id=site_id), SITE),
        ("post", SITES, SITES),
        ("patch", SITE.format(site_id=site_id), SITE),
    ]
    for method, url, documented in calls:
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == 401, url
        assert_matches_schema(response, documented, method)


def test_unknown_ids_answer_404(world, client):
    headers = _headers(world.hub_admin)
    for url, documented in (
        (AREA.format(area_id=999999), AREA),
        (SITE.format(site_id=999999), SITE),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert_matches_schema(response, documented)
    response = client.get(SITES, {"area": 999999}, headers=headers)
    assert response.status_code == 404
    assert_matches_schema(response, SITES)


def test_a_narrowed_reader_sees_only_their_area(world, sites, client, village_auditor):
    headers = _headers(village_auditor)
    listing = client.get(SITES, headers=headers)
    assert [item["name"] for item in listing.json()["items"]] == ["Kasulo pit"]
    other = sites["other_mine"]
    for url, documented in (
        (SITE.format(site_id=other.pk), SITE),
        (AREA.format(area_id=world.other_village.pk), AREA),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404
        assert_matches_schema(response, documented)
    assert client.get(SITES, {"area": world.other_village.pk}, headers=headers).status_code == 404
    areas = client.get(AREAS, {"level": "village"}, headers=headers).json()["items"]
    assert [area["name"] for area in areas] == ["Kasulo"]


def test_a_token_whose_user_lost_their_role_sees_nothing(world, sites, client):
    headers = _headers(world.auditor)
    RoleAssignment.objects.filter(user=world.auditor).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    for url, documented in (
        (SITES, SITES),
        (AREAS, AREAS),
        (SITE.format(site_id=sites["mine"].pk), SITE),
        (AREA.format(area_id=world.village.pk), AREA),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert_matches_schema(response, documented)


# Areas ------------------------------------------------------------------------------------------


def test_area_list_filters_by_parent_and_level_and_pages(world, client):
    headers = _headers(world.programme_manager)
    chiefdom_id = world.village.parent_id
    response = client.get(AREAS, {"parent": chiefdom_id}, headers=headers)
    assert response.status_code == 200
    assert_matches_schema(response, AREAS)
    assert [a["code"] for a in response.json()["items"]] == ["V-KANINA", "V-KASULO"]

    first = client.get(AREAS, {"level": "village", "limit": 1}, headers=headers).json()
    assert [a["name"] for a in first["items"]] == ["Kanina"]
    second = client.get(
        AREAS, {"level": "village", "limit": 1, "cursor": first["next_cursor"]}, headers=headers
    ).json()
    assert [a["name"] for a in second["items"]] == ["Kasulo"]
    assert second["next_cursor"] is None


def test_area_detail_lists_its_ancestors(world, client):
    response = client.get(AREA.format(area_id=world.village.pk), headers=_headers(world.auditor))
    assert response.status_code == 200
    assert_matches_schema(response, AREA)
    body = response.json()
    assert body["code"] == "V-KASULO"
    assert body["level"] == "village"
    assert body["parent_id"] == world.village.parent_id
    assert [a["name"] for a in body["ancestors"]] == ["DR Congo", "Lualaba", "Lubudi", "Bayeke"]


def test_area_list_rejects_bad_filters(world, client):
    headers = _headers(world.auditor)
    response = client.get(AREAS, {"level": "galaxy"}, headers=headers)
    assert response.status_code == 422
    assert_matches_schema(response, AREAS)
    assert response.json()["errors"][0]["field"] == "level"


# Sites: reading ---------------------------------------------------------------------------------


def test_site_list_answers_schema_valid_pages_of_50_by_default(world, client):
    for number in range(55):
        SiteFactory(name=f"Pit {number:02d}", area=world.village)
    headers = _headers(world.auditor)
    response = client.get(SITES, headers=headers)
    assert response.status_code == 200
    assert_matches_schema(response, SITES)
    body = response.json()
    assert len(body["items"]) == 50
    assert body["items"][0]["area"]["code"] == "V-KASULO"
    rest = client.get(SITES, {"cursor": body["next_cursor"]}, headers=headers).json()
    assert [item["name"] for item in rest["items"]] == [f"Pit {n}" for n in range(50, 55)]
    assert rest["next_cursor"] is None


def test_site_list_filters_search_and_sort(world, sites, client):
    SiteFactory(name="Kasulo school", code="SCH-1", area=world.village, kind=SiteKind.SCHOOL)
    SiteFactory(name="Old depot", code="DEP-1", area=world.village, status=SiteStatus.CLOSED)
    headers = _headers(world.hub_admin)

    def names(**params):
        response = client.get(SITES, params, headers=headers)
        assert response.status_code == 200
        assert_matches_schema(response, SITES)
        return [item["name"] for item in response.json()["items"]]

    assert names(area=world.other_village.pk) == ["Kanina pit"]
    assert names(area=world.province.pk) == [
        "Kanina pit",
        "Kasulo pit",
        "Kasulo school",
        "Old depot",
    ]
    assert names(kind="school") == ["Kasulo school"]
    assert names(status="closed") == ["Old depot"]
    assert names(q="kasulo") == ["Kasulo pit", "Kasulo school"]
    assert names(q="mine-kan") == ["Kanina pit"]
    assert names(q="zzz") == []
    latest = Site.objects.get(code="DEP-1")
    Site.objects.filter(pk=latest.pk).update(updated_at=timezone.now() + timedelta(minutes=5))
    assert names(sort="updated")[0] == "Old depot"


@pytest.mark.parametrize("sort", ["name", "updated"])
def test_paging_visits_every_site_once_even_when_sort_keys_tie(world, client, sort):
    moment = timezone.now()
    made = [SiteFactory(name="Same name", area=world.village, updated_at=moment) for _ in range(5)]
    headers = _headers(world.auditor)
    seen: list[int] = []
    cursor = None
    for _ in range(5):
        params = {"sort": sort, "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(SITES, params, headers=headers).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    ids = [site.pk for site in made]
    assert seen == (sorted(ids) if sort == "name" else sorted(ids, reverse=True))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"kind": "quarry"}, "kind"),
        ({"status": "open"}, "status"),
        ({"sort": "random"}, "sort"),
        ({"area": "abc"}, "area"),
    ],
)
def test_site_list_rejects_bad_parameters_with_field_errors(world, client, params, field):
    response = client.get(SITES, params, headers=_headers(world.auditor))
    assert response.status_code == 422
    assert_matches_schema(response, SITES)
    assert _fields(response) == [field]


def test_site_list_answers_400_for_a_damaged_cursor(world, client):
    response = client.get(SITES, {"cursor": "not-a-cursor"}, headers=_headers(world.auditor))
    assert response.status_code == 400
    assert_matches_schema(response, SITES)
    assert response.json()["code"] == "pagination.bad_cursor"


def test_site_detail(world, client):
    operator = OrganisationFactory(name="Coopérative Kasulo")
    site = SiteFactory(
        area=world.village, latitude="-10.612345", longitude="26.123456", operator=operator
    )
    response = client.get(SITE.format(site_id=site.pk), headers=_headers(world.auditor))
    assert response.status_code == 200
    assert_matches_schema(response, SITE)
    body = response.json()
    assert body["latitude"] == pytest.approx(-10.612345)
    assert body["operator"] == {"id": operator.pk, "name": "Coopérative Kasulo"}
    assert body["area"]["name"] == "Kasulo"


def test_site_list_is_one_query_for_the_page(world, client, django_assert_max_num_queries):
    for number in range(120):
        SiteFactory(
            name=f"Pit {number}",
            area=world.village if number % 2 else world.other_village,
            operator=OrganisationFactory(name=f"Coop {number % 7}"),
        )
    headers = _headers(world.auditor)
    client.get(SITES, headers=headers)  # the token's "last used" write happens once a minute
    # Token lookup, role assignments and their areas, the area filter, then one for the page.
    with django_assert_max_num_queries(5):
        response = client.get(
            SITES, {"limit": 200, "area": world.province.pk, "q": "pit"}, headers=headers
        )
    assert len(response.json()["items"]) == 120


# Sites: writing ---------------------------------------------------------------------------------


def _new_site(world, **overrides):
    body = {
        "code": "MINE-NEW",
        "name": "New pit",
        "kind": "artisanal_mine",
        "area_id": world.village.pk,
        "latitude": -10.5,
        "longitude": 25.75,
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("persona", ["hub_admin", "programme_manager"])
def test_site_managers_create_sites(world, client, persona):
    user = getattr(world, persona)
    response = _post(client, _headers(user), _new_site(world, operator_name="Coop Kasulo"))
    assert response.status_code == 201
    assert_matches_schema(response, SITES, "post")
    body = response.json()
    assert body["status"] == "active"
    assert body["operator_name"] == "Coop Kasulo"
    site = Site.objects.get(pk=body["id"])
    assert site.area == world.village
    assert AuditEvent.objects.get(action=Action.SITE_CREATE, subject_id=str(site.pk)).actor == user


def test_readers_cannot_create_or_edit_sites(world, sites, client):
    headers = _headers(world.auditor)
    response = _post(client, headers, _new_site(world))
    assert response.status_code == 404
    assert_matches_schema(response, SITES, "post")
    response = _patch(client, headers, sites["mine"].pk, {"name": "Renamed"})
    assert response.status_code == 404
    assert_matches_schema(response, SITE, "patch")
    assert not Site.objects.filter(code="MINE-NEW").exists()
    assert Site.objects.get(pk=sites["mine"].pk).name == "Kasulo pit"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "   "}, "code"),
        ({"name": ""}, "name"),
        ({"kind": "quarry"}, "kind"),
        ({"area_id": None}, "area_id"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": "25.1234567"}, "longitude"),
        ({"status": "open"}, "status"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_answers_422_with_the_field_at_fault(world, client, overrides, field):
    response = _post(client, _headers(world.hub_admin), _new_site(world, **overrides))
    assert response.status_code == 422
    assert_matches_schema(response, SITES, "post")
    assert _fields(response) == [field]
    assert not Site.objects.exists()


def test_create_refuses_a_missing_field_or_a_broken_body(world, client):
    headers = _headers(world.hub_admin)
    body = _new_site(world)
    del body["kind"]
    response = _post(client, headers, body)
    assert response.status_code == 422
    assert _fields(response) == ["kind"]
    response = client.post(SITES, data="{", content_type="application/json", headers=headers)
    assert response.status_code == 400  # not JSON at all
    assert_matches_schema(response, SITES, "post")


@pytest.mark.usefixtures("sites")
@pytest.mark.parametrize(
    ("overrides", "refusal"),
    [
        ({"code": "MINE-KASULO"}, ("site.code_taken", "code")),
        ({"longitude": None}, ("site.coordinates_incomplete", "longitude")),
        ({"area_id": 999999}, ("site.area_unknown", "area_id")),
        ({"operator_id": 999999}, ("site.operator_unknown", "operator_id")),
    ],
)
def test_create_answers_400_when_a_rule_refuses(world, client, overrides, refusal):
    response = _post(client, _headers(world.hub_admin), _new_site(world, **overrides))
    assert response.status_code == 400
    assert_matches_schema(response, SITES, "post")
    assert (response.json()["code"], response.json()["field"]) == refusal
    assert response.json()["message"]
    assert not Site.objects.filter(name="New pit").exists()


def test_patch_changes_only_the_fields_sent(world, sites, client):
    site = sites["mine"]
    headers = _headers(world.programme_manager)
    response = _patch(
        client, headers, site.pk, {"name": "Kasulo pit (north)", "latitude": -10.1, "longitude": 25}
    )
    assert response.status_code == 200
    assert_matches_schema(response, SITE, "patch")
    site.refresh_from_db()
    assert (site.name, site.code, site.kind, site.area) == (
        "Kasulo pit (north)",
        "MINE-KASULO",
        "artisanal_mine",
        world.village,
    )
    event = AuditEvent.objects.get(action=Action.SITE_UPDATE, subject_id=str(site.pk))
    assert event.changes["name"] == {"old": "Kasulo pit", "new": "Kasulo pit (north)"}
    # null clears the coordinates; moving the site takes an area id.
    response = _patch(
        client,
        headers,
        site.pk,
        {"latitude": None, "longitude": None, "area_id": world.other_village.pk},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["latitude"], body["longitude"]) == (None, None)
    assert body["area"]["id"] == world.other_village.pk


def test_patch_refuses_null_for_required_fields_and_broken_rules(world, sites, client):
    site = sites["mine"]
    headers = _headers(world.hub_admin)
    response = _patch(client, headers, site.pk, {"name": None})
    assert response.status_code == 422
    assert_matches_schema(response, SITE, "patch")
    assert _fields(response) == ["name"]
    response = _patch(client, headers, site.pk, {"code": "MINE-KANINA"})
    assert response.status_code == 400
    assert_matches_schema(response, SITE, "patch")
    assert response.json() == {
        "code": "site.code_taken",
        "message": "Another site already has this code.",
        "field": "code",
    }
    response = _patch(client, headers, 999999, {"name": "Ghost"})
    assert response.status_code == 404
    assert_matches_schema(response, SITE, "patch")
    site.refresh_from_db()
    assert site.name == "Kasulo pit"
