"""Case numbers: KIN-2026-000123, unique and sequential within a year.

The year's counter row is locked (SELECT ... FOR UPDATE) while the next number is taken, so
two cases opened at the same moment on several app processes never share a number. The lock
is held to the end of the caller's transaction, which is short (one acceptance).
"""

from __future__ import annotations

from django.db import transaction

from cases.models import CaseNumberCounter
from cases.policy import CASE_NUMBER_PREFIX


def format_case_number(year: int, number: int) -> str:
    return f"{CASE_NUMBER_PREFIX}-{year}-{number:06d}"


@transaction.atomic
def next_case_number(year: int) -> str:
    # get_or_create retries the read when a concurrent first case of the year inserted first.
    CaseNumberCounter.objects.get_or_create(year=year)
    counter = CaseNumberCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return format_case_number(year, counter.last_number)
