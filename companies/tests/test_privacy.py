"""A company member reaches no child-level data, by page or by API (docs/privacy.md).

The URL patterns and API routes are enumerated from the live resolver and the published
OpenAPI document, so a page or endpoint added later is covered without editing this file.
Only the pages meant for a company (its portal, the reports module's company pages, the
member's own account pages) are left out; everything else must answer 404 (or 405 for a
method the page does not take), exactly as for a record that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from cases.tests.factories import open_case
from companies.services import cohorts
from companies.tests.factories import company_of, make_chain, token_headers
from config.api import api
from monitoring.models import Visit

pytestmark = pytest.mark.django_db

# Pages meant for a company member (or for anyone signed in), by namespace or by name.
COMPANY_NAMESPACES = {"companies", "reports"}
OPEN_PAGES = {
    "core:home",
    "core:healthz",
    "accounts:login",
    "accounts:logout",
    "accounts:mfa_setup",
    "accounts:mfa_verify",
    "accounts:security",
    "accounts:password_change",
    "accounts:recovery_codes",
    "accounts:token_list",
    "accounts:token_revoke",
    ":set_language",
}
# Phones authenticate by device credentials, never by a web session: they answer 401.
PHONE_NAMESPACES = {"openrosa"}
# API routes meant for a company member; every other route must answer 404.
COMPANY_API_PREFIXES = (
    "/api/v1/me",
    "/api/v1/companies",
    "/api/v1/nominations",
    "/api/v1/cohorts",
    "/api/v1/reports",
    "/api/v1/tasks",  # the catalogue of work tasks: no child in it
)
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _patterns(
    resolvers: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            yield prefix + str(entry.pattern), f"{namespace}:{entry.name}"


@pytest.fixture
def records(world, agencies):
    """One of each child-level record, with real ids, and a case in the member's cohort."""
    chain = make_chain(world, company_of(world))
    case = open_case(world)
    cohorts.cohort_assign_case(actor=world.hub_admin, cohort=chain.cohort, case=case)
    child = case.child
    visit = Visit.objects.filter(household=child.household).first()
    ids = {
        "case_id": case.pk,
        "child_id": child.pk,
        "household_id": child.household_id,
        "visit_id": visit.pk if visit else 1,
        "referral_id": case.referral_id,
        "identification_id": case.referral.identification_id,
    }
    return {"ids": ids, "first_name": "Amani", "case_number": case.number}


def _fill(route: str, ids: dict[str, int]) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if converter == "int":
            return str(ids.get(name, 1))
        return "x"

    return "/" + _CONVERTER.sub(value, route)


def _child_data_pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    pages = []
    for route, name in _patterns(get_resolver().url_patterns):
        namespace = name.split(":", 1)[0]
        if route.startswith("api/v1/") or route.startswith("^"):
            continue  # the API is checked below; regex routes are static and media files
        if namespace in COMPANY_NAMESPACES or namespace in PHONE_NAMESPACES:
            continue
        if name in OPEN_PAGES:
            continue
        pages.append((name, _fill(route, ids)))
    return pages


def test_the_scan_finds_the_child_pages(records):
    names = {name for name, _url in _child_data_pages(records["ids"])}
    assert {"monitoring:child_detail", "monitoring:household_detail"} <= names
    assert {"monitoring:visit_detail", "collect:import_list"} <= names


def test_a_company_member_gets_404_on_every_other_page(world, client_for, records):
    client = client_for(world.company_member)
    leaks = []
    for name, url in _child_data_pages(records["ids"]):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            if response.status_code not in (404, 405) or records["first_name"] in body:
                leaks.append(f"{method.upper()} {url} ({name}): {response.status_code}")
    assert not leaks, "A company member reached:\n" + "\n".join(leaks)


def test_phone_endpoints_refuse_a_company_members_session(world, client_for, records):
    client = client_for(world.company_member)
    for route, name in _patterns(get_resolver().url_patterns):
        if name.split(":", 1)[0] in PHONE_NAMESPACES:
            response = client.get(_fill(route, records["ids"]))
            assert response.status_code in (401, 404, 405), f"{route}: {response.status_code}"


def _api_operations(ids: dict[str, int]) -> list[tuple[str, str]]:
    document = api.get_openapi_schema()
    operations: list[tuple[str, str]] = []
    for path, methods in document["paths"].items():
        if path.startswith(COMPANY_API_PREFIXES):
            continue
        url = re.sub(r"\{(\w+)\}", lambda match: str(ids.get(match.group(1), 1)), path)
        operations.extend((method, url) for method in methods)
    return operations


def test_the_scan_finds_the_child_endpoints(records):
    urls = {url for _method, url in _api_operations(records["ids"])}
    assert f"/api/v1/children/{records['ids']['child_id']}" in urls
    assert f"/api/v1/cases/{records['ids']['case_id']}" in urls


def test_a_company_member_gets_404_on_every_other_endpoint(world, client, records):
    headers = token_headers(world.company_member)
    leaks = []
    for method, url in _api_operations(records["ids"]):
        response = getattr(client, method)(url, headers=headers, content_type="application/json")
        body = response.content.decode(errors="replace")
        # A write with no body may be refused as invalid (422) before any record is looked
        # at; a read must answer 404 like a record that does not exist.
        allowed = (404,) if method == "get" else (404, 405, 422)
        if response.status_code not in allowed or records["first_name"] in body:
            leaks.append(f"{method.upper()} {url}: {response.status_code}")
    assert not leaks, "A company member's token reached:\n" + "\n".join(leaks)


def test_the_portal_and_api_name_no_child_and_no_case(world, client_for, client, records):
    page = client_for(world.company_member).get("/").content.decode()
    response = client.get("/api/v1/cohorts", headers=token_headers(world.company_member))
    for text in (page, response.content.decode()):
        assert records["first_name"] not in text
        assert records["case_number"] not in text
    assert [item["case_ids"] for item in response.json()["items"]] == [None]
