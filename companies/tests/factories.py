"""Member companies with a small supply chain, built through the services."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from accounts.models import ApiToken, Organisation, OrganisationType
from accounts.tests.factories import OrganisationFactory
from companies.models import Cohort, ParticipationPackage
from companies.services import cohorts, memberships, supply_chain
from geo.models import Site
from geo.tests.factories import SiteFactory


@dataclass
class Chain:
    company: Organisation
    direct: Organisation  # tier 1
    deep: Organisation  # tier 2, sells to `direct`
    direct_site: Site
    deep_site: Site
    cohort: Cohort


def make_chain(world, company: Organisation, *, prefix: str = "A") -> Chain:
    """`company` with a membership, two suppliers (tiers 1 and 2), a site each, a cohort."""
    actor = world.programme_manager
    memberships.membership_set(
        actor=actor,
        company=company,
        package=ParticipationPackage.STANDARD,
        status="active",
        starts_on=date(2026, 1, 1),
    )
    direct = OrganisationFactory(name=f"{prefix} Trader", type=OrganisationType.SUPPLIER)
    deep = OrganisationFactory(name=f"{prefix} Cooperative", type=OrganisationType.SUPPLIER)
    supply_chain.link_add(actor=actor, company=company, supplier=direct, tier=1)
    supply_chain.link_add(actor=actor, company=company, supplier=deep, tier=2, buyer=direct)
    direct_site = SiteFactory(name=f"{prefix} depot", area=world.village, kind="trading_depot")
    deep_site = SiteFactory(name=f"{prefix} mine", area=world.village)
    supply_chain.supplier_site_add(actor=actor, supplier=direct, site=direct_site)
    supply_chain.supplier_site_add(actor=actor, supplier=deep, site=deep_site)
    cohort = cohorts.cohort_create(
        actor=actor, company=company, name=f"{prefix} cohort", places=3, starts_on=date(2026, 1, 1)
    )
    return Chain(company, direct, deep, direct_site, deep_site, cohort)


def company_of(world) -> Organisation:
    return Organisation.objects.get(name="Company One")


def other_company() -> Organisation:
    return OrganisationFactory(name="Company Two", type=OrganisationType.COMPANY)


def token_headers(user) -> dict[str, str]:
    """Bearer headers for `user`, with a token written directly: company members cannot
    create one today (accounts policy), but the API must still hold if one existed."""
    prefix = secrets.token_hex(4)
    token = f"kinga_{prefix}_{secrets.token_urlsafe(32)}"
    ApiToken.objects.create(
        user=user,
        name="test",
        prefix=prefix,
        secret_hash=hashlib.sha256(token.encode()).hexdigest(),
    )
    return {"Authorization": f"Bearer {token}"}
