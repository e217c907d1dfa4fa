"""The companies demo step, run over the demo's geography and organisations only (no cases):
it must work without cases, and a second run must create nothing."""

from __future__ import annotations

import pytest

from companies.models import (
    Cohort,
    CohortCase,
    CompanyMembership,
    Nomination,
    NominationStatus,
    SupplyChainLink,
)
from companies.selectors import supply_chain_sites
from core.seeding import demo
from core.seeding.companies_demo import seed_companies

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    context = demo.DemoContext(write=lambda line: None)
    for step in (demo.seed_geography, demo.seed_organisations, demo.seed_people, demo.seed_sites):
        step(context)
    return context


def test_the_demo_companies_get_chains_nominations_and_cohorts_without_cases(context):
    seed_companies(context)

    assert CompanyMembership.objects.count() == 6
    aurora = context.organisations["company-aurora"]
    assert SupplyChainLink.objects.filter(company=aurora, tier=5).count() == 2
    assert supply_chain_sites(aurora).filter(kind="artisanal_mine").count() == 3
    assert set(Nomination.objects.values_list("status", flat=True)) == set(NominationStatus)
    assert Cohort.objects.count() == 2
    assert not CohortCase.objects.exists()

    made = sum(context.created.values())
    seed_companies(context)
    assert sum(context.created.values()) == made
