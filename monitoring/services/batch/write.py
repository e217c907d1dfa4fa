"""Writing a checked chunk: one bulk insert per table, duplicate candidates and
identifications found with index look-ups, and the statistics the planner needs for them."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from core.bulk_insert import insert_new
from monitoring.choices import IDENTIFYING_CATEGORIES, IdentificationStatus
from monitoring.classification import Category
from monitoring.models import (
    Activity,
    Child,
    DuplicateCandidate,
    Identification,
    Observation,
)
from monitoring.services import duplicates
from monitoring.services.batch.plan import Planned
from monitoring.services.children import duplicate_key
from monitoring.services.identifications import (
    identify,
    merge_finding,
    new_identification,
    urgency_for,
)


def refresh_statistics() -> None:
    """Bring PostgreSQL's statistics of the children up to date during a large import.

    A large import can double the table of children within minutes, before autovacuum looks
    at it (or with autovacuum off); the planner, still counting the rows it knew, then reads
    the whole table instead of probing an index, and each chunk gets slower than the one
    before. The import runner calls this as the file goes on (at chunks 4, 8, 16...);
    it reads a sample of the table, not all of it.
    """
    if connection.vendor != "postgresql":
        return  # SQLite plans these look-ups from its indexes alone
    # Only the children: the other look-ups go through unique indexes (external ids), which
    # the planner uses whatever its counts; a sample of a large table costs ~0.5 s.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Child._meta.db_table)}")


# Writing the chunk -------------------------------------------------------------------------


def write_plans(plans: list[Planned], *, actor: Any) -> Counter[str]:
    counts: Counter[str] = Counter()
    households = [plan.household for plan in plans if plan.household is not None]
    insert_new(households)
    children = [child for plan in plans for child in plan.children]
    for child in children:  # insert_new sets each household_id from its (now saved) household
        if not child.duplicate_key:
            child.duplicate_key = duplicate_key(child.first_name, child.birth_date, child.household)
    insert_new(children)
    consents = [consent for plan in plans for consent in plan.consents]
    insert_new(consents)
    counts["candidates"] = _find_candidates(children)
    visits = [plan.visit for plan in plans if plan.visit is not None]
    insert_new(visits)
    observations: list[Observation] = []
    activities: list[Activity] = []
    found: list[tuple[Observation, Category]] = []
    for plan in plans:
        for observation, its_activities, category in plan.observations:
            observations.append(observation)
            activities += its_activities
            counts[f"category:{category.value}"] += 1
            if category in IDENTIFYING_CATEGORIES:
                found.append((observation, category))
    insert_new(observations)
    insert_new(activities)
    new_ids = {child.pk for child in children}
    opened, updated, absorbed = _identify(found, new_ids, actor=actor)
    counts.update(
        households=len(households),
        children=len(children),
        consents=len(consents),
        visits=len(visits),
        observations=len(observations),
        activities=len(activities),
        identifications_opened=opened,
        identifications_updated=updated,
        identifications_by_case=absorbed,
    )
    return counts


def _find_candidates(children: list[Child]) -> int:
    """Duplicate candidates of the new children (the rules of duplicates.find_candidates),
    found with two index look-ups on keyed hashes whose cost does not grow with the table."""
    if not children:
        return 0
    by_first_name: dict[tuple[int | None, str], list[_Other]] = {}
    met_by_first_name: dict[tuple[int | None, str], list[_Other]] = {}
    by_name: dict[tuple[str, date], list[_Other]] = {}
    households = {child.household_id for child in children if child.household_id is not None}
    communities = {child.household.area_id for child in children if child.household is not None}
    for other in _children_of(households, communities):
        if other.household_id is not None:
            by_first_name.setdefault((other.household_id, other.first_name_hash), []).append(other)
        else:  # met on a site in one of these communities, household not known (decision 0009)
            met_by_first_name.setdefault((other.area_id, other.first_name_hash), []).append(other)
    named = {(child.name_hash, child.birth_date) for child in children if child.last_name}
    for other in _children_named(named):
        by_name.setdefault((other.name_hash, other.birth_date), []).append(other)
    pairs: dict[tuple[int, int], str] = {}
    year_gap = duplicates.BIRTH_YEAR_TOLERANCE
    for child in children:
        community = child.household.area_id if child.household is not None else None
        same_first_name = [
            *(
                (other, duplicates.SAME_HOUSEHOLD_FIRST_NAME)
                for other in by_first_name.get((child.household_id, child.first_name_hash), [])
            ),
            *(
                (other, duplicates.SAME_COMMUNITY_FIRST_NAME)
                for other in met_by_first_name.get((community, child.first_name_hash), [])
            ),
        ]
        for other, reason in same_first_name:
            if (
                other.id != child.pk
                and abs(other.birth_date.year - child.birth_date.year) <= year_gap
            ):
                low, high = sorted((child.pk, other.id))
                pairs.setdefault((low, high), reason)
        if child.last_name:
            for other in by_name.get((child.name_hash, child.birth_date), []):
                if other.household_id != child.household_id:
                    low, high = sorted((child.pk, other.id))
                    pairs.setdefault((low, high), duplicates.SAME_NAME_AND_BIRTH_DATE)
    DuplicateCandidate.objects.bulk_create(
        [
            DuplicateCandidate(child_id=low, other_id=high, reason=r)
            for (low, high), r in pairs.items()
        ],
        ignore_conflicts=True,  # a pair already listed stays as it is
    )
    return len(pairs)


class _Other(NamedTuple):
    """A live child compared with the new ones: hashes only, never a name."""

    id: int
    household_id: int | None
    area_id: int | None
    first_name_hash: str
    name_hash: str
    birth_date: date


_OTHER_COLUMNS = ("id", "household_id", "area_id", "first_name_hash", "name_hash", "birth_date")


def _children_of(household_ids: set[int], community_ids: set[int]) -> list[_Other]:
    """The children of these households, and those met without a household in these
    communities."""
    # By household or community only (index look-ups, a few children each); the first names
    # are compared in memory. `merged_into` is also checked in memory: as a condition in SQL it
    # leads PostgreSQL, when its statistics lag behind a large import, to scan every live child.
    rows = Child.objects.filter(
        Q(household_id__in=household_ids) | Q(household__isnull=True, area_id__in=community_ids)
    ).values_list(*_OTHER_COLUMNS, "merged_into_id")
    return [_Other(*row[:-1]) for row in rows if row[-1] is None]


def _children_named(pairs: set[tuple[str, date]]) -> list[_Other]:
    """Live children with one of these (full-name hash, date of birth) pairs."""
    if not pairs:
        return []
    if connection.vendor != "postgresql":
        query = Q()
        for name_hash, born in pairs:
            query |= Q(name_hash=name_hash, birth_date=born)
        rows = Child.objects.filter(query, merged_into__isnull=True).values_list(*_OTHER_COLUMNS)
        return [_Other(*row) for row in rows]
    # PostgreSQL rechecks an OR of hundreds of pairs against every row it reads; a join on
    # the pairs probes the index (name_hash, birth_date) once per pair instead.
    names, dates = zip(*pairs, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.household_id, c.area_id, c.first_name_hash, c.name_hash,"
            " c.birth_date,"
            " c.merged_into_id FROM monitoring_child c"
            " JOIN unnest(%s::varchar[], %s::date[]) AS pair(name_hash, birth_date)"
            " ON c.name_hash = pair.name_hash AND c.birth_date = pair.birth_date",
            [list(names), list(dates)],
        )
        return [_Other(*row[:-1]) for row in cursor.fetchall() if row[-1] is None]


def _identify(
    found: list[tuple[Observation, Category]], new_ids: set[int], *, actor: Any
) -> tuple[int, int, int]:
    """Open or update identifications for the children found working, in visit order.

    A child recorded before this chunk may have a case, which takes the finding instead
    (cases module): those few go through `identify` one by one. Every other finding is merged
    in memory into the child's open identification, then written in bulk.
    """
    if not found:
        return 0, 0, 0
    from cases.models import Case  # cases depends on monitoring: no module-level import

    known = {observation.child_id for observation, _ in found} - new_ids
    with_case = set(
        Case.objects.filter(child_id__in=known).values_list("child_id", flat=True).distinct()
    )
    current = {
        identification.child_id: identification
        for identification in Identification.objects.select_for_update().filter(
            child_id__in=known - with_case, status=IdentificationStatus.OPEN
        )
    }
    now = timezone.now()
    opened: dict[int, Identification] = {}
    changed: dict[int, Identification] = {}
    absorbed = 0
    for observation, category in found:
        child_id = observation.child_id
        if child_id in with_case:
            if identify(actor=actor, observation=observation, category=category) is None:
                absorbed += 1
            continue
        urgency = urgency_for(category, immediate_danger=observation.immediate_danger)
        open_one = opened.get(child_id) or current.get(child_id)
        if open_one is None:
            opened[child_id] = new_identification(
                observation=observation, category=category, urgency=urgency, now=now
            )
            continue
        merge_finding(
            open_one, observation=observation, category=category, urgency=urgency, now=now
        )
        if open_one.pk is not None:
            changed[child_id] = open_one
    insert_new(list(opened.values()))
    Identification.objects.bulk_update(
        list(changed.values()), ["latest_observation", "category", "urgency", "deadline_at"]
    )
    return len(opened), len(changed), absorbed
