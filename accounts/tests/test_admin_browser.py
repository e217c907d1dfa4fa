"""The hub administrator in a real browser: the area picker (htmx) and the confirmations."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RoleAssignment, User
from accounts.tests.factories import TEST_PASSWORD
from core.tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in_as_hub_admin(page, world):
    world.hub_admin.preferred_language = "en"  # the labels below are the English ones
    world.hub_admin.save()
    device = TOTPDevice.objects.create(user=world.hub_admin, name="phone", confirmed=True)
    page.goto(f"{page.base_url}/account/admin/users/new/")
    page.get_by_label("Username").fill("hub-admin")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/mfa/verify/**")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(device.bin_key):06d}"
    )
    page.get_by_role("button", name="Continue").click()


def test_hub_admin_creates_a_facilitator_picking_villages_in_place(page, world):
    _sign_in_as_hub_admin(page, world)
    page.get_by_role("heading", name="New user").wait_for()
    page.get_by_label("Username").fill("new-facilitator")
    page.get_by_label("Full name").fill("New Facilitator")
    page.get_by_label("Role").select_option("facilitator")
    page.get_by_label("Organisation").select_option(label="Partner One (Local partner)")
    page.get_by_label("Area code").fill("CD-LU-LUB-BAY")
    page.get_by_role("button", name="Show communities").click()
    page.get_by_label("Kasulo · Village or quarter · V-KASULO").check()
    assert page.get_by_label("Username").input_value() == "new-facilitator"  # no reload
    screenshot(page, "admin-user-create")
    page.get_by_role("button", name="Create user").click()
    page.get_by_text("Temporary password").wait_for()
    screenshot(page, "admin-user-created")
    user = User.objects.get(username="new-facilitator")
    assert [a.code for a in RoleAssignment.objects.get(user=user).areas.all()] == ["V-KASULO"]
    page.get_by_role("link", name="Done").click()
    page.get_by_role("heading", name="Roles").wait_for()
    screenshot(page, "admin-user-detail")
    assert page.console_errors == []


def test_deactivation_asks_for_confirmation(page, world):
    _sign_in_as_hub_admin(page, world)
    page.get_by_role("heading", name="New user").wait_for()
    page.goto(f"{page.base_url}/account/admin/users/{world.auditor.pk}/deactivate/")
    page.get_by_label("Reason").fill("Contract ended")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Deactivate").click()
    world.auditor.refresh_from_db()
    assert world.auditor.is_active
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate").click()
    page.get_by_text("is deactivated").wait_for()
    world.auditor.refresh_from_db()
    assert not world.auditor.is_active


def test_audit_log_rows_expand_to_show_changes(page, world):
    _sign_in_as_hub_admin(page, world)
    page.get_by_role("heading", name="New user").wait_for()
    page.goto(f"{page.base_url}/audit/")
    page.get_by_role("heading", name="Audit log").wait_for()
    page.get_by_label("Action").select_option("audit:view")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**action=audit%3Aview**")
    page.locator("#event-results details summary").first.click()
    screenshot(page, "audit-log")
    assert page.console_errors == []
