"""The Django side of classification: which rule set is in force, and re-running it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from audit.actions import Action
from audit.services import record_event
from geo.models import Site, SiteKind
from monitoring.classification import (
    Activity as ActivityInput,
)
from monitoring.classification import (
    ChildObservation,
    Classification,
    Hazard,
    Place,
    RuleSet,
    Sector,
    WorstForm,
    classify,
    load_ruleset,
)
from monitoring.models import Activity, Observation

# Where a child met on a visit to a site of each kind was, for the engine's `place`. Only an
# artisanal mine is a mine site: the law names mine sites, and a trading depot is a shop in
# town (docs/classification.md, "The mine-site rule").
_PLACE_OF_SITE_KIND = {
    SiteKind.ARTISANAL_MINE: Place.MINE_SITE,
    SiteKind.SCHOOL: Place.SCHOOL,
    SiteKind.AFTER_SCHOOL_CENTRE: Place.SCHOOL,
}


def place_of_visit(site: Site | None, *, at_household: bool) -> Place | None:
    """Where the children of a visit were met: its site's kind, else their household; None
    for a follow-up of a child whose household is not known (no place is said)."""
    if site is not None:
        return _PLACE_OF_SITE_KIND.get(SiteKind(site.kind), Place.OTHER)
    return Place.HOUSEHOLD if at_household else None


@cache
def ruleset_in_force() -> RuleSet:
    """The rule set new visits are classified with (KINGA_RULESET, default `drc`)."""
    return load_ruleset(getattr(settings, "KINGA_RULESET", "drc"))


@dataclass(frozen=True)
class ActivityFacts:
    task_code: str
    sector: str
    hours_per_week: Decimal
    hazards: tuple[str, ...]
    night: bool


def engine_input(
    *,
    age: int,
    activities: Iterable[ActivityFacts],
    chores_hours: Decimal,
    worst_forms: Iterable[str],
    place: Place | None = None,
) -> ChildObservation:
    return ChildObservation(
        age=age,
        activities=tuple(
            ActivityInput(
                task=activity.task_code,
                sector=Sector(activity.sector),
                hours_per_week=float(activity.hours_per_week),
                hazards=tuple(Hazard(tag) for tag in activity.hazards),
                night=activity.night,
            )
            for activity in activities
        ),
        household_chores_hours_per_week=float(chores_hours),
        worst_forms=tuple(WorstForm(form) for form in worst_forms),
        place=place,
    )


def classify_facts(
    *,
    age: int,
    activities: Iterable[ActivityFacts],
    chores_hours: Decimal,
    worst_forms: Iterable[str],
    place: Place | None = None,
) -> Classification:
    child = engine_input(
        age=age,
        activities=activities,
        chores_hours=chores_hours,
        worst_forms=worst_forms,
        place=place,
    )
    return classify(child, ruleset_in_force())


def _facts_of(observation: Observation) -> list[ActivityFacts]:
    return [
        ActivityFacts(
            task_code=activity.task.code,
            sector=activity.sector,
            hours_per_week=activity.hours_per_week,
            hazards=tuple(activity.hazards),
            night=activity.night,
        )
        for activity in observation.activities.all()
    ]


ACTIVITIES_WITH_TASKS = Prefetch("activities", queryset=Activity.objects.select_related("task"))


def classify_stored(observation: Observation, ruleset: RuleSet, *, age: int) -> Classification:
    """Classify a stored observation again, at `age` (its own, or a corrected one).

    Load it with `select_related("visit__site")` and `ACTIVITIES_WITH_TASKS`: the place comes
    from the visit's site and the activities from the observation.
    """
    return classify(
        engine_input(
            age=age,
            activities=_facts_of(observation),
            chores_hours=observation.household_chores_hours,
            worst_forms=observation.worst_forms,
            place=place_of_visit(
                observation.visit.site, at_household=observation.visit.household_id is not None
            ),
        ),
        ruleset,
    )


@dataclass
class ReclassifyReport:
    ruleset: str
    examined: int = 0
    changed: int = 0  # category changed
    reasons_changed: int = 0  # same category, different reasons (a new rule fired, say)
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Per rule, how many observations it fires for now and did not before, and the reverse.
    rules_added: Counter[str] = field(default_factory=Counter)
    rules_removed: Counter[str] = field(default_factory=Counter)


def reclassify(
    *, actor: Any, ruleset: RuleSet, dry_run: bool = False, batch_size: int = 2000
) -> ReclassifyReport:
    """Re-run `ruleset` over every stored observation and report what changed.

    Works in batches, each in its own transaction, so a long run on millions of observations
    neither holds one huge transaction nor loses finished batches if interrupted.
    """
    report = ReclassifyReport(ruleset=ruleset.ref)
    last_id = 0
    while True:
        batch = list(
            Observation.objects.filter(id__gt=last_id)
            .order_by("id")
            .select_related("visit__site")
            .prefetch_related(ACTIVITIES_WITH_TASKS)[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1].id
        now = timezone.now()
        changed: list[Observation] = []
        for observation in batch:
            result = classify_stored(observation, ruleset, age=observation.age_at_visit)
            report.examined += 1
            reasons = list(result.reason_ids)
            if (
                observation.category != result.category
                or observation.reasons != reasons
                or observation.ruleset != result.ruleset_ref
            ):
                if observation.category != result.category:
                    report.changed += 1
                    report.transitions[(observation.category, result.category.value)] += 1
                elif observation.reasons != reasons:
                    report.reasons_changed += 1
                report.rules_added.update(set(reasons) - set(observation.reasons))
                report.rules_removed.update(set(observation.reasons) - set(reasons))
                observation.category = result.category.value
                observation.reasons = reasons
                observation.ruleset = result.ruleset_ref
                observation.classified_at = now
                changed.append(observation)
        if dry_run:
            continue
        with transaction.atomic():
            Observation.objects.bulk_update(
                changed, ["category", "reasons", "ruleset", "classified_at"], batch_size=500
            )
    if dry_run:
        return report
    with transaction.atomic():
        record_event(
            actor=actor,
            action=Action.CLASSIFICATION_RERUN,
            subject_type="monitoring.observation",
            changes={
                "ruleset": report.ruleset,
                "examined": report.examined,
                "changed": report.changed,
                "reasons_changed": report.reasons_changed,
                "transitions": {f"{old}->{new}": n for (old, new), n in report.transitions.items()},
                "rules_added": dict(report.rules_added),
                "rules_removed": dict(report.rules_removed),
            },
        )
    return report
