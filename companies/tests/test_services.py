from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import OrganisationType
from accounts.tests.factories import OrganisationFactory
from audit.models import AuditEvent
from cases.models import Case
from cases.tests.factories import open_case
from companies import selectors
from companies.models import CohortCase, NominationStatus, SupplyChainLink
from companies.services import cohorts, memberships, nominations, supply_chain
from companies.tests.factories import company_of, make_chain, other_company
from core.errors import DomainError
from geo.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_supply_chain_sites_reach_every_tier_and_operated_sites(world):
    chain = make_chain(world, company_of(world))
    operated = SiteFactory(name="Operated", area=world.village, operator=chain.deep)
    own = SiteFactory(name="Own plant", area=world.village, operator=chain.company)
    SiteFactory(name="Unrelated", area=world.village)
    other = make_chain(world, other_company(), prefix="B")

    sites = set(selectors.supply_chain_sites(chain.company))

    assert sites == {chain.direct_site, chain.deep_site, operated, own}
    assert other.deep_site not in sites


def test_membership_and_contributions_are_audited_and_totalled(world):
    company = company_of(world)
    membership = memberships.membership_set(
        actor=world.hub_admin,
        company=company,
        package="entry",
        status="active",
        starts_on=date(2026, 1, 1),
    )
    memberships.contribution_record(
        actor=world.hub_admin,
        membership=membership,
        kind="pledge",
        amount=Decimal("50000"),
        recorded_on=date(2026, 1, 5),
    )
    memberships.contribution_record(
        actor=world.hub_admin,
        membership=membership,
        kind="payment",
        amount=Decimal("20000"),
        recorded_on=date(2026, 2, 5),
    )
    totals = selectors.contribution_totals(membership)
    assert (totals.pledged, totals.paid, totals.outstanding) == (
        Decimal("50000"),
        Decimal("20000"),
        Decimal("30000"),
    )
    assert AuditEvent.objects.filter(action="contribution:record").count() == 2
    assert AuditEvent.objects.filter(action="membership:set").count() == 1


def test_company_member_cannot_set_memberships(world):
    with pytest.raises(DomainError):
        memberships.membership_set(
            actor=world.company_member,
            company=company_of(world),
            package="entry",
            status="active",
            starts_on=date(2026, 1, 1),
        )


def test_the_package_limits_the_number_of_suppliers(world):
    company = company_of(world)
    memberships.membership_set(
        actor=world.hub_admin,
        company=company,
        package="entry",
        status="active",
        starts_on=date(2026, 1, 1),
    )
    for number in range(5):
        supplier = OrganisationFactory(name=f"S{number}", type=OrganisationType.SUPPLIER)
        supply_chain.link_add(actor=world.hub_admin, company=company, supplier=supplier, tier=1)
    sixth = OrganisationFactory(name="S6", type=OrganisationType.SUPPLIER)
    with pytest.raises(DomainError) as refused:
        supply_chain.link_add(actor=world.hub_admin, company=company, supplier=sixth, tier=1)
    assert refused.value.code == "supply_chain.package_full"


def test_a_buyer_must_be_in_the_chain(world):
    company = company_of(world)
    stranger = OrganisationFactory(name="Stranger", type=OrganisationType.SUPPLIER)
    supplier = OrganisationFactory(name="Supplier", type=OrganisationType.SUPPLIER)
    with pytest.raises(DomainError) as refused:
        supply_chain.link_add(
            actor=world.hub_admin, company=company, supplier=supplier, tier=2, buyer=stranger
        )
    assert refused.value.code == "supply_chain.buyer_outside_chain"


def test_nomination_runs_through_every_state_with_dates_and_events(world):
    chain = make_chain(world, company_of(world))
    nomination = nominations.nomination_create(
        actor=world.company_member,
        company=chain.company,
        supplier_name="  Mutanda   Washing Coop ",
        tier=3,
        buyer=chain.deep,
    )
    assert nomination.supplier_name == "Mutanda Washing Coop"
    assert nomination.status == NominationStatus.NOMINATED

    nominations.nomination_invite(actor=world.programme_manager, nomination=nomination)
    nominations.nomination_accept(actor=world.programme_manager, nomination=nomination)
    nominations.nomination_activate(actor=world.programme_manager, nomination=nomination)

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ACTIVE
    assert nomination.invited_at is not None
    assert nomination.accepted_at is not None
    assert nomination.activated_at is not None
    link = SupplyChainLink.objects.get(company=chain.company, supplier=nomination.supplier)
    assert (link.tier, link.buyer, link.source) == (3, chain.deep, "nomination")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "nomination:create",
        "nomination:invite",
        "nomination:accept",
        "nomination:activate",
    } <= actions


