"""The site list filters as you type (htmx, under the strict CSP) and still works as a form."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import TEST_PASSWORD
from core.tests.browser import screenshot
from geo.tests.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in_as_hub_admin(page, world):
    device = TOTPDevice.objects.create(user=world.hub_admin, name="phone", confirmed=True)
    page.goto(f"{page.base_url}/geo/sites/")
    page.get_by_label("Username").fill("hub-admin")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/mfa/verify/**")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(device.bin_key):06d}"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Sites").wait_for()


def test_typing_a_search_narrows_the_list_without_reloading(page, world):
    SiteFactory(name="Kasulo pit", area=world.village)
    SiteFactory(name="Kanina pit", area=world.other_village)
    _sign_in_as_hub_admin(page, world)
    results = page.locator("#site-results")
    assert "Kanina pit" in results.inner_text()
    page.evaluate("window.kingaMarker = 1")  # survives only if the page is not reloaded

    page.get_by_label("Search").fill("kasulo")
    page.wait_for_url("**/geo/sites/?*q=kasulo*")
    page.get_by_text("Kanina pit").wait_for(state="detached")
    assert "Kasulo pit" in results.inner_text()
    assert page.evaluate("window.kingaMarker") == 1

    page.get_by_label("Kind").select_option("school")
    page.get_by_text("No site matches these filters.").wait_for()
    screenshot(page, "geo-site-list-filtered")
    assert page.console_errors == []


def test_drilling_down_from_the_country_to_a_village_and_its_site(page, world):
    SiteFactory(name="Kasulo pit", area=world.village, latitude="-10.6", longitude="26.1")
    _sign_in_as_hub_admin(page, world)
    page.goto(f"{page.base_url}/geo/areas/")
    for name in ("DR Congo", "Lualaba", "Lubudi", "Bayeke", "Kasulo"):
        page.get_by_role("link", name=name, exact=True).first.click()
        page.get_by_role("heading", name=name, exact=True).wait_for()
    screenshot(page, "geo-village")
    page.get_by_role("link", name="Kasulo pit").click()
    page.get_by_role("heading", name="Kasulo pit").wait_for()
    screenshot(page, "geo-site")
    assert page.get_by_role("link", name="Open in a map app").get_attribute("href") == (
        "geo:-10.600000,26.100000"
    )
    assert page.console_errors == []
