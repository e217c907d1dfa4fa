from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import OrganisationType
from accounts.tests.factories import OrganisationFactory
from cases.tests.factories import open_case
from companies.models import CohortCase, Nomination, NominationStatus, SupplyChainLink
from companies.services import cohorts, nominations, supply_chain
from companies.tests.factories import company_of, make_chain, other_company
from geo.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

HUB_ONLY = ("hub_admin", "programme_manager")
NOT_HUB = (
    "facilitator",
    "case_manager",
    "supervisor",
    "other_agency_case_manager",
    "company_member",
    "auditor",
    "no_role_user",
)


@pytest.fixture
def chain(world):
    return make_chain(world, company_of(world))


@pytest.fixture
def hub_urls(chain):
    company = chain.company.pk
    return [
        reverse("companies:detail", args=[company]),
        reverse("companies:membership", args=[company]),
        reverse("companies:contribution_new", args=[company]),
        reverse("companies:supplier_new", args=[company]),
        reverse("companies:supplier_import", args=[company]),
        reverse("companies:cohort_new", args=[company]),
        reverse("companies:cohort", args=[chain.cohort.pk]),
    ]


@pytest.mark.parametrize("persona", HUB_ONLY)
def test_hub_staff_reach_every_hub_page(world, client_for, hub_urls, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("companies:list")).status_code == 200
    for url in hub_urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", NOT_HUB)
def test_everyone_else_gets_404_on_hub_pages(world, client_for, hub_urls, persona):
    client = client_for(getattr(world, persona))
    for url in hub_urls:
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_sign_in(client_for, hub_urls):
    response = client_for(None).get(hub_urls[0])
    assert response.status_code == 302


