"""Both agencies of the `world` accredited for the province, their staff cleared."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import Organisation
from cases.tests.factories import accredit, clear


@dataclass
class Agencies:
    one: Organisation
    two: Organisation


@pytest.fixture
def agencies(world) -> Agencies:
    one = Organisation.objects.get(name="Agency One")
    two = Organisation.objects.get(name="Agency Two")
    accredit(world, one)
    accredit(world, two)
    clear(world, world.case_manager)
    clear(world, world.supervisor)
    clear(world, world.other_agency_case_manager)
    return Agencies(one=one, two=two)
