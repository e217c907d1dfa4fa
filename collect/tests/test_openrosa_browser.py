"""A facilitator sets up a phone in a real browser (phone width): create, read once, revoke."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import DeviceCredential
from accounts.tests.factories import TEST_PASSWORD
from core.tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_creates_and_revokes_a_phone_credential(page, world):
    world.facilitator.preferred_language = "en"  # the pages after sign-in follow it
    world.facilitator.save(update_fields=["preferred_language"])
    device = TOTPDevice.objects.create(user=world.facilitator, name="app", confirmed=True)
    page.set_default_timeout(60_000)  # a shared, busy test machine
    page.goto(f"{page.base_url}/")
    page.get_by_label("Username").fill("facilitator")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/mfa/**")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(device.bin_key):06d}"
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}/collect/phones/")
    page.get_by_role("heading", name="Phones", exact=True).wait_for()
    page.get_by_label("Label").fill("Tecno 12")
    page.get_by_role("button", name="Create credential").click()
    page.get_by_role("heading", name="Settings for “Tecno 12”").wait_for()
    credential = DeviceCredential.objects.get()
    assert page.get_by_text(credential.name).first.is_visible()
    screenshot(page, "phone-credential-created")
    page.get_by_role("link", name="Revoke").click()
    page.get_by_role("heading", name="Revoke a phone").wait_for()
    screenshot(page, "phone-credential-revoke")
    page.get_by_role("button", name="Revoke").click()
    page.get_by_text("can no longer reach Kinga").wait_for()
    credential.refresh_from_db()
    assert credential.revoked_at is not None
