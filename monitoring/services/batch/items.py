"""The items a batch records and what becomes of each (see the package docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.errors import DomainError
from geo.models import Area, Site
from monitoring.choices import MiningDependence, SchoolCostBurden
from monitoring.models import Child, Household
from monitoring.services.children import ConsentInput
from monitoring.services.visits import ActivityInput

CREATED, SKIPPED, INVALID = "created", "skipped", "invalid"
HOUSEHOLD, CHILD, VISIT = "household", "child", "visit"


@dataclass(frozen=True)
class NewHousehold:
    """A household to record, unless its external id is already known (then it is reused)."""

    external_id: str
    area: Area
    head_name: str
    phone: str = ""
    location: str = ""
    members_count: int = 1
    income_sources: Sequence[str] = ()
    mining_dependence: str = MiningDependence.NONE
    school_cost_burden: str = SchoolCostBurden.NONE


@dataclass(frozen=True)
class NewChild:
    """A child to record, unless its external id is already known (then it is reused).

    `household`: an existing household, or None for the household of the same item.
    """

    external_id: str
    first_name: str
    sex: str
    age_evidence: str
    age_confidence: str
    household: Household | None = None
    last_name: str = ""
    birth_date: date | None = None
    estimated_age: int | None = None
    estimated_on: date | None = None
    consents: Sequence[ConsentInput] = ()


@dataclass(frozen=True)
class SeenChild:
    """One child seen on the visit: an existing `child`, or `new_child`, the index of one of
    the item's new children."""

    school_status: str
    child: Child | None = None
    new_child: int | None = None
    activities: tuple[ActivityInput, ...] = ()
    household_chores_hours: Decimal | float | int | str = 0
    worst_forms: tuple[str, ...] = ()
    immediate_danger: bool = False
    notes: str = ""


@dataclass(frozen=True)
class NewVisit:
    """`household`: an existing household, or None for the item's household (if it has one)."""

    external_id: str
    kind: str
    visited_on: date
    facilitator: Any
    seen: Sequence[SeenChild]
    household: Household | None = None
    site: Site | None = None
    notes: str = ""
    form_version: str = ""


@dataclass(frozen=True)
class BatchItem:
    household: NewHousehold | None = None
    children: Sequence[NewChild] = ()
    visit: NewVisit | None = None


@dataclass
class ItemResult:
    """What became of one item. On refusal: `error`, raised by the part `where` (household,
    child — `child_index` in the item's children — or visit; a visit's error field locates
    the child seen and the activity, as from visit_record)."""

    status: str
    error: DomainError | None = None
    where: str = ""
    child_index: int | None = None
