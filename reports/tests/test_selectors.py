"""Reads of the summary tables cost a fixed number of queries, whatever the data's size."""

from __future__ import annotations

import random

import pytest

from accounts.models import Organisation
from companies.tests.factories import make_chain
from reports.selectors import Filters, company_indicators, indicator_values, read_counts
from reports.services.refresh import refresh_indicators
from reports.tests import factories

pytestmark = pytest.mark.django_db

# Dashboard: months and details, sex and age and territories, caseload.
DASHBOARD_QUERIES = 3
# Company: the chain's sites and two GROUP BYs; its cohorts and one read per cohort (make_chain
# gives one); the whole programme's two GROUP BYs.
COMPANY_QUERIES = 3 + 1 + 1 + 2


def test_dashboard_and_company_data_take_a_fixed_number_of_queries(
    world, agencies, django_assert_num_queries
):
    rng = random.Random(11)
    company = Organisation.objects.get(name="Company One")
    chain = make_chain(world, company)
    filters = Filters.last_months(12)
    for children in (2, 12):
        for number in range(children):
            factories.add_child(world, rng, working=number % 2 == 0, area=world.village)
            if number % 3 == 0:
                factories.see_at_site(world, rng, [chain.deep_site])
        for _ in range(children // 3):
            factories.open_a_case(world, rng)
        refresh_indicators()
        with django_assert_num_queries(DASHBOARD_QUERIES):
            indicator_values(read_counts(filters))
        with django_assert_num_queries(COMPANY_QUERIES):
            sections = company_indicators(company, filters)
        assert [section.key for section in sections] == [
            "chain",
            f"cohort-{chain.cohort.pk}",
            "programme",
        ]
        assert sections[0].headline[0][1].as_json() != 0  # the chain has children identified
