"""An importer's journey in a real browser: upload, match, check, import (phone width)."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import TEST_PASSWORD
from collect.tests.conftest import csv_bytes
from core.tests.browser import screenshot
from monitoring.models import Household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_importer_uploads_checks_and_imports_valid_rows(page, world, tmp_path):
    world.hub_admin.preferred_language = "en"  # the pages after sign-in follow it
    world.hub_admin.save(update_fields=["preferred_language"])
    device = TOTPDevice.objects.create(user=world.hub_admin, name="phone", confirmed=True)
    page.set_default_timeout(60_000)  # a shared, busy test machine
    page.goto(f"{page.base_url}/")
    page.get_by_label("Username").fill("hub-admin")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/mfa/verify/**")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(device.bin_key):06d}"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Administration").wait_for()
    page.goto(f"{page.base_url}/collect/imports/")
    page.get_by_role("heading", name="Imports").wait_for()

    file = tmp_path / "menages.csv"
    file.write_bytes(
        csv_bytes(
            [
                ["_uuid", "Code village", "Nom chef ménage", "Taille ménage"],
                ["6f1c2f3e-1111-4a5b-9c8d-0123456789ab", "V-KASULO", "Kabila Mwamba", "5"],
                ["6f1c2f3e-2222-4a5b-9c8d-0123456789ab", "V-NOWHERE", "Ilunga Kasongo", "4"],
            ],
            delimiter=";",
            bom=True,
        )
    )
    page.get_by_role("link", name="Import a file").click()
    page.get_by_label("Households (one per row)").check()
    page.get_by_label("CSV or XLSX file").set_input_files(str(file))
    page.get_by_role("button", name="Upload and match columns").click()
    page.get_by_role("heading", name="Match the columns").wait_for()
    assert page.get_by_label("Community code").input_value() == "Code village"
    screenshot(page, "import-mapping")
    page.get_by_role("button", name="Check every row").click()

    page.get_by_role("heading", name="Rows that cannot be imported").wait_for()
    assert "Unknown community code." in page.content()
    page.get_by_label("Valid rows only: import them and list the others").check()
    screenshot(page, "import-checked")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("1 row imported.").wait_for()
    screenshot(page, "import-done")
    assert Household.objects.count() == 1
    assert page.console_errors == []
