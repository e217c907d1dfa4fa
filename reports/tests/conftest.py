"""Both agencies of the `world` accredited, their staff cleared (as in cases/tests)."""

from __future__ import annotations

import pytest

from accounts.models import Organisation
from cases.tests.factories import accredit, clear


@pytest.fixture
def agencies(world):
    one = Organisation.objects.get(name="Agency One")
    two = Organisation.objects.get(name="Agency Two")
    accredit(world, one, capacity=500)
    accredit(world, two, capacity=500)
    clear(world, world.case_manager)
    clear(world, world.supervisor)
    clear(world, world.other_agency_case_manager)
    return one, two
