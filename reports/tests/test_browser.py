"""The dashboard, the map and a company's report page in a real browser (phone-sized)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

import reports.views  # noqa: F401 — loaded here, not by the first page under a time limit
from accounts.models import Organisation
from accounts.tests.factories import TEST_PASSWORD
from core.tests.browser import screenshot
from geo.models import Site, SiteKind
from reports.services.refresh import refresh_indicators
from reports.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user, *, second_factor: bool = True) -> None:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.set_default_timeout(60_000)  # a loaded, shared machine
    page.goto(f"{page.base_url}/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if not second_factor:  # company members see no identified data: no second factor
        page.wait_for_url(f"{page.base_url}/")
        return
    page.wait_for_url("**/account/mfa/verify/**")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(device.bin_key):06d}"
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{page.base_url}/")


def test_programme_manager_reads_the_dashboard_and_the_map(page, world, agencies):
    rng = random.Random(5)
    for _ in range(4):
        factories.add_child(world, rng, working=True)
    Site.objects.create(
        code="SITE-KASULO",
        name="Kasulo pit",
        kind=SiteKind.ARTISANAL_MINE,
        area=world.village,
        latitude=Decimal("-10.71"),
        longitude=Decimal("25.47"),
    )
    refresh_indicators()
    _sign_in(page, world.programme_manager)
    page.get_by_role("link", name="Open the programme dashboard").click()
    page.get_by_role("heading", name="Programme dashboard").wait_for()
    assert page.locator("svg[role=img]").count() >= 4
    screenshot(page, "reports-dashboard")
    page.get_by_role("link", name="Map of communities and sites").first.click()
    page.get_by_role("heading", name="Map of communities and sites").wait_for()
    assert page.locator("svg circle").count() >= 1
    assert "Kasulo pit" in page.content()
    screenshot(page, "reports-map")
    assert page.console_errors == []


def test_company_member_issues_and_downloads_a_report(page, world, agencies):
    company = Organisation.objects.get(name="Company One")
    _sign_in(page, world.company_member, second_factor=False)
    page.goto(f"{page.base_url}/reports/companies/{company.pk}/")
    page.get_by_role("heading", name="Company One").wait_for()
    page.get_by_role("button", name="Issue the report").click()
    page.get_by_role("link", name="Download PDF").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    screenshot(page, "reports-issued")
    assert page.console_errors == []
