"""The first journey of every user: sign in, prove the second factor, land on their home."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import TEST_PASSWORD
from core.tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username):
    page.goto(f"{page.base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_hub_admin_signs_in_with_second_factor_and_sees_home(page, world):
    device = TOTPDevice.objects.create(user=world.hub_admin, name="phone", confirmed=True)
    _sign_in(page, "hub-admin")
    page.wait_for_url("**/account/mfa/verify/**")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(device.bin_key):06d}"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Administration").wait_for()
    screenshot(page, "hub-admin-home")
    assert page.console_errors == []


def test_facilitator_sets_up_authenticator_at_first_sign_in(page, world):
    _sign_in(page, "facilitator")
    page.wait_for_url("**/account/mfa/setup/**")
    assert page.locator(".qr svg").count() == 1
    device = TOTPDevice.objects.get(user=world.facilitator, confirmed=False)
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator(".codes li").count() == 10
    page.get_by_role("link", name="I have saved them").click()
    page.get_by_role("heading", name="Your communities").wait_for()
    assert "Kasulo" in page.content()
    screenshot(page, "facilitator-home")


def test_language_menu_switches_to_french(page, world):
    _sign_in(page, "company-member")
    page.get_by_role("heading", name="Your company").wait_for()
    page.get_by_label("Language").select_option("fr")
    page.wait_for_selector('html[lang="fr"]')
    page.get_by_role("heading", name="Votre entreprise").wait_for()
    screenshot(page, "company-home-fr")
    assert page.console_errors == []
