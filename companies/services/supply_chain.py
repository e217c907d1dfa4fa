"""Supply chains: which suppliers are in a company's chain, at which tier, and their sites."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from companies.models import (
    MAX_TIER,
    PACKAGE_SUPPLIER_LIMITS,
    CompanyMembership,
    LinkSource,
    SupplierSite,
    SupplyChainLink,
)
from companies.services._checks import require_company, require_permission
from core.errors import DomainError
from geo.models import Site

# Organisations that can sit in a supply chain; the Hub, agencies and verifiers cannot.
SUPPLIER_TYPES = frozenset({OrganisationType.SUPPLIER, OrganisationType.COMPANY})


def check_tier(tier: int, *, field: str = "tier") -> None:
    if not 1 <= tier <= MAX_TIER:
        raise DomainError(
            "supply_chain.tier_invalid",
            _("The tier must be between 1 (direct supplier) and %(max)s.") % {"max": MAX_TIER},
            field=field,
        )


def check_buyer(company: Organisation, buyer: Organisation | None) -> None:
    """Whom a supplier sells to must be the company itself or already in its chain."""
    if buyer is None or buyer.pk == company.pk:
        return
    if not SupplyChainLink.objects.filter(company=company, supplier=buyer).exists():
        raise DomainError(
            "supply_chain.buyer_outside_chain",
            _("The buyer must be the company or one of its suppliers."),
            field="buyer",
        )


@transaction.atomic
def supplier_find_or_create(*, actor: Any, name: str) -> Organisation:
    """The organisation called `name` (any case), or a new supplier organisation."""
    require_permission(actor, Permission.COMPANY_MANAGE)
    name = " ".join(name.split())
    if not name:
        raise DomainError("supplier.name_required", _("Give the supplier's name."), field="name")
    found = Organisation.objects.filter(name__iexact=name).first()
    if found is not None:
        if found.type not in SUPPLIER_TYPES:
            raise DomainError(
                "supplier.wrong_type",
                _("“%(name)s” is an organisation that cannot be a supplier.") % {"name": name},
                field="name",
            )
        return found
    supplier = Organisation.objects.create(name=name, type=OrganisationType.SUPPLIER)
    record_event(
        actor=actor,
        action=Action.ORGANISATION_CREATE,
        subject=supplier,
        changes={"name": name, "type": OrganisationType.SUPPLIER, "via": "supply_chain"},
    )
    return supplier


def _check_package_room(company: Organisation) -> None:
    """The package sets how many suppliers the programme covers for the company."""
    membership = CompanyMembership.objects.filter(company=company).first()
    limit = PACKAGE_SUPPLIER_LIMITS[membership.package] if membership else None
    if limit is None:
        return
    if SupplyChainLink.objects.filter(company=company).count() >= limit:
        raise DomainError(
            "supply_chain.package_full",
            _(
                "The company's package covers %(limit)s suppliers; its chain is full. "
                "Change the package first."
            )
            % {"limit": limit},
        )


@transaction.atomic
def link_add(
    *,
    actor: Any,
    company: Organisation,
    supplier: Organisation,
    tier: int,
    buyer: Organisation | None = None,
    source: str = LinkSource.HUB,
) -> SupplyChainLink:
    """Put `supplier` in the company's chain. Adding a supplier already there is refused."""
    require_permission(actor, Permission.COMPANY_MANAGE)
    require_company(company)
    # One company at a time: two Hub staff adding suppliers cannot overfill a package.
    Organisation.objects.select_for_update().filter(pk=company.pk).first()
    if supplier.pk == company.pk or supplier.type not in SUPPLIER_TYPES:
        raise DomainError(
            "supply_chain.not_a_supplier",
            _("This organisation cannot be a supplier of the company."),
            field="supplier",
        )
    check_tier(tier)
    check_buyer(company, buyer)
    if buyer is None and tier == 1:
        buyer = company  # a direct supplier sells to the company itself
    if SupplyChainLink.objects.filter(company=company, supplier=supplier).exists():
        raise DomainError(
            "supply_chain.already_linked",
            _("This supplier is already in the company's chain."),
            field="supplier",
        )
    _check_package_room(company)
    link = SupplyChainLink.objects.create(
        company=company, supplier=supplier, tier=tier, buyer=buyer, source=source, created_by=actor
    )
    record_event(
        actor=actor,
        action=Action.SUPPLY_LINK_ADD,
        subject=link,
        changes={
            "company": company.pk,
            "supplier": supplier.pk,
            "tier": tier,
            "buyer": buyer.pk if buyer else None,
            "source": source,
        },
    )
    return link


@transaction.atomic
def link_remove(*, actor: Any, link: SupplyChainLink) -> None:
    require_permission(actor, Permission.COMPANY_MANAGE)
    if SupplyChainLink.objects.filter(company=link.company_id, buyer=link.supplier_id).exists():
        raise DomainError(
            "supply_chain.link_in_use",
            _("Other suppliers in the chain sell to this one; remove them first."),
        )
    record_event(
        actor=actor,
        action=Action.SUPPLY_LINK_REMOVE,
        subject_type="companies.supplychainlink",
        subject_id=link.pk,
        changes={"company": link.company_id, "supplier": link.supplier_id, "tier": link.tier},
    )
    link.delete()


@transaction.atomic
def supplier_site_add(*, actor: Any, supplier: Organisation, site: Site) -> SupplierSite:
    """Link a supplier to a site it operates or buys from; linking twice changes nothing."""
    require_permission(actor, Permission.COMPANY_MANAGE)
    if supplier.type not in SUPPLIER_TYPES:
        raise DomainError(
            "supply_chain.not_a_supplier",
            _("This organisation cannot be a supplier of the company."),
            field="supplier",
        )
    existing = SupplierSite.objects.filter(supplier=supplier, site=site).first()
    if existing is not None:
        return existing
    supplier_site = SupplierSite.objects.create(supplier=supplier, site=site)
    record_event(
        actor=actor,
        action=Action.SUPPLIER_SITE_ADD,
        subject=supplier_site,
        changes={"supplier": supplier.pk, "site": site.pk},
    )
    return supplier_site
