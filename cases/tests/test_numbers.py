"""Case numbers: KIN-<year>-<6 digits>, sequential per year, never shared."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from cases.models import CaseNumberCounter
from cases.services.numbers import format_case_number, next_case_number
from cases.tests.factories import open_case

# SQLite serialises every write, so only PostgreSQL shows whether the row locks hold.
ONLY_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks matter on PostgreSQL"
)


@pytest.mark.django_db
def test_cases_are_numbered_in_sequence_within_the_year(world, agencies):
    year = timezone.localdate().year
    first = open_case(world)
    second = open_case(world, first_name="Joseph")
    assert first.number == f"KIN-{year}-000001"
    assert second.number == f"KIN-{year}-000002"


@pytest.mark.django_db
def test_each_year_has_its_own_sequence():
    assert next_case_number(2026) == "KIN-2026-000001"
    assert next_case_number(2026) == "KIN-2026-000002"
    assert next_case_number(2027) == "KIN-2027-000001"
    assert next_case_number(2026) == "KIN-2026-000003"


def test_numbers_are_zero_padded_and_grow_past_a_million():
    assert format_case_number(2026, 123) == "KIN-2026-000123"
    assert format_case_number(2026, 1234567) == "KIN-2026-1234567"


@ONLY_POSTGRESQL
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_openings_never_share_a_number():
    """Eight app processes taking numbers at once (PostgreSQL: real row locks)."""

    def take(_: int) -> list[str]:
        try:
            numbers = []
            for _round in range(5):
                with transaction.atomic():
                    numbers.append(next_case_number(2031))
            return numbers
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        taken = [number for batch in pool.map(take, range(8)) for number in batch]
    assert len(taken) == len(set(taken)) == 40
    assert sorted(taken) == [format_case_number(2031, n) for n in range(1, 41)]
    assert CaseNumberCounter.objects.get(year=2031).last_number == 40
