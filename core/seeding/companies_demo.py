"""The demo's member companies: memberships, contributions, supply chains, nominations, cohorts.

The six demo companies buy cobalt and copper that comes, through refiners, hydroxide plants,
processors and trading depots, from the artisanal mine sites of the demo communities. Their
chains are written through the companies services (actor None: the system), so every row has
its audit event. The six mine-site cooperatives are suppliers created here.

Every state of a nomination appears (nominated, invited, accepted, declined, active), and two
companies sponsor a cohort. Cases are placed in the cohorts when the demo has cases (the
`cases` step runs first); with none, the cohorts stay empty and a later run fills them.

Idempotent: each row is keyed (a company, a supplier name, a cohort name) and made only when
missing; cohorts are filled up to their target from cases nobody sponsors yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from accounts.models import Organisation, OrganisationType
from cases.choices import CaseState
from cases.models import Case
from companies.models import (
    Cohort,
    CohortCase,
    CompanyMembership,
    Nomination,
    NominationStatus,
    SupplierSite,
    SupplyChainLink,
)
from companies.services import cohorts, memberships, nominations, supply_chain

if TYPE_CHECKING:
    from core.seeding.demo import DemoContext


@dataclass(frozen=True)
class CooperativeSpec:
    name: str
    sites: tuple[str, ...]


COOPERATIVES: tuple[CooperativeSpec, ...] = (
    CooperativeSpec(
        "Coopérative minière de Kasulo (COMIKA)",
        ("SITE-KZI-KASULO-ASM", "SITE-KZI-KAMILOMBE-ASM"),
    ),
    CooperativeSpec("Coopérative minière de Mutoshi (CMKM)", ("SITE-KZI-MUTOSHI-ASM",)),
    CooperativeSpec(
        "Coopérative artisanale de Tilwezembe", ("SITE-MUT-TILWEZEMBE-ASM", "SITE-MUT-KAWAMA-ASM")
    ),
    CooperativeSpec(
        "Coopérative minière de Kwatebala", ("SITE-LUB-KWATEBALA-ASM", "SITE-LUB-MULUMBU-ASM")
    ),
    CooperativeSpec(
        "Coopérative des creuseurs de Kakanda",
        ("SITE-KBV-KAKANDA-ASM", "SITE-KBV-SHINKOLOBWE-ASM"),
    ),
    CooperativeSpec(
        "Coopérative minière de Kisanga", ("SITE-LSH-KISANGA-ASM", "SITE-KIP-MINE-ASM")
    ),
)
KASULO, MUTOSHI, TILWEZEMBE, KWATEBALA, KAKANDA, KISANGA = (
    COOPERATIVES[0].name,
    COOPERATIVES[1].name,
    COOPERATIVES[2].name,
    COOPERATIVES[3].name,
    COOPERATIVES[4].name,
    COOPERATIVES[5].name,
)


@dataclass(frozen=True)
class MembershipSpec:
    company: str  # key of a demo organisation
    package: str
    status: str
    starts_on: date
    pledged: Decimal
    paid: tuple[Decimal, ...]


MEMBERSHIPS: tuple[MembershipSpec, ...] = (
    MembershipSpec(
        "company-aurora",
        "extended",
        "active",
        date(2025, 1, 1),
        Decimal("250000"),
        (Decimal("125000"), Decimal("62500")),
    ),
    MembershipSpec(
        "company-meridian",
        "standard",
        "active",
        date(2025, 4, 1),
        Decimal("120000"),
        (Decimal("60000"),),
    ),
    MembershipSpec(
        "company-kito", "entry", "active", date(2025, 9, 1), Decimal("40000"), (Decimal("40000"),)
    ),
    MembershipSpec(
        "company-pacific",
        "standard",
        "active",
        date(2025, 6, 1),
        Decimal("100000"),
        (Decimal("50000"),),
    ),
    MembershipSpec(
        "company-nordlys", "standard", "prospect", date(2026, 7, 1), Decimal("90000"), ()
    ),
    MembershipSpec(
        "company-sungura",
        "extended",
        "active",
        date(2025, 1, 1),
        Decimal("180000"),
        (Decimal("90000"), Decimal("90000")),
    ),
)


@dataclass(frozen=True)
class LinkSpec:
    supplier: str  # key of a demo organisation, or a cooperative's name
    tier: int
    buyer: str = ""  # same; blank: the company itself or not known


CHAINS: dict[str, tuple[LinkSpec, ...]] = {
    "company-aurora": (
        LinkSpec("company-pacific", 1),
        LinkSpec("supplier-lubumbashi", 2, "company-pacific"),
        LinkSpec("supplier-kolwezi", 3, "supplier-lubumbashi"),
        LinkSpec("supplier-musompo", 4, "supplier-kolwezi"),
        LinkSpec(MUTOSHI, 5, "supplier-musompo"),
        # Kasulo's cooperative joins through a nomination (see NOMINATIONS).
    ),
    "company-meridian": (
        LinkSpec("company-sungura", 1),
        LinkSpec("supplier-likasi", 2, "company-sungura"),
        LinkSpec(KAKANDA, 3, "supplier-likasi"),
        LinkSpec(KISANGA, 3, "supplier-likasi"),
    ),
    "company-kito": (
        LinkSpec("supplier-kolwezi", 1),
        LinkSpec(TILWEZEMBE, 2, "supplier-kolwezi"),
    ),
    "company-pacific": (
        LinkSpec("supplier-lubumbashi", 1),
        LinkSpec("supplier-kolwezi", 2, "supplier-lubumbashi"),
        LinkSpec("supplier-musompo", 3, "supplier-kolwezi"),
        LinkSpec(KASULO, 4, "supplier-musompo"),
    ),
    "company-nordlys": (
        LinkSpec("supplier-likasi", 1),
        LinkSpec(KWATEBALA, 2, "supplier-likasi"),
    ),
    "company-sungura": (
        LinkSpec("supplier-likasi", 1),
        LinkSpec("supplier-musompo", 1),
        LinkSpec(KAKANDA, 2, "supplier-likasi"),
        LinkSpec(TILWEZEMBE, 2, "supplier-musompo"),
    ),
}


@dataclass(frozen=True)
class NominationSpec:
    company: str
    supplier_name: str
    tier: int
    buyer: str
    status: str
    decline_reason: str = ""


NOMINATIONS: tuple[NominationSpec, ...] = (
    NominationSpec("company-aurora", KASULO, 5, "supplier-musompo", NominationStatus.ACTIVE),
    NominationSpec(
        "company-aurora", "Dépôt Mwanga SARL", 4, "supplier-kolwezi", NominationStatus.INVITED
    ),
    NominationSpec(
        "company-aurora", "Coopérative minière de Kanina", 5, "", NominationStatus.NOMINATED
    ),
    NominationSpec(
        "company-aurora",
        "Tenke Process Services SA",
        3,
        "",
        NominationStatus.DECLINED,
        "No answer to three invitations; the site is now closed.",
    ),
    NominationSpec(
        "company-meridian",
        "Coopérative de Fungurume",
        3,
        "supplier-likasi",
        NominationStatus.ACCEPTED,
    ),
    NominationSpec(
        "company-meridian",
        "Likasi Copper Traders",
        3,
        "supplier-likasi",
        NominationStatus.NOMINATED,
    ),
    NominationSpec("company-kito", KWATEBALA, 2, "supplier-kolwezi", NominationStatus.INVITED),
    NominationSpec("company-sungura", KISANGA, 2, "supplier-likasi", NominationStatus.NOMINATED),
)


@dataclass(frozen=True)
class CohortSpec:
    company: str
    name: str
    places: int
    starts_on: date
    target: int  # cases to place when the demo has them


COHORTS: tuple[CohortSpec, ...] = (
    CohortSpec("company-aurora", "Aurora: Kolwezi 2026", 40, date(2026, 1, 1), 14),
    CohortSpec("company-meridian", "Meridian: Likasi and Kambove 2026", 25, date(2026, 3, 1), 6),
)


def seed_companies(context: DemoContext) -> None:
    """The `companies` demo step."""
    organisations = dict(context.organisations)
    for cooperative in COOPERATIVES:
        organisations[cooperative.name] = _cooperative(context, cooperative)
    for membership in MEMBERSHIPS:
        _membership(context, organisations[membership.company], membership)
    for company_key, links in CHAINS.items():
        company = organisations[company_key]
        for link in links:
            _link(context, company, link, organisations)
    for nomination in NOMINATIONS:
        _nomination(context, nomination, organisations)
    for cohort_spec in COHORTS:
        _cohort(context, cohort_spec, organisations[cohort_spec.company])


def _cooperative(context: DemoContext, spec: CooperativeSpec) -> Organisation:
    cooperative = Organisation.objects.filter(name=spec.name).first()
    if cooperative is None:
        cooperative = Organisation.objects.create(name=spec.name, type=OrganisationType.SUPPLIER)
        context.created["supplier cooperatives"] += 1
    for code in spec.sites:
        site = context.sites.get(code)
        if (
            site is not None
            and not SupplierSite.objects.filter(supplier=cooperative, site=site).exists()
        ):
            supply_chain.supplier_site_add(actor=None, supplier=cooperative, site=site)
            context.created["supplier sites"] += 1
    return cooperative


def _membership(context: DemoContext, company: Organisation, spec: MembershipSpec) -> None:
    if CompanyMembership.objects.filter(company=company).exists():
        return
    membership = memberships.membership_set(
        actor=None,
        company=company,
        package=spec.package,
        status=spec.status,
        starts_on=spec.starts_on,
    )
    context.created["memberships"] += 1
    memberships.contribution_record(
        actor=None,
        membership=membership,
        kind="pledge",
        amount=spec.pledged,
        recorded_on=spec.starts_on,
        reference=f"Membership agreement {spec.starts_on.year}",
    )
    for number, amount in enumerate(spec.paid, start=1):
        memberships.contribution_record(
            actor=None,
            membership=membership,
            kind="payment",
            amount=amount,
            recorded_on=date(spec.starts_on.year, min(12, spec.starts_on.month + 3 * number), 15),
            reference=f"Bank transfer {number}",
        )
    context.created["contributions"] += 1 + len(spec.paid)


def _link(
    context: DemoContext,
    company: Organisation,
    spec: LinkSpec,
    organisations: dict[str, Organisation],
) -> None:
    supplier = organisations[spec.supplier]
    if SupplyChainLink.objects.filter(company=company, supplier=supplier).exists():
        return
    supply_chain.link_add(
        actor=None,
        company=company,
        supplier=supplier,
        tier=spec.tier,
        buyer=organisations[spec.buyer] if spec.buyer else None,
    )
    context.created["supply-chain links"] += 1


_PATH: dict[str, tuple[Any, ...]] = {
    NominationStatus.NOMINATED: (),
    NominationStatus.INVITED: (nominations.nomination_invite,),
    NominationStatus.ACCEPTED: (nominations.nomination_invite, nominations.nomination_accept),
    NominationStatus.ACTIVE: (
        nominations.nomination_invite,
        nominations.nomination_accept,
        nominations.nomination_activate,
    ),
}


def _nomination(
    context: DemoContext, spec: NominationSpec, organisations: dict[str, Organisation]
) -> None:
    company = organisations[spec.company]
    if Nomination.objects.filter(company=company, supplier_name=spec.supplier_name).exists():
        return
    nomination = nominations.nomination_create(
        actor=None,
        company=company,
        supplier_name=spec.supplier_name,
        tier=spec.tier,
        buyer=organisations[spec.buyer] if spec.buyer else None,
        note="Named in our 2025 supplier survey.",
    )
    context.created["nominations"] += 1
    if spec.status == NominationStatus.DECLINED:
        nominations.nomination_invite(actor=None, nomination=nomination)
        nominations.nomination_decline(
            actor=None, nomination=nomination, reason=spec.decline_reason
        )
        return
    for step in _PATH[spec.status]:
        step(actor=None, nomination=nomination)


def _cohort(context: DemoContext, spec: CohortSpec, company: Organisation) -> None:
    cohort = Cohort.objects.filter(company=company, name=spec.name).first()
    if cohort is None:
        cohort = cohorts.cohort_create(
            actor=None,
            company=company,
            name=spec.name,
            places=spec.places,
            starts_on=spec.starts_on,
        )
        context.created["cohorts"] += 1
    missing = spec.target - CohortCase.objects.filter(cohort=cohort).count()
    if missing <= 0:
        return
    free = Case.objects.filter(sponsor__isnull=True, cohort_placement__isnull=True).order_by(
        "number"
    )
    # Mostly cases still being worked on, some closed: a sponsor follows both.
    open_count = missing - missing // 4
    chosen = [
        *free.exclude(state=CaseState.CLOSED).only("id")[:open_count],
        *free.filter(state=CaseState.CLOSED).only("id")[: missing - open_count],
    ]
    for case in chosen:
        cohorts.cohort_assign_case(actor=None, cohort=cohort, case=case)
        context.created["cohort places"] += 1
