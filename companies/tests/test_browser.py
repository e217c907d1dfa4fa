"""A company member signs in, reads the portal on a phone and nominates a supplier."""

from __future__ import annotations

import pytest

from accounts.tests.factories import TEST_PASSWORD
from companies.models import Nomination
from companies.tests.factories import company_of, make_chain
from core.tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_company_member_reads_the_portal_and_nominates(page, world):
    chain = make_chain(world, company_of(world))
    page.goto(f"{page.base_url}/")
    page.get_by_label("Username").fill("company-member")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your supply chain").wait_for()
    assert page.get_by_role("cell", name="A mine").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "company-portal")

    page.get_by_role("link", name="Nominate a supplier").click()
    page.get_by_label("Supplier").fill("Kambove Washing Coop")
    page.get_by_label("Tier").fill("3")
    page.get_by_label("Sells to").select_option(label="A Cooperative")
    page.get_by_role("button", name="Nominate").click()
    page.get_by_text("Supplier nominated.").wait_for()
    assert page.get_by_role("cell", name="Kambove Washing Coop").count() == 1
    nomination = Nomination.objects.get()
    assert nomination.buyer == chain.deep
    assert page.console_errors == []
