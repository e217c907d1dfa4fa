"""Supplier lists from CSV or XLSX: one row per supplier of one company's chain.

The file is read with the import machinery of `collect` (format detection, CSV/XLSX
streaming, cell conversion, problems with row, column, field and reason); each row then
goes through the supply-chain services, in a savepoint of its own, so a bad row is reported
and the valid rows are kept. A dry run does the same work inside a transaction that is rolled
back, so it reports exactly what the real import would do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from collect.fields import FieldSpec, normalise_header
from collect.readers import FileProblem, Table, detect_format
from collect.services.cells import Part, Problem
from collect.storage import delete_stored, write_stored
from companies.models import LinkSource, SupplyChainLink
from companies.services._checks import require_company, require_permission
from companies.services.supply_chain import link_add, supplier_find_or_create, supplier_site_add
from core.errors import DomainError
from geo.models import Site

# Supplier lists are a few hundred rows; anything much bigger is not a supplier list.
MAX_SUPPLIER_LIST_BYTES = 5 * 1024 * 1024

SUPPLIER_FIELDS = (
    FieldSpec(
        "supplier",
        gettext_lazy("Supplier"),
        ("supplier", "supplier_name", "name", "fournisseur", "nom", "nom_fournisseur"),
        required=True,
    ),
    FieldSpec("tier", gettext_lazy("Tier"), ("tier", "niveau", "rang"), required=True),
    FieldSpec(
        "sells_to",
        gettext_lazy("Sells to"),
        ("sells_to", "buyer", "client", "acheteur", "vend_a"),
        help=gettext_lazy("The company itself, or a supplier listed above; blank if unknown."),
    ),
    FieldSpec(
        "sites",
        gettext_lazy("Site codes"),
        ("sites", "site_codes", "site_code", "site", "codes_sites", "code_site"),
        help=gettext_lazy("Codes of Kinga sites, separated by spaces, commas or semicolons."),
    ),
)
_SPECS = {spec.name: spec for spec in SUPPLIER_FIELDS}
# Service errors name their inputs; the report names the file's fields.
_FIELD_OF_ERROR = {"supplier": "supplier", "name": "supplier", "tier": "tier", "buyer": "sells_to"}


@dataclass
class SupplierImportResult:
    dry_run: bool
    rows: int = 0
    added: int = 0
    already_in_chain: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def rows_with_errors(self) -> int:
        return len({problem.row for problem in self.problems})

    @property
    def valid(self) -> int:
        return self.rows - self.rows_with_errors


def _columns(headers: list[str]) -> dict[str, str]:
    """Our field name → the file's column, matched on normalised names."""
    found: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        for spec in SUPPLIER_FIELDS:
            if spec.name not in found and key in spec.aliases:
                found[spec.name] = header
    return found


def supplier_list_import(
    *, actor: Any, company: Organisation, data: bytes, dry_run: bool
) -> SupplierImportResult:
    """Import (or, with `dry_run`, only check) a supplier list for `company`."""
    require_permission(actor, Permission.COMPANY_MANAGE)
    require_company(company)
    if len(data) > MAX_SUPPLIER_LIST_BYTES:
        raise FileProblem(
            "import.file_too_large",
            _("A supplier list is at most 5 MB; this file is larger."),
            field="file",
        )
    file_format = detect_format(data[:4096])
    stored_name, _size = write_stored(data)
    try:
        with Table(stored_name, file_format) as table:
            return _run(actor, company, table, dry_run)
    finally:
        delete_stored(stored_name)


def _run(actor: Any, company: Organisation, table: Table, dry_run: bool) -> SupplierImportResult:
    sheet = table.sheet_names()[0]
    columns = _columns(table.headers(sheet))
    missing = [
        str(spec.label) for spec in SUPPLIER_FIELDS if spec.required and spec.name not in columns
    ]
    if missing:
        raise FileProblem(
            "import.columns_missing",
            _("The file has no column for: %(fields)s.") % {"fields": ", ".join(missing)},
            field="file",
        )
    headers = table.headers(sheet)
    result = SupplierImportResult(dry_run=dry_run)
    with transaction.atomic():
        for number, values in table.rows(sheet):
            cells = dict(zip(headers, values, strict=False))
            part = Part(
                sheet=sheet,
                row=number,
                values={name: cells.get(column) for name, column in columns.items()},
                columns=columns,
                specs=_SPECS,
            )
            result.rows += 1
            _import_row(actor, company, part, result)
            result.problems.extend(part.problems)
        if not dry_run:
            record_event(
                actor=actor,
                action=Action.SUPPLIER_LIST_IMPORT,
                subject=company,
                changes={
                    "rows": result.rows,
                    "added": result.added,
                    "already_in_chain": result.already_in_chain,
                    "rows_with_errors": result.rows_with_errors,
                },
            )
        else:
            transaction.set_rollback(True)
    return result


def _import_row(
    actor: Any, company: Organisation, part: Part, result: SupplierImportResult
) -> None:
    name = part.required_text("supplier")
    tier = part.integer("tier")
    if tier is None and not part.has("tier"):
        part.refuse("tier", _("This value is required."), "import.required")
    site_codes = list(
        dict.fromkeys(re.split(r"[\s,;]+", part.text("sites")) if part.has("sites") else [])
    )
    site_codes = [code for code in site_codes if code]
    sites = _sites_by_code(site_codes)
    unknown = [code for code in site_codes if code.casefold() not in sites]
    if unknown:
        part.refuse(
            "sites",
            _("No site has the code %(codes)s.") % {"codes": ", ".join(unknown)},
            "supplier_import.site_unknown",
        )
    buyer_name = part.text("sells_to")
    buyer = _buyer(company, buyer_name) if buyer_name else None
    if buyer_name and buyer is None:
        part.refuse(
            "sells_to",
            _("The buyer must be the company or a supplier in its chain."),
            "supplier_import.buyer_unknown",
        )
    if part.problems or tier is None:
        return
    try:
        with transaction.atomic():
            supplier = supplier_find_or_create(actor=actor, name=name)
            if SupplyChainLink.objects.filter(company=company, supplier=supplier).exists():
                result.already_in_chain += 1
            else:
                link_add(
                    actor=actor,
                    company=company,
                    supplier=supplier,
                    tier=tier,
                    buyer=buyer,
                    source=LinkSource.IMPORT,
                )
                result.added += 1
            for code in site_codes:
                supplier_site_add(actor=actor, supplier=supplier, site=sites[code.casefold()])
    except DomainError as error:
        part.refuse(_FIELD_OF_ERROR.get(error.field or "", "supplier"), error.message, error.code)


def _sites_by_code(codes: list[str]) -> dict[str, Site]:
    """Sites by case-folded code; codes are matched whatever their case."""
    if not codes:
        return {}
    condition = Q()
    for code in codes:
        condition |= Q(code__iexact=code)
    return {site.code.casefold(): site for site in Site.objects.filter(condition)}


def _buyer(company: Organisation, name: str) -> Organisation | None:
    if name.casefold() == company.name.casefold():
        return company
    link = (
        SupplyChainLink.objects.filter(company=company, supplier__name__iexact=name)
        .select_related("supplier")
        .first()
    )
    return link.supplier if link else None
