"""Reads for the case file's sponsor page: the case's cohort place and the cohorts open to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from access.companies import cohorts_visible_to
from cases.models import Case
from companies.models import Cohort, CohortCase


@dataclass(frozen=True)
class CohortChoice:
    cohort: Cohort
    taken: int

    @property
    def places_left(self) -> int:
        return max(0, self.cohort.places - self.taken)


def case_placement(case: Case) -> CohortCase | None:
    """The cohort place the case holds, if any (a case holds at most one)."""
    return CohortCase.objects.filter(case=case).select_related("cohort__company").first()


def open_cohorts(user: Any, *, on: date | None = None) -> list[CohortChoice]:
    """Cohorts the user may manage that run on `on`, with their places taken (one query).

    Full cohorts are listed too, so that the page can say why they cannot be chosen.
    """
    day = on or timezone.localdate()
    cohorts = (
        cohorts_visible_to(user)
        .filter(starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("company")
        .annotate(taken=Count("placements"))
        .order_by("company__name", "name", "id")
    )
    return [CohortChoice(cohort=cohort, taken=cohort.taken) for cohort in cohorts]


def get_open_cohort(user: Any, cohort_id: int | str) -> Cohort | None:
    try:
        return cohorts_visible_to(user).select_related("company").filter(pk=int(cohort_id)).first()
    except (TypeError, ValueError):
        return None
