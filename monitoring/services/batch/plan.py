"""Checking a chunk in memory: look-ups for the whole chunk, then each item against the
per-row services' helpers, its new records claimed so later items see them. Nothing here
writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.crypto import normalise_name
from core.errors import DomainError
from monitoring.choices import ConsentKind, ConsentPurpose, VisitKind
from monitoring.classification import Category
from monitoring.models import Activity, Child, Consent, Household, Observation, Visit
from monitoring.services.batch.items import (
    CHILD,
    CREATED,
    HOUSEHOLD,
    INVALID,
    SKIPPED,
    VISIT,
    BatchItem,
    ItemResult,
    NewChild,
    NewHousehold,
    NewVisit,
)
from monitoring.services.children import (
    already_recorded,
    child_name_hash,
    duplicate_key,
    first_name_hash,
    latest_consent_given,
    validate_child,
    validate_consent,
)
from monitoring.services.codes import unused_codes
from monitoring.services.households import (
    clean_household_inputs,
    head_name_hash,
    validate_household,
)
from monitoring.services.scope import require_recording_right
from monitoring.services.visits import (
    ObservationInput,
    active_tasks,
    build_observation,
    check_children,
    check_visit,
    visit_area,
)


@dataclass
class Planned:
    """An item's new records, unsaved, checked and ready for write.write_plans."""

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
    # Codes no record has yet, one for each household and child the chunk may create.
    household_codes: list[str] = field(default_factory=list)
    child_codes: list[str] = field(default_factory=list)
    claimed: dict[Any, str] = field(default_factory=dict)  # keys of children planned -> code


def check_items(
    items: Sequence[BatchItem], *, actor: Any, source: str
) -> tuple[list[ItemResult], list[Planned]]:
    """One result per item, and the plans of the items to write."""
    chunk = _load(items)
    results: list[ItemResult] = []
    plans: list[Planned] = []
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
    new_households = sum(
        1 for i in items if i.household and i.household.external_id not in households
    )
    new_children = sum(1 for i in items for c in i.children if c.external_id not in children)
    return _Chunk(
        household_codes=unused_codes(Household, "HH", new_households),
        child_codes=unused_codes(Child, "CH", new_children),
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


def _plan(item: BatchItem, chunk: _Chunk, *, actor: Any, source: str) -> Planned:
    plan = Planned()
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    household: Household | None = None
    if item.household is not None:
        household = chunk.households.get(item.household.external_id)
        if household is None:
            household = _plan_household(
                item.household, chunk.household_codes.pop(), actor=actor, created_by=created_by
            )
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


def _plan_household(new: NewHousehold, code: str, *, actor: Any, created_by: Any) -> Household:
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
        code=code,
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
    plan: Planned,
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
        code=chunk.child_codes.pop(),
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
    plan: Planned,
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
