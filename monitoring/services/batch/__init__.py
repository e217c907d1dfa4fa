"""Recording many submissions at once: the bulk path of file imports.

`record_batch` takes a chunk of already-parsed items (a household, its children, a visit and
the children seen) and records them with a fixed number of queries per chunk, whatever its
size: look-ups for the whole chunk first (records already imported, duplicate keys, tasks,
open identifications), then every rule checked in memory with the same helpers as the per-row
services (`validate_household`, `validate_child`, `validate_consent`, `check_visit`,
`check_children`, the pure classification engine), then `bulk_create` per table, and ONE
audit event for the chunk (counts and the import job; never a name).

The per-row services (`household_create`, `child_register`, `visit_record`) stay the path of
the web forms, the API and the phones; this module gives the same records for the same input
(monitoring/tests/test_batch.py compares both paths).

An item is all or nothing: a refusal anywhere in it (its household, one of its children, its
visit) keeps every part of it out, like the savepoint the per-row import wraps around a
submission, and the first refusal is reported, where it arose. Items already recorded (same
external id) are skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import Action
from audit.services import record_event
from core.crypto import normalise_name
from core.errors import DomainError
from geo.models import Area, Site
from monitoring.choices import (
    IDENTIFYING_CATEGORIES,
    ConsentKind,
    ConsentPurpose,
    IdentificationStatus,
    MiningDependence,
    SchoolCostBurden,
    VisitKind,
    VisitSource,
)
from monitoring.classification import Category
from monitoring.models import (
    Activity,
    Child,
    Consent,
    DuplicateCandidate,
    Household,
    Identification,
    Observation,
    Visit,
)
from monitoring.services import duplicates
from monitoring.services.children import (
    ConsentInput,
    already_recorded,
    child_name_hash,
    duplicate_key,
    first_name_hash,
    latest_consent_given,
    validate_child,
    validate_consent,
)
from monitoring.services.codes import new_code
from monitoring.services.households import (
    clean_household_inputs,
    head_name_hash,
    validate_household,
)
from monitoring.services.identifications import (
    identify,
    merge_finding,
    new_identification,
    urgency_for,
)
from monitoring.services.scope import require_recording_right
from monitoring.services.visits import (
    ActivityInput,
    ObservationInput,
    active_tasks,
    build_observation,
    check_children,
    check_visit,
    visit_area,
)

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


@dataclass
class _Planned:
    household: Household | None = None  # a new, unsaved household
    children: list[Child] = field(default_factory=list)  # new, unsaved
    consents: list[Consent] = field(default_factory=list)
    claims: dict[Any, str] = field(default_factory=dict)
    visit: Visit | None = None
    observations: list[tuple[Observation, list[Activity], Category]] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, error: DomainError, where: str, child_index: int | None = None) -> None:
        super().__init__(error.code)
        self.result = ItemResult(INVALID, error, where, child_index)


@dataclass
class _Chunk:
    """What the whole chunk needs from the database, loaded once."""

    households: dict[str, Household]
    children: dict[str, Child]
    visits: set[str]
    tasks: dict[str, Any]
    taken_keys: dict[str, str]  # duplicate key -> code of a live child already recorded
    claimed: dict[Any, str] = field(default_factory=dict)  # keys of children planned -> code


@transaction.atomic
def record_batch(
    *,
    actor: Any,
    items: Sequence[BatchItem],
    source: str = VisitSource.IMPORT,
    job_id: int | None = None,
) -> list[ItemResult]:
    """Record a chunk of items; returns one result per item, in order."""
    results, plans = _check(items, actor=actor, source=source)
    counts = _write(plans, actor=actor) if plans else Counter()
    statuses = Counter(result.status for result in results)
    record_event(
        actor=actor,
        action=Action.IMPORT_BATCH,
        subject_type="collect.importjob" if job_id is not None else "",
        subject_id=job_id if job_id is not None else "",
        changes={
            "job": job_id,
            "source": source,
            "items": len(items),
            "created": statuses[CREATED],
            "skipped": statuses[SKIPPED],
            "invalid": statuses[INVALID],
            **{name: counts[name] for name in sorted(counts) if not name.startswith("category:")},
            "categories": {
                name.split(":", 1)[1]: counts[name]
                for name in sorted(counts)
                if name.startswith("category:")
            },
        },
    )
    return results


def check_batch(
    *, actor: Any, items: Sequence[BatchItem], source: str = VisitSource.IMPORT
) -> list[ItemResult]:
    """What record_batch would answer for these items, without writing anything: the dry run
    of an import. Every refusal is decided before the first write (the chunk's own records
    are claimed in memory), so the answers are the same at about half the cost."""
    results, _plans = _check(items, actor=actor, source=source)
    return results


def _check(
    items: Sequence[BatchItem], *, actor: Any, source: str
) -> tuple[list[ItemResult], list[_Planned]]:
    chunk = _load(items)
    results: list[ItemResult] = []
    plans: list[_Planned] = []
    for item in items:
        if _already_recorded(item, chunk):
            results.append(ItemResult(SKIPPED))
            continue
        try:
            plan = _plan(item, chunk, actor=actor, source=source)
        except _Refused as refused:
            results.append(refused.result)
            continue
        chunk.claimed.update(plan.claims)
        plans.append(plan)
        results.append(ItemResult(CREATED))
    return results, plans


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


# Look-ups for the chunk -------------------------------------------------------------------


def _load(items: Sequence[BatchItem]) -> _Chunk:
    household_ids = [
        i.household.external_id for i in items if i.household and i.household.external_id
    ]
    child_ids = [c.external_id for i in items for c in i.children if c.external_id]
    visit_ids = [i.visit.external_id for i in items if i.visit and i.visit.external_id]
    households = {
        h.external_id: h
        for h in Household.objects.filter(external_id__in=household_ids).select_related("area")
        if h.external_id
    }
    children = {
        c.external_id: c
        for c in Child.objects.filter(external_id__in=child_ids).select_related("household")
        if c.external_id
    }
    visits = set(
        Visit.objects.filter(external_id__in=visit_ids).values_list("external_id", flat=True)
    )
    codes = {
        activity.task_code
        for item in items
        if item.visit
        for seen in item.visit.seen
        for activity in seen.activities
    }
    # Duplicate keys can be computed before writing only for households already recorded; a
    # new household has no child in the database yet (its children are checked in memory).
    keys = []
    for item in items:
        for new in item.children:
            home = new.household or (
                households.get(item.household.external_id) if item.household else None
            )
            if home is None or new.external_id in children:
                continue
            try:
                checked = _checked_child(new)
            except DomainError:
                continue  # refused later, in its turn
            keys.append(duplicate_key(checked.first_name, checked.birth_date, home))
    taken = dict(
        Child.objects.filter(duplicate_key__in=keys, merged_into__isnull=True)
        .order_by("id")
        .values_list("duplicate_key", "code")
    )
    return _Chunk(
        households=households,
        children=children,
        visits={key for key in visits if key},
        tasks=active_tasks(codes) if codes else {},
        taken_keys=taken,
    )


def _already_recorded(item: BatchItem, chunk: _Chunk) -> bool:
    if item.visit is not None:
        return bool(item.visit.external_id) and item.visit.external_id in chunk.visits
    if item.children:
        return all(child.external_id in chunk.children for child in item.children)
    if item.household is not None:
        return item.household.external_id in chunk.households
    return False


# Checking one item, in memory ------------------------------------------------------------------


def _checked_child(new: NewChild) -> Any:
    return validate_child(
        first_name=new.first_name,
        last_name=new.last_name,
        sex=new.sex,
        age_evidence=new.age_evidence,
        age_confidence=new.age_confidence,
        birth_date=new.birth_date,
        estimated_age=new.estimated_age,
        estimated_on=new.estimated_on,
    )


def _plan(item: BatchItem, chunk: _Chunk, *, actor: Any, source: str) -> _Planned:
    plan = _Planned()
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    household: Household | None = None
    if item.household is not None:
        household = chunk.households.get(item.household.external_id)
        if household is None:
            household = _plan_household(item.household, actor=actor, created_by=created_by)
            plan.household = household
    children: list[Child] = []
    for index, new in enumerate(item.children):
        existing = chunk.children.get(new.external_id) if new.external_id else None
        if existing is not None:
            children.append(existing)
            continue
        home = new.household or household
        if home is None:
            raise _Refused(
                DomainError(
                    "child.household", _("Choose the child's household."), field="household"
                ),
                CHILD,
                index,
            )
        try:
            child = _plan_child(new, home, chunk, plan, actor=actor, created_by=created_by)
        except DomainError as error:
            raise _Refused(error, CHILD, index) from None
        children.append(child)
    if item.visit is not None:
        try:
            _plan_visit(item.visit, household, children, chunk, plan, actor=actor, source=source)
        except DomainError as error:
            raise _Refused(error, VISIT) from None
    return plan


def _plan_household(new: NewHousehold, *, actor: Any, created_by: Any) -> Household:
    head_name, phone, location, sources = clean_household_inputs(
        head_name=new.head_name,
        phone=new.phone,
        location=new.location,
        income_sources=list(new.income_sources),
    )
    try:
        require_recording_right(actor, new.area)
        validate_household(
            area=new.area,
            head_name=head_name,
            members_count=new.members_count,
            income_sources=sources,
            mining_dependence=new.mining_dependence,
            school_cost_burden=new.school_cost_burden,
            location=location,
        )
    except DomainError as error:
        raise _Refused(error, HOUSEHOLD) from None
    return Household(
        code=new_code("HH"),
        area=new.area,
        head_name=head_name,
        head_name_hash=head_name_hash(head_name),
        phone=phone,
        location=location,
        members_count=new.members_count,
        income_sources=sources,
        mining_dependence=new.mining_dependence,
        school_cost_burden=new.school_cost_burden,
        external_id=new.external_id or None,
        created_by=created_by,
    )


def _plan_child(
    new: NewChild,
    home: Household,
    chunk: _Chunk,
    plan: _Planned,
    *,
    actor: Any,
    created_by: Any,
) -> Child:
    require_recording_right(actor, home.area)
    checked = _checked_child(new)
    if not home._state.adding:
        key: Any = duplicate_key(checked.first_name, checked.birth_date, home)
        if key in chunk.taken_keys:
            raise already_recorded(chunk.taken_keys[key])
    else:
        key = ("new", id(home), normalise_name(checked.first_name), checked.birth_date)
    code = chunk.claimed.get(key) or plan.claims.get(key)
    if code is not None:
        raise already_recorded(code)
    consents = list(new.consents)
    for consent in consents:
        validate_consent(actor=actor, consent=consent, household_id=home.pk)
    last_name = ""
    if checked.last_name and latest_consent_given(
        consents, ConsentKind.CAREGIVER_CONSENT, ConsentPurpose.IDENTIFICATION
    ):
        last_name = checked.last_name
    child = Child(
        code=new_code("CH"),
        household=home,
        first_name=checked.first_name,
        last_name=last_name,
        name_hash=child_name_hash(checked.first_name, last_name),
        first_name_hash=first_name_hash(checked.first_name),
        sex=new.sex,
        birth_date=checked.birth_date,
        birth_date_is_estimated=checked.estimated,
        age_evidence=new.age_evidence,
        age_confidence=new.age_confidence,
        duplicate_key=key if isinstance(key, str) else "",  # set once the household has an id
        external_id=new.external_id or None,
        created_by=created_by,
    )
    plan.children.append(child)
    plan.claims[key] = child.code
    plan.consents += [
        Consent(
            child=child,
            kind=consent.kind,
            purpose=consent.purpose,
            given=consent.given,
            caregiver=consent.caregiver,
            obtained_by=actor,
            obtained_on=consent.obtained_on,
            notes=consent.notes,
        )
        for consent in consents
    ]
    return child


def _plan_visit(
    new: NewVisit,
    item_household: Household | None,
    children: list[Child],
    chunk: _Chunk,
    plan: _Planned,
    *,
    actor: Any,
    source: str,
) -> None:
    at_home = new.kind in (VisitKind.HOUSEHOLD, VisitKind.FOLLOW_UP)
    household = new.household or (item_household if at_home else None)
    area = visit_area(new.kind, household, new.site)
    require_recording_right(actor, area)
    observations = [
        ObservationInput(
            child=seen.child if seen.child is not None else children[seen.new_child or 0],
            school_status=seen.school_status,
            activities=seen.activities,
            household_chores_hours=seen.household_chores_hours,
            worst_forms=seen.worst_forms,
            immediate_danger=seen.immediate_danger,
            notes=seen.notes,
        )
        for seen in new.seen
    ]
    check_visit(source=source, visited_on=new.visited_on, observations=observations)
    checked = check_children(
        observations, household=household, visited_on=new.visited_on, tasks=chunk.tasks
    )
    visit = Visit(
        kind=new.kind,
        visited_on=new.visited_on,
        facilitator=new.facilitator,
        area=area,
        household=household,
        site=new.site,
        source=source,
        external_id=new.external_id or None,
        form_version=new.form_version,
        notes=new.notes.strip(),
    )
    plan.visit = visit
    plan.observations = [
        build_observation(visit, observation, age, facts) for observation, age, facts in checked
    ]


# Writing the chunk -------------------------------------------------------------------------


def _write(plans: list[_Planned], *, actor: Any) -> Counter[str]:
    counts: Counter[str] = Counter()
    households = [plan.household for plan in plans if plan.household is not None]
    Household.objects.bulk_create(households)
    children = [child for plan in plans for child in plan.children]
    for child in children:  # bulk_create sets each household_id from its (now saved) household
        if not child.duplicate_key:
            child.duplicate_key = duplicate_key(child.first_name, child.birth_date, child.household)
    Child.objects.bulk_create(children)
    consents = [consent for plan in plans for consent in plan.consents]
    Consent.objects.bulk_create(consents)
    counts["candidates"] = _find_candidates(children)
    visits = [plan.visit for plan in plans if plan.visit is not None]
    Visit.objects.bulk_create(visits)
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
    Observation.objects.bulk_create(observations)
    Activity.objects.bulk_create(activities)
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
    by_name: dict[tuple[str, date], list[_Other]] = {}
    households = {child.household_id for child in children if child.household_id is not None}
    for other in _children_of(households):
        by_first_name.setdefault((other.household_id, other.first_name_hash), []).append(other)
    named = {(child.name_hash, child.birth_date) for child in children if child.last_name}
    for other in _children_named(named):
        by_name.setdefault((other.name_hash, other.birth_date), []).append(other)
    pairs: dict[tuple[int, int], str] = {}
    year_gap = duplicates.BIRTH_YEAR_TOLERANCE
    for child in children:
        for other in by_first_name.get((child.household_id, child.first_name_hash), []):
            if (
                other.id != child.pk
                and abs(other.birth_date.year - child.birth_date.year) <= year_gap
            ):
                low, high = sorted((child.pk, other.id))
                pairs.setdefault((low, high), duplicates.SAME_HOUSEHOLD_FIRST_NAME)
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
    first_name_hash: str
    name_hash: str
    birth_date: date


_OTHER_COLUMNS = ("id", "household_id", "first_name_hash", "name_hash", "birth_date")


def _children_of(household_ids: set[int]) -> list[_Other]:
    # By household only (an index look-up, a few children each); the first names are compared
    # in memory. `merged_into` is also checked in memory: as a condition in SQL it leads
    # PostgreSQL, when its statistics lag behind a large import, to scan every live child.
    rows = Child.objects.filter(household_id__in=household_ids).values_list(
        *_OTHER_COLUMNS, "merged_into_id"
    )
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
            "SELECT c.id, c.household_id, c.first_name_hash, c.name_hash, c.birth_date,"
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
    Identification.objects.bulk_create(list(opened.values()))
    Identification.objects.bulk_update(
        list(changed.values()), ["latest_observation", "category", "urgency", "deadline_at"]
    )
    return len(opened), len(changed), absorbed
