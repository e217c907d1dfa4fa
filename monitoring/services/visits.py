"""Recording a visit: every child seen, classified, and identified for referral when needed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import Action
from audit.services import record_event
from core.errors import DomainError
from geo.models import Area, Site
from monitoring.choices import (
    HAZARD_LABELS,
    IDENTIFYING_CATEGORIES,
    SECTOR_LABELS,
    WORST_FORM_LABELS,
    SchoolStatus,
    VisitKind,
    VisitSource,
    choice_values,
)
from monitoring.classification import Category
from monitoring.models import Activity, Child, Household, Observation, Task, Visit
from monitoring.services.classification import ActivityFacts, classify_facts, place_of_visit
from monitoring.services.identifications import identify
from monitoring.services.scope import require_recording_right

HOURS_IN_A_WEEK = Decimal(168)
EARLIEST_VISIT = date(2000, 1, 1)


@dataclass(frozen=True)
class ActivityInput:
    task_code: str
    hours_per_week: Decimal | float | int | str
    hazards: tuple[str, ...] = ()
    night: bool = False
    sector: str | None = None  # defaults to the task's sector


@dataclass(frozen=True)
class ObservationInput:
    child: Child
    school_status: str
    activities: tuple[ActivityInput, ...] = ()
    household_chores_hours: Decimal | float | int | str = 0
    worst_forms: tuple[str, ...] = ()
    immediate_danger: bool = False
    notes: str = ""


@dataclass
class _Checked:
    facts: list[ActivityFacts] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


def _hours(value: Any, where: str) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("visit.hours_format", _("Hours must be a number."), field=where) from None
    if not hours.is_finite() or hours < 0 or hours > HOURS_IN_A_WEEK:
        raise DomainError(
            "visit.hours_range", _("Hours in a week must be between 0 and 168."), field=where
        )
    return hours.quantize(Decimal("0.1"))


def _check_observation(index: int, item: ObservationInput, tasks: dict[str, Task]) -> _Checked:
    prefix = f"children[{index}]"
    if item.school_status not in choice_values(SchoolStatus):
        raise DomainError(
            "visit.school_status",
            _("Choose the child's school status."),
            field=f"{prefix}.school_status",
        )
    unknown_forms = sorted(set(item.worst_forms) - {form.value for form in WORST_FORM_LABELS})
    if unknown_forms:
        raise DomainError(
            "visit.worst_form",
            _("Unknown sign of worst forms: %(v)s.") % {"v": ", ".join(unknown_forms)},
            field=f"{prefix}.worst_forms",
        )
    checked = _Checked()
    total = _hours(item.household_chores_hours, f"{prefix}.household_chores_hours")
    for number, activity in enumerate(item.activities):
        where = f"{prefix}.activities[{number}]"
        task = tasks.get(activity.task_code)
        if task is None:
            raise DomainError(
                "visit.task_unknown",
                _("Unknown task: %(t)s.") % {"t": activity.task_code},
                field=f"{where}.task",
            )
        sector = activity.sector or task.sector
        if sector not in {member.value for member in SECTOR_LABELS}:
            raise DomainError("visit.sector_unknown", _("Unknown sector."), field=f"{where}.sector")
        unknown_hazards = sorted(set(activity.hazards) - {tag.value for tag in HAZARD_LABELS})
        if unknown_hazards:
            raise DomainError(
                "visit.hazard_unknown",
                _("Unknown hazard: %(v)s.") % {"v": ", ".join(unknown_hazards)},
                field=f"{where}.hazards",
            )
        hours = _hours(activity.hours_per_week, f"{where}.hours_per_week")
        total += hours
        checked.tasks.append(task)
        checked.facts.append(
            ActivityFacts(
                task_code=task.code,
                sector=sector,
                hours_per_week=hours,
                hazards=tuple(dict.fromkeys(activity.hazards)),
                night=activity.night,
            )
        )
    if total > HOURS_IN_A_WEEK:
        raise DomainError(
            "visit.hours_total",
            _("Work and chores add up to more than the 168 hours of a week."),
            field=f"{prefix}.activities",
        )
    return checked


def _lives_in(child: Child, household: Household) -> bool:
    if household._state.adding:  # not saved yet: the very object the child was built with
        return child._state.adding and child.household is household
    return child.household_id == household.pk


def visit_area(
    kind: str, household: Household | None, site: Site | None, *, met_in: Area | None = None
) -> Any:
    """The community a visit belongs to. `met_in`: for a follow-up of children whose
    household is not known, the community where they were met (see `_met_in`)."""
    if kind not in choice_values(VisitKind):
        raise DomainError("visit.kind", _("Unknown kind of visit."), field="kind")
    if kind == VisitKind.FOLLOW_UP and household is None and site is None and met_in is not None:
        return met_in
    if kind in (VisitKind.HOUSEHOLD, VisitKind.FOLLOW_UP) and household is None:
        raise DomainError(
            "visit.household_required", _("Choose the household visited."), field="household"
        )
    if kind in (VisitKind.SITE, VisitKind.SCHOOL) and site is None:
        raise DomainError(
            "visit.site_required", _("Choose the site or school visited."), field="site"
        )
    return household.area if household is not None else site.area  # type: ignore[union-attr]


def _met_in(observations: list[ObservationInput]) -> Area | None:
    """The one community where every child seen was met without a household, if that is so:
    a case manager follows up a child met on a mine site before the family is found."""
    if not observations or any(item.child.household_id for item in observations):
        return None
    areas = {item.child.area_id for item in observations}
    return observations[0].child.area if len(areas) == 1 else None


def active_tasks(codes: set[str]) -> dict[str, Task]:
    return {task.code: task for task in Task.objects.filter(code__in=codes, is_active=True)}


def _check_children(
    observations: list[ObservationInput], *, household: Household | None, visited_on: date
) -> list[tuple[ObservationInput, int, _Checked]]:
    codes = {activity.task_code for item in observations for activity in item.activities}
    return check_children(
        observations, household=household, visited_on=visited_on, tasks=active_tasks(codes)
    )


def check_children(
    observations: list[ObservationInput],
    *,
    household: Household | None,
    visited_on: date,
    tasks: dict[str, Task],
) -> list[tuple[ObservationInput, int, _Checked]]:
    """Check each child seen, with the task catalogue already loaded; returns age and facts.

    Children and household may be unsaved (a batch import checks before it writes): a child
    is then told apart by its identity, and belongs to the household object it was built with.
    """
    seen = [
        ("saved", item.child.pk) if item.child.pk is not None else ("new", id(item.child))
        for item in observations
    ]
    if len(set(seen)) != len(seen):
        raise DomainError(
            "visit.child_twice", _("The same child is listed twice."), field="children"
        )
    checked = []
    for index, item in enumerate(observations):
        if household is not None and not _lives_in(item.child, household):
            raise DomainError(
                "visit.child_elsewhere",
                _("A child listed does not live in this household."),
                field=f"children[{index}]",
            )
        if item.child.merged_into_id is not None:
            raise DomainError(
                "visit.child_merged",
                _("This child record was merged into another."),
                field=f"children[{index}]",
            )
        age = item.child.age_on(visited_on)
        if age < 0:
            raise DomainError(
                "visit.before_birth",
                _("The visit is before the child's birth."),
                field=f"children[{index}]",
            )
        checked.append((item, age, _check_observation(index, item, tasks)))
    return checked


def check_visit(*, source: str, visited_on: date, observations: list[ObservationInput]) -> None:
    if source not in choice_values(VisitSource):
        raise DomainError("visit.source", _("Unknown source."), field="source")
    if not EARLIEST_VISIT <= visited_on <= timezone.localdate():
        raise DomainError(
            "visit.date", _("The visit date must be a past or present day."), field="visited_on"
        )
    if not observations:
        raise DomainError(
            "visit.no_child", _("Add at least one child seen on this visit."), field="children"
        )


def build_observation(
    visit: Visit, item: ObservationInput, age: int, checked: _Checked
) -> tuple[Observation, list[Activity], Category]:
    """The observation of one checked child, classified in memory, and its activities (unsaved)."""
    chores = _hours(item.household_chores_hours, "household_chores_hours")
    result = classify_facts(
        age=age,
        activities=checked.facts,
        chores_hours=chores,
        worst_forms=item.worst_forms,
        # `household`, not `household_id`: a batch builds visits of households not saved yet.
        place=place_of_visit(visit.site, at_household=visit.household is not None),
    )
    observation = Observation(
        visit=visit,
        child=item.child,
        age_at_visit=age,
        household_chores_hours=chores,
        school_status=item.school_status,
        worst_forms=list(dict.fromkeys(item.worst_forms)),
        immediate_danger=item.immediate_danger,
        notes=item.notes.strip(),
        category=result.category.value,
        reasons=list(result.reason_ids),
        ruleset=result.ruleset_ref,
    )
    activities = [
        Activity(
            observation=observation,
            task=task,
            sector=fact.sector,
            hours_per_week=fact.hours_per_week,
            hazards=list(fact.hazards),
            night=fact.night,
        )
        for task, fact in zip(checked.tasks, checked.facts, strict=True)
    ]
    return observation, activities, Category(result.category)


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    kind: str,
    visited_on: date,
    facilitator: Any,
    observations: list[ObservationInput],
    source: str = VisitSource.WEB,
    household: Household | None = None,
    site: Site | None = None,
    external_id: str | None = None,
    form_version: str = "",
    notes: str = "",
) -> Visit:
    """Record a visit and each child seen; with a known `external_id`, return that visit."""
    if external_id:
        existing = Visit.objects.filter(external_id=external_id).first()
        if existing is not None:
            return existing
    met_in = _met_in(observations) if household is None and site is None else None
    area = visit_area(kind, household, site, met_in=met_in)
    require_recording_right(actor, area)
    check_visit(source=source, visited_on=visited_on, observations=observations)
    checked = _check_children(observations, household=household, visited_on=visited_on)
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                kind=kind,
                visited_on=visited_on,
                facilitator=facilitator,
                area=area,
                household=household,
                site=site,
                source=source,
                external_id=external_id or None,
                form_version=form_version,
                notes=notes.strip(),
            )
    except IntegrityError:  # the same submission arrived twice at once; the first one won
        return Visit.objects.get(external_id=external_id)
    categories: dict[str, int] = {}
    for item, age, facts in checked:
        observation, activities, category = build_observation(visit, item, age, facts)
        observation.save()
        Activity.objects.bulk_create(activities)
        categories[category.value] = categories.get(category.value, 0) + 1
        if category in IDENTIFYING_CATEGORIES:
            identify(actor=actor, observation=observation, category=category)
    record_event(
        actor=actor,
        action=Action.VISIT_RECORD,
        subject=visit,
        changes={
            "kind": kind,
            "area": area.pk,
            "children": len(checked),
            "categories": categories,
            "source": source,
        },
    )
    return visit