def test_company_list_costs_the_same_whatever_the_number_of_companies(
    world, client_for, django_assert_max_num_queries
):
    make_chain(world, company_of(world))
    make_chain(world, other_company(), prefix="B")
    client = client_for(world.programme_manager)
    client.get(reverse("companies:list"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("companies:list")).content.decode()
    assert "Company One" in page
    assert "Company Two" in page


def test_a_company_member_lands_on_their_portal(world, client_for, chain):
    response = client_for(world.company_member).get(reverse("companies:list"))
    assert response["Location"] == reverse("companies:portal", args=[chain.company.pk])


def test_the_portal_shows_the_chain_and_counts(world, client_for, chain, agencies):
    case = open_case(world)
    cohorts.cohort_assign_case(actor=world.hub_admin, cohort=chain.cohort, case=case)
    nominations.nomination_create(
        actor=world.company_member, company=chain.company, supplier_name="Likasi Coop", tier=2
    )

    page = client_for(world.company_member).get("/").content.decode()

    assert "A Trader" in page
    assert "A mine" in page
    assert "Likasi Coop" in page
    assert "fewer than 10" in page
    assert case.number not in page
    assert "Amani" not in page


def test_another_companys_portal_is_404(world, client_for, chain):
    other = make_chain(world, other_company(), prefix="B")
    client = client_for(world.company_member)
    assert client.get(reverse("companies:portal", args=[other.company.pk])).status_code == 404
    assert client.get(reverse("companies:nominate", args=[other.company.pk])).status_code == 404
    assert client.get(reverse("companies:portal", args=[chain.company.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["facilitator", "case_manager", "auditor", "no_role_user"])
def test_the_portal_is_404_to_others(world, client_for, chain, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("companies:portal", args=[chain.company.pk])).status_code == 404


def test_a_company_member_nominates_a_supplier(world, client_for, chain):
    response = client_for(world.company_member).post(
        reverse("companies:nominate", args=[chain.company.pk]),
        {"supplier_name": "Kambove Traders", "tier": "2", "buyer": str(chain.direct.pk)},
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.supplier_name, nomination.buyer) == ("Kambove Traders", chain.direct)


def test_a_buyer_outside_the_chain_cannot_be_chosen(world, client_for, chain):
    other = make_chain(world, other_company(), prefix="B")
    response = client_for(world.company_member).post(
        reverse("companies:nominate", args=[chain.company.pk]),
        {"supplier_name": "Kambove Traders", "tier": "2", "buyer": str(other.direct.pk)},
    )
    assert response.status_code == 200
    assert not Nomination.objects.exists()


def test_the_hub_moves_a_nomination_along(world, client_for, chain):
    nomination = nominations.nomination_create(
        actor=world.company_member, company=chain.company, supplier_name="Likasi Coop", tier=1
    )
    client = client_for(world.programme_manager)
    for step in ("invite", "accept", "activate"):
        response = client.post(reverse("companies:nomination_step", args=[nomination.pk, step]))
        assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ACTIVE
    assert SupplyChainLink.objects.filter(supplier__name="Likasi Coop").exists()


def test_a_company_member_cannot_move_a_nomination(world, client_for, chain):
    nomination = nominations.nomination_create(
        actor=world.company_member, company=chain.company, supplier_name="Likasi Coop", tier=1
    )
    response = client_for(world.company_member).post(
        reverse("companies:nomination_step", args=[nomination.pk, "invite"])
    )
    assert response.status_code == 404


def test_the_hub_adds_a_supplier_with_sites(world, client_for, chain):
    response = client_for(world.programme_manager).post(
        reverse("companies:supplier_new", args=[chain.company.pk]),
        {"supplier_name": "New Smelter", "tier": "1", "site_codes": chain.deep_site.code},
    )
    assert response.status_code == 302
    link = SupplyChainLink.objects.get(supplier__name="New Smelter")
    assert link.supplier.supplier_sites.get().site == chain.deep_site


def test_the_import_page_runs_a_dry_run(world, client_for, chain):
    upload = SimpleUploadedFile("suppliers.csv", b"supplier,tier\nKipushi Coop,1\nBad,x\n")
    response = client_for(world.programme_manager).post(
        reverse("companies:supplier_import", args=[chain.company.pk]),
        {"file": upload, "check": ""},
    )
    page = response.content.decode()
    assert "Dry run" in page
    assert "This must be a whole number." in page
    assert not SupplyChainLink.objects.filter(supplier__name="Kipushi Coop").exists()


def test_the_hub_places_a_case_by_number(world, client_for, chain, agencies):
    case = open_case(world)
    response = client_for(world.programme_manager).post(
        reverse("companies:cohort", args=[chain.cohort.pk]), {"case_number": case.number}
    )
    assert response.status_code == 302
    assert CohortCase.objects.get().case == case


def test_the_hub_creates_a_cohort_and_a_membership(world, client_for):
    company = company_of(world)
    client = client_for(world.hub_admin)
    response = client.post(
        reverse("companies:membership", args=[company.pk]),
        {"package": "standard", "status": "active", "starts_on": "2026-01-01", "currency": "usd"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("companies:cohort_new", args=[company.pk]),
        {"name": "Kolwezi 2026", "places": "25", "starts_on": date(2026, 1, 1).isoformat()},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("companies:contribution_new", args=[company.pk]),
        {"kind": "pledge", "amount": "1000", "recorded_on": "2026-01-02"},
    )
    assert response.status_code == 302
    assert (
        "1,000.00 USD"
        in client.get(reverse("companies:detail", args=[company.pk])).content.decode()
    )


def test_the_portal_costs_the_same_whatever_the_size_of_the_chain(
    world, client_for, chain, django_assert_max_num_queries
):
    client = client_for(world.company_member)
    client.get("/")
    with django_assert_max_num_queries(30) as small:
        client.get("/")
    for number in range(5):
        nominations.nomination_create(
            actor=world.company_member,
            company=chain.company,
            supplier_name=f"Extra {number}",
            tier=2,
        )
        supplier = OrganisationFactory(name=f"Depot {number}", type=OrganisationType.SUPPLIER)
        supply_chain.link_add(
            actor=world.hub_admin, company=chain.company, supplier=supplier, tier=2
        )
        site = SiteFactory(area=world.village, kind="trading_depot")
        supply_chain.supplier_site_add(actor=world.hub_admin, supplier=supplier, site=site)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/")


def test_the_hub_records_a_declined_nomination_with_its_reason(world, client_for, chain):
    nomination = nominations.nomination_create(
        actor=world.company_member, company=chain.company, supplier_name="Likasi Coop", tier=1
    )
    client_for(world.programme_manager).post(
        reverse("companies:nomination_step", args=[nomination.pk, "decline"]),
        {"reason": "Closed its depot"},
    )
    nomination.refresh_from_db()
    assert (nomination.status, nomination.decline_reason) == ("declined", "Closed its depot")
    portal = client_for(world.company_member).get("/").content.decode()
    assert "Closed its depot" in portal
