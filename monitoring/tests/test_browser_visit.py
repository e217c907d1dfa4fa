"""A facilitator records a visit on a phone-sized screen: draft kept across a reload, result
checked before saving, then saved and shown (strict CSP, no console error)."""

from __future__ import annotations

import importlib

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import TEST_PASSWORD
from core.tests.browser import screenshot
from monitoring.models import Child, Household, Identification, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def task_catalogue(db):
    """Live-server tests flush the database between tests, data migrations included: load the
    task catalogue again, as its migration does."""
    from django.apps import apps

    migration = importlib.import_module("monitoring.migrations.0002_task_catalogue")
    migration.load(apps, None)


DRAFT_HAS = (
    "() => (localStorage.getItem(document.querySelector('form[data-draft-key]')"
    ".getAttribute('data-draft-key')) || '').includes('{}')"
)


def _sign_in_as_facilitator(page, world):
    world.facilitator.preferred_language = "en"  # the rules explain themselves in English
    world.facilitator.save(update_fields=["preferred_language"])
    device = TOTPDevice.objects.create(user=world.facilitator, name="phone", confirmed=True)
    page.goto(f"{page.base_url}/")
    page.get_by_label("Username").fill("facilitator")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/mfa/verify/**")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(device.bin_key):06d}"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Your communities").wait_for()


def _fill_new_child(child, first_name, *, last_name, sex, born, school):
    child.get_by_label("First name").fill(first_name)
    child.get_by_label("Last name").fill(last_name)
    child.get_by_label("Sex", exact=True).select_option(sex)
    child.get_by_label("Date of birth").fill(born)
    child.get_by_label("How the age is known").select_option("caregiver_report")
    child.get_by_label("Confidence in the age").select_option("medium")
    child.get_by_label("Caregiver consent to identification and referral").select_option("given")
    child.get_by_role("combobox", name="School", exact=True).select_option(school)


def test_facilitator_records_a_visit_on_a_phone(page, world):
    _sign_in_as_facilitator(page, world)
    page.get_by_role("link", name="Record a visit").first.click()
    page.get_by_role("heading", name="Record a visit").wait_for()
    new_household = page.locator("[data-new-household]")
    new_household.wait_for(state="hidden")  # shown only for a new household

    page.get_by_role("combobox", name="Household", exact=True).select_option("new")
    new_household.wait_for(state="visible")
    assert new_household.get_by_label("Community").input_value() == str(world.village.pk)
    new_household.get_by_label("Name of the head of household").fill("Kabila Mwamba")
    new_household.get_by_label("People in household").fill("6")
    new_household.get_by_label("Artisanal mining").check()

    first = page.locator('[data-child="0"]')
    _fill_new_child(
        first, "Amani", last_name="Ilunga", sex="female", born="2013-03-01", school="not_enrolled"
    )
    first.get_by_role("button", name="Add an activity").click()
    activity = first.locator("[data-activity]").first
    activity.get_by_label("Task").select_option("washing_ore")
    # The task's usual hazards are pre-ticked for the facilitator to confirm.
    assert activity.get_by_label("Dust or chemicals").is_checked()
    assert not activity.get_by_label("Underground").is_checked()
    activity.get_by_label("Hours in the last 7 days").fill("20")

    page.get_by_role("button", name="Add another child").click()
    second = page.locator('[data-child="1"]')
    second.get_by_role("heading", name="Work in the last 7 days").wait_for()
    _fill_new_child(
        second,
        "Neema",
        last_name="Ilunga",
        sex="female",
        born="2016-05-01",
        school="attending_regularly",
    )

    # A lost connection or a closed tab loses nothing: the draft comes back on this phone.
    page.wait_for_function(DRAFT_HAS.format("Neema"))
    page.reload()
    page.get_by_text("Draft restored from this phone.").wait_for()
    assert page.locator('[data-child="1"]').get_by_label("First name").input_value() == "Neema"
    hours = page.get_by_role("spinbutton", name="Hours in the last 7 days", exact=True)
    assert hours.input_value() == "20"
    assert page.locator("[data-new-household]").is_visible()
    screenshot(page, "visit-form-draft-restored")

    page.get_by_role("button", name="Check result").click()
    preview = page.locator("#visit-preview")
    preview.get_by_text("Hazardous child labour").wait_for()
    assert "Congolese law forbids any work on a mine site" in preview.inner_text()
    assert "No child labour" in preview.inner_text()
    assert not Household.objects.exists()  # checking writes nothing
    screenshot(page, "visit-form-preview")

    page.get_by_role("button", name="Save visit").click()
    page.get_by_role("heading", name="Visit result").wait_for()
    page.get_by_text("The visit is saved.").wait_for()
    assert "A case manager must be assigned by" in page.inner_text("main")
    screenshot(page, "visit-result")
    assert Visit.objects.count() == 1
    assert Child.objects.count() == 2
    assert Identification.objects.get().child.first_name == "Amani"

    # Saved: the draft is gone, and the next form starts empty.
    page.goto(f"{page.base_url}/monitoring/visits/new/")
    page.get_by_role("heading", name="Record a visit").wait_for()
    assert page.get_by_text("Draft restored from this phone.").is_hidden()
    assert page.locator('[data-child="0"]').get_by_label("First name").input_value() == ""
    assert page.console_errors == []


def test_discarding_a_draft_starts_again(page, world):
    _sign_in_as_facilitator(page, world)
    page.goto(f"{page.base_url}/monitoring/visits/new/")
    page.locator('[data-child="0"]').get_by_label("First name").fill("Amani")
    page.wait_for_function(DRAFT_HAS.format("Amani"))
    page.reload()
    page.get_by_text("Draft restored from this phone.").wait_for()
    page.get_by_role("button", name="Discard draft").click()
    page.wait_for_load_state()
    page.get_by_role("heading", name="Record a visit").wait_for()
    assert page.locator('[data-child="0"]').get_by_label("First name").input_value() == ""
    assert page.get_by_text("Draft restored from this phone.").is_hidden()
    assert page.console_errors == []


def test_lists_and_pages_read_well_on_a_phone(page, world):
    from datetime import date

    from monitoring.choices import SchoolStatus
    from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
    from monitoring.tests.factories import make_child, make_household

    household = make_household(world.facilitator, world.village, head_name="Kabila Mwamba")
    amani = make_child(world.facilitator, household, first_name="Amani")
    neema = make_child(
        world.facilitator, household, first_name="Neema", birth_date=date(2017, 2, 1)
    )
    visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind="household",
        visited_on=date(2026, 10, 1),
        household=household,
        observations=[
            ObservationInput(
                child=amani,
                school_status=SchoolStatus.DROPPED_OUT,
                activities=(ActivityInput("digging", 25, ("dangerous_tools", "heavy_loads")),),
            ),
            ObservationInput(child=neema, school_status=SchoolStatus.ATTENDING_REGULARLY),
        ],
    )
    _sign_in_as_facilitator(page, world)
    page.goto(f"{page.base_url}/monitoring/households/")
    page.get_by_role("link", name=household.code).click()
    page.get_by_role("heading", name=f"Household {household.code}").wait_for()
    assert "Kabila Mwamba" in page.inner_text("main")
    screenshot(page, "household-detail")
    page.goto(f"{page.base_url}/monitoring/children/")
    page.get_by_label("Latest result").select_option("hazardous_child_labour")
    page.wait_for_url("**category=hazardous_child_labour**")
    page.get_by_text("Neema").wait_for(state="detached")
    screenshot(page, "child-list-filtered")
    page.get_by_role("link", name=amani.code).click()
    page.get_by_role("heading", name="Identification and referral").wait_for()
    assert "Dangerous tools" in page.inner_text("main")
    screenshot(page, "child-detail")
    assert page.console_errors == []
