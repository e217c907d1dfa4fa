from __future__ import annotations

import pytest

from cases.tests.factories import open_case
from companies.models import CohortCase, Nomination
from companies.services import cohorts, nominations
from companies.tests.factories import company_of, make_chain, other_company, token_headers
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

COMPANIES = "/api/v1/companies"
COMPANY = "/api/v1/companies/{company_id}"
CHAIN = "/api/v1/companies/{company_id}/supply-chain"
SITES = "/api/v1/companies/{company_id}/sites"
NOMINATE = "/api/v1/companies/{company_id}/nominations"
NOMINATIONS = "/api/v1/nominations"
INVITE = "/api/v1/nominations/{nomination_id}/invite"
COHORTS = "/api/v1/cohorts"
COHORT = "/api/v1/cohorts/{cohort_id}"
COHORT_CASES = "/api/v1/cohorts/{cohort_id}/cases"


def _headers(user) -> dict[str, str]:
    return token_headers(user)


@pytest.fixture
def chains(world):
    return make_chain(world, company_of(world)), make_chain(world, other_company(), prefix="B")


def _get(client, headers, template, **params):
    response = client.get(template.format(**params), headers=headers)
    assert_matches_schema(response, template)
    return response


def test_a_company_member_reads_only_their_company(world, client, chains):
    own, other = chains
    headers = _headers(world.company_member)

    listed = _get(client, headers, COMPANIES).json()
    assert [item["id"] for item in listed["items"]] == [own.company.pk]

    detail = _get(client, headers, COMPANY, company_id=own.company.pk).json()
    assert (detail["supplier_count"], detail["site_count"]) == (2, 2)
    chain = _get(client, headers, CHAIN, company_id=own.company.pk).json()
    assert [item["tier"] for item in chain["items"]] == [1, 2]
    sites = _get(client, headers, SITES, company_id=own.company.pk).json()
    assert {item["code"] for item in sites["items"]} == {own.direct_site.code, own.deep_site.code}

    for template in (COMPANY, CHAIN, SITES):
        response = _get(client, headers, template, company_id=other.company.pk)
        assert response.status_code == 404
    response = _get(client, headers, COHORT, cohort_id=other.cohort.pk)
    assert response.status_code == 404


def test_hub_staff_read_every_company_in_pages(world, client, chains):
    headers = _headers(world.programme_manager)
    first = client.get(f"{COMPANIES}?limit=1", headers=headers)
    assert_matches_schema(first, COMPANIES)
    second = client.get(
        f"{COMPANIES}?limit=1&cursor={first.json()['next_cursor']}", headers=headers
    )
    names = [first.json()["items"][0]["name"], second.json()["items"][0]["name"]]
    assert names == ["Company One", "Company Two"]


def test_an_auditor_sees_no_company(world, client, chains):
    headers = _headers(world.auditor)
    assert _get(client, headers, COMPANIES).status_code == 404
    assert _get(client, headers, COMPANY, company_id=chains[0].company.pk).status_code == 404


def test_every_endpoint_needs_a_token(client, chains):
    own = chains[0]
    assert client.get(COMPANIES).status_code == 401
    assert client.get(COHORT.format(cohort_id=own.cohort.pk)).status_code == 401


def test_cohorts_are_counts_for_a_company_and_ids_for_the_hub(world, client, chains, agencies):
    own = chains[0]
    case = open_case(world)
    cohorts.cohort_assign_case(actor=world.hub_admin, cohort=own.cohort, case=case)

    member = _get(client, _headers(world.company_member), COHORTS).json()["items"]
    assert [item["id"] for item in member] == [own.cohort.pk]
    assert member[0]["placed"] == {"value": None, "shown": "fewer than 10"}
    assert member[0]["case_ids"] is None

    hub = _get(client, _headers(world.programme_manager), COHORT, cohort_id=own.cohort.pk).json()
    assert hub["case_ids"] == [case.pk]


def test_the_hub_assigns_a_case_through_the_api(world, client, chains, agencies):
    own = chains[0]
    case = open_case(world)
    headers = _headers(world.programme_manager)
    response = client.post(
        COHORT_CASES.format(cohort_id=own.cohort.pk),
        {"case_id": case.pk},
        content_type="application/json",
        headers=headers,
    )
    assert_matches_schema(response, COHORT_CASES, "post")
    assert response.status_code == 201
    assert CohortCase.objects.get().case == case

    again = client.post(
        COHORT_CASES.format(cohort_id=own.cohort.pk),
        {"case_id": case.pk},
        content_type="application/json",
        headers=headers,
    )
    assert_matches_schema(again, COHORT_CASES, "post")
    assert again.json()["code"] == "cohort.case_already_placed"


def test_a_company_member_cannot_assign_cases(world, client, chains, agencies):
    case = open_case(world)
    response = client.post(
        COHORT_CASES.format(cohort_id=chains[0].cohort.pk),
        {"case_id": case.pk},
        content_type="application/json",
        headers=_headers(world.company_member),
    )
    assert response.status_code == 404


def test_nominate_and_invite_through_the_api(world, client, chains):
    own = chains[0]
    response = client.post(
        NOMINATE.format(company_id=own.company.pk),
        {"supplier_name": "Lubudi Coop", "tier": 3, "buyer_id": own.deep.pk},
        content_type="application/json",
        headers=_headers(world.company_member),
    )
    assert_matches_schema(response, NOMINATE, "post")
    assert response.status_code == 201
    nomination_id = response.json()["id"]

    member_cannot = client.post(
        INVITE.format(nomination_id=nomination_id), headers=_headers(world.company_member)
    )
    assert member_cannot.status_code == 404

    invited = client.post(
        INVITE.format(nomination_id=nomination_id), headers=_headers(world.programme_manager)
    )
    assert_matches_schema(invited, INVITE, "post")
    assert invited.json()["status"] == "invited"

    listed = _get(client, _headers(world.company_member), NOMINATIONS).json()["items"]
    assert [item["status"] for item in listed] == ["invited"]


def test_a_buyer_of_another_chain_is_refused(world, client, chains):
    own, other = chains
    response = client.post(
        NOMINATE.format(company_id=own.company.pk),
        {"supplier_name": "Lubudi Coop", "tier": 2, "buyer_id": other.direct.pk},
        content_type="application/json",
        headers=_headers(world.company_member),
    )
    assert_matches_schema(response, NOMINATE, "post")
    assert response.json()["field"] == "buyer_id"
    assert not Nomination.objects.exists()


def test_nominations_of_another_company_are_not_listed(world, client, chains):
    _own, other = chains
    nominations.nomination_create(
        actor=world.programme_manager, company=other.company, supplier_name="Hidden", tier=1
    )
    listed = _get(client, _headers(world.company_member), NOMINATIONS).json()["items"]
    assert listed == []
    response = client.get(
        f"{NOMINATIONS}?company={other.company.pk}", headers=_headers(world.company_member)
    )
    assert_matches_schema(response, NOMINATIONS)
    assert response.status_code == 404