def test_nomination_steps_refuse_the_wrong_order_and_the_company_member(world):
    company = company_of(world)
    nomination = nominations.nomination_create(
        actor=world.company_member, company=company, supplier_name="X", tier=1
    )
    with pytest.raises(DomainError) as refused:
        nominations.nomination_activate(actor=world.programme_manager, nomination=nomination)
    assert refused.value.code == "nomination.wrong_status"
    with pytest.raises(DomainError):
        nominations.nomination_invite(actor=world.company_member, nomination=nomination)
    declined = nominations.nomination_decline(
        actor=world.programme_manager, nomination=nomination, reason="No reply"
    )
    assert declined.status == NominationStatus.DECLINED
    assert declined.declined_at is not None


def test_a_company_member_nominates_only_for_their_own_company(world):
    with pytest.raises(DomainError):
        nominations.nomination_create(
            actor=world.company_member, company=other_company(), supplier_name="X", tier=1
        )
    with pytest.raises(DomainError):
        nominations.nomination_create(
            actor=world.auditor, company=company_of(world), supplier_name="X", tier=1
        )


def test_the_same_supplier_is_not_nominated_twice_while_open(world):
    company = company_of(world)
    nominations.nomination_create(
        actor=world.company_member, company=company, supplier_name="Kolwezi Traders", tier=1
    )
    with pytest.raises(DomainError) as refused:
        nominations.nomination_create(
            actor=world.company_member, company=company, supplier_name="kolwezi traders", tier=2
        )
    assert refused.value.code == "nomination.already_open"


@pytest.fixture
def case(world, agencies):
    return open_case(world)


def test_assigning_a_case_sets_the_sponsor_and_respects_capacity(world, case, agencies):
    chain = make_chain(world, company_of(world))
    version = case.version
    cohorts.cohort_assign_case(actor=world.programme_manager, cohort=chain.cohort, case=case)

    case.refresh_from_db()
    assert case.sponsor == chain.company
    assert case.version == version
    assert list(selectors.cohort_case_ids(chain.cohort)) == [case.pk]
    assert list(selectors.company_cohorts(chain.company)) == [chain.cohort]
    event = AuditEvent.objects.get(action="cohort:assign")
    assert event.subject_id == str(case.pk)

    with pytest.raises(DomainError) as refused:
        cohorts.cohort_assign_case(actor=world.programme_manager, cohort=chain.cohort, case=case)
    assert refused.value.code == "cohort.case_already_placed"


def test_a_full_cohort_refuses_one_more_case(world, agencies):
    company = company_of(world)
    cohort = cohorts.cohort_create(
        actor=world.hub_admin, company=company, name="Small", places=1, starts_on=date(2026, 1, 1)
    )
    first = open_case(world, first_name="Amani")
    second = open_case(world, first_name="Neema")
    cohorts.cohort_assign_case(actor=world.hub_admin, cohort=cohort, case=first)
    with pytest.raises(DomainError) as refused:
        cohorts.cohort_assign_case(actor=world.hub_admin, cohort=cohort, case=second)
    assert refused.value.code == "cohort.full"
    assert CohortCase.objects.count() == 1
    assert Case.objects.get(pk=second.pk).sponsor is None


def test_only_the_hub_assigns_cases(world, case):
    chain = make_chain(world, company_of(world))
    with pytest.raises(DomainError):
        cohorts.cohort_assign_case(actor=world.company_member, cohort=chain.cohort, case=case)


def test_a_direct_supplier_sells_to_the_company(world):
    chain = make_chain(world, company_of(world))
    link = SupplyChainLink.objects.get(company=chain.company, supplier=chain.direct)
    assert link.buyer == chain.company


def test_a_supplier_others_sell_to_stays_until_they_go(world):
    chain = make_chain(world, company_of(world))
    direct = SupplyChainLink.objects.get(company=chain.company, supplier=chain.direct)
    deep = SupplyChainLink.objects.get(company=chain.company, supplier=chain.deep)
    with pytest.raises(DomainError) as refused:
        supply_chain.link_remove(actor=world.hub_admin, link=direct)
    assert refused.value.code == "supply_chain.link_in_use"
    supply_chain.link_remove(actor=world.hub_admin, link=deep)
    supply_chain.link_remove(actor=world.hub_admin, link=direct)
    assert not SupplyChainLink.objects.filter(company=chain.company).exists()
    assert AuditEvent.objects.filter(action="supply_chain:link_remove").count() == 2
