"""Company figures use reports.suppression's rule; these pin what companies rely on."""

from __future__ import annotations

from datetime import date

import pytest

from cases.tests.factories import open_case
from companies.figures import STAGE_GROUPS, cohort_figures
from companies.services import cohorts
from companies.tests.factories import company_of
from reports.suppression import Figure, suppress_figure, suppress_list


def _breakdown(counts: dict[str, int]) -> tuple[Figure, dict[str, Figure]]:
    table = suppress_list(counts, list(counts))
    return table.total, {key: table.cells[(key, "n")] for key in counts}


def test_counts_from_one_to_nine_are_suppressed():
    assert [suppress_figure(n).value for n in (0, 1, 9, 10, 250)] == [0, None, None, 10, 250]
    assert str(suppress_figure(3)) == "fewer than 10"


def test_a_single_suppressed_part_takes_the_smallest_other_with_it():
    total, parts = _breakdown({"open": 12, "closed": 3, "follow_up": 20, "none": 0})
    assert total == Figure(35)
    assert parts["closed"].suppressed
    assert parts["open"].suppressed  # otherwise closed = 35 - 12 - 20
    assert parts["follow_up"] == Figure(20)
    assert parts["none"] == Figure(0)


def test_a_suppressed_total_hides_its_parts():
    total, parts = _breakdown({"a": 4, "b": 0})
    assert total.suppressed
    assert parts["a"].suppressed


def test_two_suppressed_parts_need_no_more():
    total, parts = _breakdown({"a": 4, "b": 5, "c": 30})
    assert total == Figure(39)
    assert parts["c"] == Figure(30)


@pytest.mark.django_db
def test_cohort_figures_count_cases_without_showing_them(world, agencies):
    cohort = cohorts.cohort_create(
        actor=world.hub_admin,
        company=company_of(world),
        name="Kasulo 2026",
        places=20,
        starts_on=date(2026, 1, 1),
    )
    case = open_case(world)
    cohorts.cohort_assign_case(actor=world.hub_admin, cohort=cohort, case=case)

    figures = cohort_figures(cohort)

    assert figures.places == 20
    assert figures.placed.suppressed
    assert [stage.key for stage in figures.stages] == list(STAGE_GROUPS)
    assert all(stage.figure.value in (None, 0) for stage in figures.stages)
