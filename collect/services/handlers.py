"""One handler per kind of import: what a record's id is, what to look up for a batch of
records at once, and how one record becomes an item of monitoring.services.batch.

The monitoring services hold every rule (and write the audit trail); a handler only converts
cells, resolves codes and ids to rows (looked up once per batch, not once per row), and points
each refusal at the spreadsheet cell it came from. Each conversion lives once (the helpers
below and one `prepare` per kind); records reach the database only through
`batch.record_batch`, which applies the per-row services' rules (collect/tests/test_batch.py
replays the same items through those services one by one and finds the same records).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from collect.models import ImportKind
from collect.services.cells import Part, Problem, external_key
from collect.services.records import Record
from core.errors import DomainError
from geo.models import Area, Site
from monitoring.choices import (
    AgeConfidence,
    AgeEvidence,
    ConsentKind,
    ConsentPurpose,
    VisitKind,
    VisitSource,
)
from monitoring.models import Child, Household, Visit
from monitoring.services import batch
from monitoring.services.children import ConsentInput
from monitoring.services.visits import ActivityInput

CREATED, SKIPPED, INVALID = "created", "skipped", "invalid"

# Service field names → our field names, where they differ.
_HOUSEHOLD_FIELDS = {"area": "area_code"}
_CHILD_FIELDS = {
    "estimated_age": "age",
    "consent_kind": "consent_identification",
    "consent_purpose": "consent_identification",
    "caregiver": "consent_identification",
    "obtained_on": "consent_date",
}
_VISIT_FIELDS = {"kind": "visit_kind", "site": "site_code", "household": "child_external_id"}
_OBSERVATION_FIELDS = {"": ""}
_ACTIVITY_FIELDS = {
    "task": "task",
    "sector": "task",
    "hazards": "hazards",
    "hours_per_week": "hours",
}
_VISIT_ERROR_PATH = re.compile(
    r"^children(?:\[(\d+)\])?(?:\.activities(?:\[(\d+)\])?)?(?:\.(\w+))?$"
)


@dataclass
class Outcome:
    status: str
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Lookups:
    areas: dict[str, Area] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    children: dict[str, Child] = field(default_factory=dict)
    visits: set[str] = field(default_factory=set)
    users: dict[str, Any] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)


# A batch item ready for monitoring.services.batch, and how to point its refusal at a cell.
Prepared = tuple[batch.BatchItem, Callable[[batch.ItemResult], Problem]]


class Handler(Protocol):
    def key(self, record: Record) -> str: ...

    def preload(self, records: list[Record]) -> Lookups: ...

    def prepare(self, record: Record, lookups: Lookups, actor: Any) -> Prepared | Outcome: ...


def process_batch(
    handler: Handler,
    records: list[Record],
    lookups: Lookups,
    actor: Any,
    job_id: int | None,
    *,
    write: bool = True,
) -> list[Outcome]:
    """Convert each record, then record every convertible one in one call to
    monitoring.services.batch.record_batch (same rules, a fixed number of queries per batch);
    `write=False` (the dry run) asks batch.check_batch for the same answers instead."""
    outcomes: list[Outcome | None] = []
    pending: list[tuple[int, batch.BatchItem, Callable[[batch.ItemResult], Problem]]] = []
    for record in records:
        prepared = handler.prepare(record, lookups, actor)
        if isinstance(prepared, Outcome):
            outcomes.append(prepared)
            continue
        item, locate = prepared
        pending.append((len(outcomes), item, locate))
        outcomes.append(None)
    if pending:
        items = [item for _position, item, _locate in pending]
        results = (
            batch.record_batch(actor=actor, items=items, source=VisitSource.IMPORT, job_id=job_id)
            if write
            else batch.check_batch(actor=actor, items=items, source=VisitSource.IMPORT)
        )
        for (position, _item, locate), result in zip(pending, results, strict=True):
            problems = [locate(result)] if result.error is not None else []
            outcomes[position] = Outcome(result.status, problems)
    return [outcome for outcome in outcomes if outcome is not None]


def _located(
    household: Callable[[DomainError], Problem] | None = None,
    children: list[Callable[[DomainError], Problem]] | None = None,
    visit: Callable[[DomainError], Problem] | None = None,
) -> Callable[[batch.ItemResult], Problem]:
    def locate(result: batch.ItemResult) -> Problem:
        error = result.error
        assert error is not None
        if result.where == batch.CHILD and children:
            return children[min(result.child_index or 0, len(children) - 1)](error)
        chosen = {batch.HOUSEHOLD: household, batch.VISIT: visit}.get(result.where)
        return (chosen or household or visit or (children or [])[0])(error)

    return locate


def _at(part: Part, names: dict[str, str], default: str = "") -> Callable[[DomainError], Problem]:
    def locate(error: DomainError) -> Problem:
        name = names.get(error.field or "", error.field or default)
        return part.problem(name, error.message, error.code)

    return locate


def _rejected(record: Record, parts: Iterable[Part]) -> Outcome | None:
    problems = [problem for part in parts for problem in part.problems]
    return Outcome(INVALID, problems) if problems else None


def _all_parts(record: Record) -> list[Part]:
    parts = [record.main, *record.activities]
    for entry in record.children:
        parts += [entry.part, *entry.activities]
    return parts


# Batch look-ups ---------------------------------------------------------------------------


def _texts(records: list[Record], name: str) -> set[str]:
    return {text for record in records if (text := record.main.text(name))}


def _areas(codes: set[str]) -> dict[str, Area]:
    wanted = codes | {code.upper() for code in codes}
    return {area.code: area for area in Area.objects.filter(code__in=wanted)}


def _users(names: set[str]) -> dict[str, Any]:
    return {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}


def _existing_visits(keys: list[str]) -> set[str]:
    found = Visit.objects.filter(external_id__in=keys).values_list("external_id", flat=True)
    return {key for key in found if key}


def _area_of(part: Part, lookups: Lookups) -> Area | None:
    code = part.required_text("area_code")
    if not code:
        return None
    area = lookups.areas.get(code) or lookups.areas.get(code.upper())
    if area is None:
        part.refuse("area_code", _("Unknown community code."), "import.area_unknown")
    elif not area.is_active:
        part.refuse("area_code", _("This community is no longer active."), "import.area_inactive")
    return area


def _facilitator(part: Part, lookups: Lookups, actor: Any) -> Any:
    username = part.text("facilitator")
    if not username:
        return actor
    user = lookups.users.get(username)
    if user is None:
        part.refuse(
            "facilitator", _("No active Kinga user has this username."), "import.user_unknown"
        )
    return user


def _visit_day(part: Part) -> date | None:
    if not part.has("visited_on"):
        part.refuse("visited_on", _("This value is required."), "import.required")
        return None
    return part.day("visited_on")


# Conversions shared by several kinds -------------------------------------------------------


def _household_inputs(part: Part) -> dict[str, Any]:
    return {
        "head_name": part.text("head_name"),
        "phone": part.text("phone"),
        "location": part.location("location"),
        "members_count": part.integer("members_count") or 1,
        "income_sources": list(part.tags("income_sources")),
        "mining_dependence": part.choice("mining_dependence", "none"),
        "school_cost_burden": part.choice("school_cost_burden", "none"),
    }


def _child_inputs(part: Part, *, on: date | None) -> dict[str, Any]:
    birth_date = part.day("birth_date")
    consent = part.yes_no("consent_identification")
    consent_on = part.day("consent_date") or on or timezone.localdate()
    consents = (
        [
            ConsentInput(
                kind=ConsentKind.CAREGIVER_CONSENT,
                purpose=ConsentPurpose.IDENTIFICATION,
                given=consent,
                obtained_on=consent_on,
            )
        ]
        if consent is not None
        else []
    )
    default_confidence = AgeConfidence.MEDIUM if part.has("birth_date") else AgeConfidence.LOW
    return {
        "first_name": part.text("first_name"),
        "last_name": part.text("last_name"),
        "sex": part.choice("sex"),
        "birth_date": birth_date,
        "estimated_age": part.integer("age"),
        "estimated_on": on,
        "age_evidence": part.choice("age_evidence", AgeEvidence.CAREGIVER_REPORT),
        "age_confidence": part.choice("age_confidence", default_confidence),
        "consents": consents,
    }


def _child_locate(part: Part) -> Callable[[DomainError], Problem]:
    names = dict(_CHILD_FIELDS)
    names["birth_date"] = "birth_date" if part.has("birth_date") else "age"
    return _at(part, names)


def _activities(parts: list[Part]) -> tuple[ActivityInput, ...]:
    found = []
    for part in parts:
        task = part.choice("task")
        if not task:
            part.refuse("task", _("This value is required."), "import.required")
        if not part.has("hours"):
            part.refuse("hours", _("This value is required."), "import.required")
        found.append(
            ActivityInput(
                task_code=task,
                hours_per_week=part.number("hours"),
                hazards=part.tags("hazards"),
                night=bool(part.yes_no("night")),
            )
        )
    return tuple(found)


def _seen(
    part: Part,
    activities: tuple[ActivityInput, ...],
    *,
    child: Child | None = None,
    new_child: int | None = None,
) -> batch.SeenChild:
    return batch.SeenChild(
        child=child,
        new_child=new_child,
        school_status=part.choice("school_status"),
        activities=activities,
        household_chores_hours=part.number("household_chores_hours"),
        worst_forms=part.tags("worst_forms"),
        immediate_danger=bool(part.yes_no("immediate_danger")),
    )


def _visit_locate(
    main: Part, observed: list[tuple[Part, list[Part]]]
) -> Callable[[DomainError], Problem]:
    """Point a visit_record refusal at its cell: `children[0].activities[1].hours_per_week`
    is the hours column of the second activity of the first child."""

    def locate(error: DomainError) -> Problem:
        path = error.field or ""
        match = _VISIT_ERROR_PATH.match(path)
        if not match or not observed:
            return main.problem(_VISIT_FIELDS.get(path, path), error.message, error.code)
        child_index, activity_index, name = match.groups()
        part, activities = observed[int(child_index or 0)]
        if activity_index is not None and int(activity_index) < len(activities):
            activity = activities[int(activity_index)]
            return activity.problem(
                _ACTIVITY_FIELDS.get(name or "", name or ""), error.message, error.code
            )
        return part.problem(name or "", error.message, error.code)

    return locate


# Handlers ----------------------------------------------------------------------------------
#
# `prepare` answers SKIPPED for a record already imported, INVALID with every problem the
# cells show, or a batch item with the function that points a service's refusal at its cell.


class HouseholdRows:
    def key(self, record: Record) -> str:
        return external_key(record.main.values.get("external_id"))

    def preload(self, records: list[Record]) -> Lookups:
        keys = [self.key(record) for record in records]
        return Lookups(
            areas=_areas(_texts(records, "area_code")),
            households={
                h.external_id: h
                for h in Household.objects.filter(external_id__in=keys)
                if h.external_id
            },
        )

    def prepare(self, record: Record, lookups: Lookups, actor: Any) -> Prepared | Outcome:
        key = self.key(record)
        if key in lookups.households:
            return Outcome(SKIPPED)
        main = record.main
        area = _area_of(main, lookups)
        inputs = _household_inputs(main)
        if (rejected := _rejected(record, [main])) or area is None:
            return rejected or Outcome(INVALID, main.problems)
        item = batch.BatchItem(household=batch.NewHousehold(external_id=key, area=area, **inputs))
        return item, _located(household=_at(main, _HOUSEHOLD_FIELDS))


class ChildRows:
    def key(self, record: Record) -> str:
        return external_key(record.main.values.get("external_id"))

    def preload(self, records: list[Record]) -> Lookups:
        keys = [self.key(record) for record in records]
        household_ids = _texts(records, "household_external_id")
        households = Household.objects.filter(
            Q(external_id__in=[external_key(value) for value in household_ids])
            | Q(code__in=household_ids)
        ).select_related("area")
        found: dict[str, Household] = {}
        for household in households:
            found[household.code] = household
            if household.external_id:
                found[household.external_id] = household
        existing = Child.objects.filter(external_id__in=keys).only("id", "external_id")
        return Lookups(
            households=found, children={c.external_id: c for c in existing if c.external_id}
        )

    def prepare(self, record: Record, lookups: Lookups, actor: Any) -> Prepared | Outcome:
        key = self.key(record)
        if key in lookups.children:
            return Outcome(SKIPPED)
        main = record.main
        household = self._household(main, lookups)
        inputs = _child_inputs(main, on=None)
        if (rejected := _rejected(record, [main])) or household is None:
            return rejected or Outcome(INVALID, main.problems)
        new = batch.NewChild(external_id=key, household=household, **inputs)
        return batch.BatchItem(children=[new]), _located(children=[_child_locate(main)])

    def _household(self, main: Part, lookups: Lookups) -> Household | None:
        household_id = main.required_text("household_external_id")
        household = lookups.households.get(external_key(household_id)) or lookups.households.get(
            household_id
        )
        if household_id and household is None:
            main.refuse(
                "household_external_id",
                _("No household has this id or code. Import the households first."),
                "import.household_unknown",
            )
        return household


class VisitRows:
    def key(self, record: Record) -> str:
        return external_key(record.main.values.get("external_id"))

    def preload(self, records: list[Record]) -> Lookups:
        keys = [self.key(record) for record in records]
        child_ids = _texts(records, "child_external_id")
        children = Child.objects.filter(
            Q(external_id__in=[external_key(value) for value in child_ids]) | Q(code__in=child_ids)
        ).select_related("household__area")
        found: dict[str, Child] = {}
        for child in children:
            found[child.code] = child
            if child.external_id:
                found[child.external_id] = child
        sites = Site.objects.filter(code__in=_texts(records, "site_code")).select_related("area")
        return Lookups(
            children=found,
            visits=_existing_visits(keys),
            users=_users(_texts(records, "facilitator")),
            sites={site.code: site for site in sites},
        )

    def prepare(self, record: Record, lookups: Lookups, actor: Any) -> Prepared | Outcome:
        key = self.key(record)
        if key in lookups.visits:
            return Outcome(SKIPPED)
        main = record.main
        child_id = main.required_text("child_external_id")
        child = lookups.children.get(external_key(child_id)) or lookups.children.get(child_id)
        if child_id and child is None:
            main.refuse(
                "child_external_id",
                _("No child has this id or code. Import the children first."),
                "import.child_unknown",
            )
        visited_on = _visit_day(main)
        site = None
        if main.has("site_code"):
            site = lookups.sites.get(main.text("site_code"))
            if site is None:
                main.refuse("site_code", _("Unknown site code."), "import.site_unknown")
        kind = main.choice(
            "visit_kind", VisitKind.SITE if main.has("site_code") else VisitKind.HOUSEHOLD
        )
        facilitator = _facilitator(main, lookups, actor)
        activities = _activities(record.activities)
        if (
            (rejected := _rejected(record, _all_parts(record)))
            or child is None
            or visited_on is None
        ):
            return rejected or Outcome(INVALID, main.problems)
        at_home = kind in (VisitKind.HOUSEHOLD, VisitKind.FOLLOW_UP)
        visit = batch.NewVisit(
            external_id=key,
            kind=kind,
            visited_on=visited_on,
            facilitator=facilitator,
            seen=[_seen(main, activities, child=child)],
            household=child.household if at_home else None,
            site=site,
            notes=main.text("notes"),
        )
        locate = _visit_locate(main, [(main, record.activities)])
        return batch.BatchItem(visit=visit), _located(visit=locate)


class KoboHouseholdVisits:
    """A household visit: the household, each child seen and their work, recorded whole or
    not at all (one batch item)."""

    def key(self, record: Record) -> str:
        return external_key(record.main.values.get("external_id"))

    def preload(self, records: list[Record]) -> Lookups:
        keys = [self.key(record) for record in records]
        households = Household.objects.filter(external_id__in=keys).select_related("area")
        return Lookups(
            areas=_areas(_texts(records, "area_code")),
            households={h.external_id: h for h in households if h.external_id},
            visits=_existing_visits(keys),
            users=_users(_texts(records, "facilitator")),
        )

    def prepare(self, record: Record, lookups: Lookups, actor: Any) -> Prepared | Outcome:
        key = self.key(record)
        if key in lookups.visits:
            return Outcome(SKIPPED)  # before its cells: a re-import changes nothing
        main = record.main
        household = lookups.households.get(key)
        area = household.area if household is not None else _area_of(main, lookups)
        household_inputs = _household_inputs(main)
        visited_on = _visit_day(main)
        facilitator = _facilitator(main, lookups, actor)
        seen = [
            (entry, _child_inputs(entry.part, on=visited_on), _activities(entry.activities))
            for entry in record.children
        ]
        if (
            (rejected := _rejected(record, _all_parts(record)))
            or area is None
            or visited_on is None
        ):
            return rejected or Outcome(INVALID, main.problems)
        item = batch.BatchItem(
            household=batch.NewHousehold(external_id=key, area=area, **household_inputs),
            children=[
                batch.NewChild(external_id=f"{key}:child:{entry.number}", **inputs)
                for entry, inputs, _activities_seen in seen
            ],
            visit=batch.NewVisit(
                external_id=key,
                kind=VisitKind.HOUSEHOLD,
                visited_on=visited_on,
                facilitator=facilitator,
                seen=[
                    _seen(entry.part, activities, new_child=index)
                    for index, (entry, _inputs, activities) in enumerate(seen)
                ],
                notes=main.text("notes"),
            ),
        )
        locate = _located(
            household=_at(main, _HOUSEHOLD_FIELDS),
            children=[_child_locate(entry.part) for entry, _inputs, _activities_seen in seen],
            visit=_visit_locate(main, [(entry.part, entry.activities) for entry, _i, _a in seen]),
        )
        return item, locate


HANDLERS: dict[str, Callable[[], Handler]] = {
    ImportKind.HOUSEHOLDS: HouseholdRows,
    ImportKind.CHILDREN: ChildRows,
    ImportKind.VISITS: VisitRows,
    ImportKind.KOBO_HOUSEHOLD_VISIT: KoboHouseholdVisits,
}
