"""Merging two records of one child never leaves a case on the record merged away."""

from __future__ import annotations

import pytest

from cases.models import Case
from cases.tests.factories import open_case
from core.errors import DomainError
from monitoring.models import DuplicateCandidate
from monitoring.services.duplicates import duplicate_merge
from monitoring.tests.factories import make_child

pytestmark = pytest.mark.django_db


def test_the_record_with_a_case_is_kept_never_merged_away(world, agencies):
    case = open_case(world)
    child = case.child
    # The same girl recorded again in her household, a year off on her estimated birth.
    twin = make_child(
        world.facilitator,
        child.household,
        first_name=child.first_name,
        birth_date=child.birth_date.replace(year=child.birth_date.year + 1),
    )
    candidate = DuplicateCandidate.objects.get()
    with pytest.raises(DomainError) as refused:
        duplicate_merge(actor=world.hub_admin, candidate=candidate, keep=twin)
    assert refused.value.code == "duplicate.case_on_merged_record"
    child.refresh_from_db()
    assert child.merged_into_id is None
    duplicate_merge(actor=world.hub_admin, candidate=candidate, keep=child)
    twin.refresh_from_db()
    assert twin.merged_into_id == child.pk
    assert Case.objects.get().child == child
