"""Record codes: random, readable, and never one a record already has (a clash, rare under a
million records but not after, would refuse a facilitator's form or a whole import batch)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from monitoring.choices import AgeConfidence, AgeEvidence, Sex
from monitoring.models import Child, Household
from monitoring.services import batch, codes
from monitoring.services.codes import new_code, unused_codes
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def draws(monkeypatch):
    """Make new_code hand out the given codes first, then random ones as usual."""
    real = codes.new_code

    def script(*planned: str) -> None:
        queue: Iterator[str] = iter(planned)
        monkeypatch.setattr(codes, "new_code", lambda prefix: next(queue, None) or real(prefix))

    return script


def test_a_code_reads_aloud_without_ambiguous_letters():
    assert re.fullmatch(r"CH-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", new_code("CH"))


def test_unused_codes_skips_taken_and_repeated_draws(world, draws):
    taken = make_household(world.facilitator, world.village).code
    draws(taken, "HH-AAAA-AAAA", "HH-AAAA-AAAA", "HH-BBBB-BBBB")

    assert sorted(unused_codes(Household, "HH", 2)) == ["HH-AAAA-AAAA", "HH-BBBB-BBBB"]


def test_no_code_asks_nothing_of_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert unused_codes(Child, "CH", 0) == []


def test_a_form_whose_first_code_is_taken_still_records_the_child(world, draws):
    household = make_household(world.facilitator, world.village)
    first = make_child(world.facilitator, household, first_name="Amani")
    draws(first.code, "CH-SECO-ND22")

    second = make_child(world.facilitator, household, first_name="Esther")

    assert second.code == "CH-SECO-ND22"


def test_an_import_batch_whose_codes_are_taken_still_records_every_row(world, draws):
    household = make_household(world.facilitator, world.village)
    child = make_child(world.facilitator, household)
    draws(household.code, "HH-IMPO-RT22", child.code, "CH-IMPO-RT22")
    item = batch.BatchItem(
        household=batch.NewHousehold(
            external_id="import:1", area=world.village, head_name="Kasongo Banza"
        ),
        children=[
            batch.NewChild(
                external_id="import:1:child:1",
                first_name="Ruth",
                sex=Sex.FEMALE,
                age_evidence=AgeEvidence.CAREGIVER_REPORT,
                age_confidence=AgeConfidence.LOW,
                estimated_age=11,
            )
        ],
    )

    (result,) = batch.record_batch(actor=world.hub_admin, items=[item])

    assert result.status == batch.CREATED, result.error
    assert Household.objects.get(external_id="import:1").code == "HH-IMPO-RT22"
    assert Child.objects.get(external_id="import:1:child:1").code == "CH-IMPO-RT22"
