from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from audit.models import AuditEvent
from companies.models import SupplierSite, SupplyChainLink
from companies.services import memberships
from companies.services.imports import supplier_list_import
from companies.tests.factories import company_of
from core.errors import DomainError
from geo.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = (
    "Fournisseur;Niveau;Acheteur;Sites\n"
    "Kolwezi Traders;1;Company One;KZ-DEPOT\n"
    "Musompo Coop;2;Kolwezi Traders;kz-mine kz-depot\n"
    "No tier Ltd;;;\n"
    "Deep Ltd;9;;\n"
    "Ghost buyer Ltd;2;Nobody;\n"
    "Bad site Ltd;1;;XX-NONE\n"
)


@pytest.fixture
def company(world):
    company = company_of(world)
    memberships.membership_set(
        actor=world.hub_admin,
        company=company,
        package="extended",
        status="active",
        starts_on=date(2026, 1, 1),
    )
    SiteFactory(code="KZ-DEPOT", area=world.village)
    SiteFactory(code="KZ-MINE", area=world.village)
    return company


def test_a_dry_run_reports_every_bad_row_and_changes_nothing(world, company):
    result = supplier_list_import(
        actor=world.programme_manager, company=company, data=GOOD_AND_BAD.encode(), dry_run=True
    )

    assert (result.rows, result.valid, result.rows_with_errors, result.added) == (6, 2, 4, 2)
    problems = {(problem.row, problem.field): problem for problem in result.problems}
    assert set(problems) == {(4, "tier"), (5, "tier"), (6, "sells_to"), (7, "sites")}
    assert problems[7, "sites"].column == "Sites"
    assert "XX-NONE" in problems[7, "sites"].reason
    assert not SupplyChainLink.objects.exists()
    assert not AuditEvent.objects.filter(action="supplier_list:import").exists()


def test_the_import_keeps_every_valid_row(world, company):
    result = supplier_list_import(
        actor=world.programme_manager, company=company, data=GOOD_AND_BAD.encode(), dry_run=False
    )

    assert result.added == 2
    links = {link.supplier.name: link for link in SupplyChainLink.objects.select_related("buyer")}
    assert set(links) == {"Kolwezi Traders", "Musompo Coop"}
    assert links["Musompo Coop"].tier == 2
    buyer = links["Musompo Coop"].buyer
    assert buyer is not None
    assert buyer.name == "Kolwezi Traders"
    assert SupplierSite.objects.filter(supplier__name="Musompo Coop").count() == 2
    assert AuditEvent.objects.filter(action="supplier_list:import").count() == 1

    again = supplier_list_import(
        actor=world.programme_manager, company=company, data=GOOD_AND_BAD.encode(), dry_run=False
    )
    assert (again.added, again.already_in_chain) == (0, 2)


def test_an_xlsx_list_is_read_too(world, company):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Supplier", "Tier"])
    sheet.append(["Likasi Smelter", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = supplier_list_import(
        actor=world.hub_admin, company=company, data=buffer.getvalue(), dry_run=False
    )

    assert (result.rows, result.added) == (1, 1)


def test_a_file_without_the_required_columns_is_refused(world, company):
    with pytest.raises(DomainError) as refused:
        supplier_list_import(
            actor=world.hub_admin, company=company, data=b"name\nX\n", dry_run=True
        )
    assert refused.value.code == "import.columns_missing"


def test_a_company_member_cannot_import(world, company):
    with pytest.raises(DomainError):
        supplier_list_import(
            actor=world.company_member, company=company, data=GOOD_AND_BAD.encode(), dry_run=True
        )
