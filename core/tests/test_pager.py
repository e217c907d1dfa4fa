"""The shared pager (core/_pager.html): a later page links back and on without losing the filters.

Every keyset-paged list renders the same include; the audit log is the list exercised here because
it also names its links in its own words ("Newest" / "Older"), and its rows are cheap to make.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl

import pytest

from accounts.models import OrganisationType
from accounts.tests.factories import OrganisationFactory
from audit.actions import Action
from audit.services import record_event
from core.pagination import encode_cursor

pytestmark = pytest.mark.django_db

FILTERS = {"action": "auth:login", "actor": "facilitator"}


def _links(page: str) -> dict[str, str]:
    """The pager's links by their words, with the query string decoded."""
    (nav,) = re.findall(r'<nav class="pager".*?</nav>', page, re.S)
    return {
        words: html.unescape(href)
        for href, words in re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', nav)
    }


def _query(href: str) -> dict[str, str]:
    assert href.startswith("?"), href
    return dict(parse_qsl(href[1:]))


@pytest.fixture
def logins(world):
    """110 sign-ins of the facilitator: three pages of 50, among sign-ins of others."""
    for number in range(110):
        record_event(actor=world.facilitator, action=Action.LOGIN)
        if number % 10 == 0:
            record_event(actor=world.case_manager, action=Action.LOGIN)


def test_a_second_page_links_back_and_on_with_the_filters(world, client_for, logins):
    client = client_for(world.auditor)
    first = client.get("/audit/", FILTERS)
    first_links = _links(first.content.decode())
    assert "Newest" not in first_links  # already on the first page
    second_href = first_links["Older"]
    assert _query(second_href) == FILTERS | {"cursor": first.context["page"].next_cursor}

    second = client.get("/audit/" + second_href)
    assert len(second.context["rows"]) == 50
    assert {row.event.actor for row in second.context["rows"]} == {world.facilitator}
    links = _links(second.content.decode())
    # Back to the first page: the same filters, no cursor.
    assert _query(links["Newest"]) == FILTERS
    # On to the third page: the same filters, the next cursor.
    assert _query(links["Older"]) == FILTERS | {"cursor": second.context["page"].next_cursor}

    third = client.get("/audit/" + links["Older"])
    assert len(third.context["rows"]) == 10
    assert "Older" not in _links(third.content.decode())


def test_htmx_answers_a_later_page_with_the_same_links(world, client_for, logins):
    client = client_for(world.auditor)
    cursor = client.get("/audit/", FILTERS).context["page"].next_cursor
    plain = client.get("/audit/", FILTERS | {"cursor": cursor}).content.decode()

    fragment = client.get(
        "/audit/", FILTERS | {"cursor": cursor}, headers={"HX-Request": "true"}
    ).content.decode()

    assert fragment.lstrip().startswith('<div id="event-results"')
    assert _links(fragment) == _links(plain)


def test_the_links_are_in_french_for_a_french_reader(world, client_for, logins):
    client = client_for(world.auditor)
    cursor = client.get("/audit/", FILTERS).context["page"].next_cursor

    page = client.get(
        "/audit/", FILTERS | {"cursor": cursor}, headers={"Accept-Language": "fr"}
    ).content.decode()

    assert set(_links(page)) == {"Plus récents", "Plus anciens"}


@pytest.mark.parametrize("persona", ["case_manager", "company_member", "no_role_user"])
def test_a_page_link_opens_nothing_for_an_outsider(world, client_for, logins, persona):
    cursor = client_for(world.auditor).get("/audit/", FILTERS).context["page"].next_cursor

    response = client_for(getattr(world, persona)).get("/audit/", FILTERS | {"cursor": cursor})

    assert response.status_code == 404
    assert "facilitator" not in response.content.decode()


def test_a_damaged_page_link_shows_the_first_page_with_no_link_back(world, client_for, logins):
    page = client_for(world.auditor).get("/audit/", FILTERS | {"cursor": "###"}).content.decode()

    assert "This page link is not valid." in page
    links = _links(page)
    assert "Newest" not in links
    assert _query(links["Older"])["actor"] == "facilitator"


def test_a_list_without_filters_links_back_only_from_a_later_page(world, client_for):
    """The company list has no filters: its links carry only the cursor."""
    for number in range(50):
        OrganisationFactory(name=f"Buyer {number:02d}", type=OrganisationType.COMPANY)
    client = client_for(world.programme_manager)
    first = _links(client.get("/companies/").content.decode())
    assert set(first) == {"Next page"}

    second = client.get("/companies/" + first["Next page"]).content.decode()

    assert "Company One" in second  # the 51st company by name
    assert _links(second) == {"First page": "?"}


@pytest.mark.parametrize(
    ("persona", "address"),
    [
        ("programme_manager", "/companies/"),
        ("hub_admin", "/collect/imports/"),
        ("hub_admin", "/collect/review/"),
    ],
)
@pytest.mark.parametrize(
    "cursor",
    [
        "###",  # not base64
        encode_cursor(["not-an-id"]),  # decodes, but not a value of the column
        encode_cursor([{"dec": "x"}]),
        encode_cursor([{"dt": "2026-13-45T99:00:00"}]),
    ],
)
def test_a_damaged_page_link_of_a_list_without_filters_shows_its_first_page(
    world, client_for, persona, address, cursor
):
    response = client_for(getattr(world, persona)).get(address, {"cursor": cursor}, follow=False)

    assert response.status_code == 200
    assert "This page link is not valid." in response.content.decode()
    assert response.context["first_page"] is True
