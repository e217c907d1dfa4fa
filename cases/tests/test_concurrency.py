"""Races between app processes, on PostgreSQL where rows are really locked."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from cases.models import Case
from cases.services.referrals import referral_accept, referral_create
from cases.tests.factories import accredit, identify_child
from core.errors import DomainError

# SQLite serialises every write, so only PostgreSQL shows whether the row locks hold.
ONLY_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks matter on PostgreSQL"
)


@ONLY_POSTGRESQL
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_acceptances_at_once_cannot_both_take_the_last_place(world, agencies):
    """The accreditation row is locked while capacity is counted (PostgreSQL)."""
    accredit(world, agencies.one, capacity=1)
    referrals = [
        referral_create(
            actor=world.hub_admin,
            identification=identify_child(world, first_name=name),
            agency=agencies.one,
        )
        for name in ("Amani", "Joseph")
    ]

    def accept(referral) -> str:
        try:
            referral_accept(
                actor=world.case_manager, referral=referral, case_manager=world.case_manager
            )
            return "accepted"
        except DomainError as error:
            return error.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(accept, referrals))
    assert outcomes == ["accepted", "case.agency_refused"]
    assert Case.objects.count() == 1
