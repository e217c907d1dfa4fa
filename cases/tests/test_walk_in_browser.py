"""One child walked from identification to closure in Chromium, each step by the right role:
the desk refers, the agency accepts, a junior case manager works the case, a full supervisor
approves the plan and the closure."""

from __future__ import annotations

import importlib

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import TEST_PASSWORD
from cases.choices import AccreditationLevel, CaseState
from cases.models import Case
from cases.services.agencies import caseworker_level_set
from cases.tests.factories import identify_child
from core.tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def task_catalogue(db):
    """Live-server tests flush the database between tests: load the task catalogue again, as
    its data migration does (follow-ups ask about tasks)."""
    from django.apps import apps

    migration = importlib.import_module("monitoring.migrations.0002_task_catalogue")
    migration.load(apps, None)


def _tab_for(page, user, username):
    """A separate browser context signed in as `username` (its own cookies)."""
    context = page.context.browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-GB"
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base_url = page.base_url
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    tab.goto(f"{page.base_url}/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(TEST_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/account/mfa/verify/**")
    tab.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(device.bin_key):06d}"
    )
    tab.get_by_role("button", name="Continue").click()
    tab.wait_for_url(f"{page.base_url}/")
    return tab


def _press(tab, name):
    tab.get_by_role("button", name=name).click()
    tab.wait_for_load_state()


def _case(child) -> Case:
    return Case.objects.get(child=child)


def test_a_child_from_identification_to_closure(page, world, agencies, task_catalogue):
    caseworker_level_set(
        actor=world.hub_admin, user=world.case_manager, level=AccreditationLevel.JUNIOR
    )
    identification = identify_child(world)
    child = identification.child

    desk = _tab_for(page, world.hub_admin, "hub-admin")
    desk.goto(f"{page.base_url}/monitoring/desk/{identification.pk}/")
    desk.get_by_label("Note for the agency").fill("Found washing ore at the Kasulo pools.")
    screenshot(desk, "cases-desk-refer")
    _press(desk, "Refer")
    desk.get_by_role("heading", name=f"Referral of {child.code}").wait_for()

    manager = _tab_for(page, world.case_manager, "case-manager")
    manager.get_by_role("link", name=child.code).first.click()
    manager.get_by_label("Case manager").select_option(str(world.case_manager.pk))
    screenshot(manager, "cases-referral-accept")
    _press(manager, "Accept and open the case")
    manager.get_by_role("heading", name="Next step").wait_for()
    case_url = manager.url

    manager.get_by_label("How the child was removed from the hazard").fill(
        "Taken home by the case manager; the pool owner was told."
    )
    _press(manager, "Start immediate protection")
    _press(manager, "Start the assessment")
    assert _case(child).state == CaseState.ASSESSMENT

    manager.get_by_role("link", name="Record the best-interest assessment").click()
    for label in ("Education", "Family income"):
        manager.get_by_label(label).select_option("high")
    manager.get_by_label("Household poverty").check()
    screenshot(manager, "cases-assessment-form")
    manager.get_by_label("Risks").fill("Goes back to the pools when there is no food.")
    manager.get_by_label("The child's own views, in their words").fill(
        "Je veux retourner à l'école et devenir infirmière."
    )
    _press(manager, "Save")

    manager.get_by_role("link", name="Add items to the remediation plan").click()
    manager.get_by_label("Support").select_option("school_reintegration")
    manager.get_by_label("Budget").fill("120")
    manager.get_by_label("Ends on").fill("2027-07-01")
    _press(manager, "Save")

    for kind in ("caregiver_consent", "child_assent"):
        manager.get_by_role("link", name="Record consent and assent").click()
        manager.get_by_label("Who agrees").select_option(kind)
        _press(manager, "Save")

    _press(manager, "Agree the plan with the child and family")
    manager.get_by_text("The plan waits for a supervisor").wait_for()
    screenshot(manager, "cases-file-awaiting-approval")

    supervisor = _tab_for(page, world.supervisor, "supervisor")
    supervisor.get_by_role("heading", name="Plans and closures waiting for approval").wait_for()
    screenshot(supervisor, "cases-supervisor-home")
    supervisor.goto(case_url)
    _press(supervisor, "Approve the plan")

    manager.goto(case_url)
    _press(manager, "Start remediation")
    assert _case(child).state == CaseState.IN_REMEDIATION

    for _visit in range(2):
        manager.get_by_role("link", name="Record a follow-up").click()
        manager.locator("#id_school_status").select_option("attending_regularly")
        screenshot(manager, "cases-follow-up-form")
        _press(manager, "Record the follow-up")
        manager.get_by_text("Follow-up recorded: No child labour.").wait_for()
    assert _case(child).state == CaseState.FOLLOW_UP

    manager.get_by_role("link", name="Close the case").click()
    manager.get_by_label("Why the case closes").select_option("completed")
    _press(manager, "Save")
    manager.get_by_text("It waits for a supervisor's approval").wait_for()

    supervisor.goto(case_url)
    _press(supervisor, "Approve the closure")
    supervisor.get_by_text("Watched after closure until").wait_for()
    screenshot(supervisor, "cases-file-closed")
    assert _case(child).state == CaseState.CLOSED

    manager.goto(f"{page.base_url}/")
    screenshot(manager, "cases-manager-home")
    manager.goto(f"{page.base_url}/cases/")
    screenshot(manager, "cases-list")

    for tab in (desk, manager, supervisor):
        tab.context.close()
