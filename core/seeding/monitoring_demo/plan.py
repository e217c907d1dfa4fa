"""Everything the demo's monitoring step writes, as one plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from core.seeding import monitoring_rows as rows
from core.seeding.monitoring_demo import households as household_plan
from core.seeding.monitoring_demo.households import (
    PlannedChild,
    PlannedHousehold,
    plan_households,
)
from core.seeding.monitoring_demo.visits import PlannedVisit, plan_visits


@dataclass
class DemoPlan:
    households: list[PlannedHousehold]
    visits: list[PlannedVisit]
    duplicates: list[PlannedChild]
    # Child key → the identification the desk holds; first/latest are (visit key, child key).
    identifications: dict[str, rows.OpenIdentification[tuple[str, str], str]]

    @property
    def children(self) -> list[PlannedChild]:
        return [child for household in self.households for child in household.children]


def plan_demo(*, now: datetime, households: int | None = None) -> DemoPlan:
    """Everything the demo's monitoring step writes, decided in Python from the fixed seed.

    The history is placed before the start of the run's day; only the last few findings are
    placed hours before `now`, so that their deadlines are running when the demo is opened.
    `households` defaults to DEMO_HOUSEHOLDS, read when called (a test may make it smaller).
    """
    if households is None:
        households = household_plan.DEMO_HOUSEHOLDS
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    planned, duplicates = plan_households(today=today, count=households)
    visits = plan_visits(planned, today=today, now=now)
    # The desk's rules (identify()) replayed in time order over every observation.
    book: rows.IdentificationBook[str, tuple[str, str], str] = rows.IdentificationBook()
    for visit in visits:
        for observation in visit.observations:
            book.observe(
                child=observation.child.key,
                observation=(visit.key, observation.child.key),
                verdict=observation.verdict,
                immediate_danger=observation.facts.immediate_danger,
                at=visit.at,
                area=visit.area_code,
            )
    return DemoPlan(planned, visits, duplicates, book.open)
