"""The demo's visits: a household visit for every household and a second one for some, the
artisanal mine sites and the schools, and a few findings of the last days; each child seen is
classified by the engine."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from core.seeding import monitoring_rows as rows
from core.seeding.drc_geography import SITES
from core.seeding.monitoring_demo.households import (
    KEY_PREFIX,
    PlannedChild,
    PlannedHousehold,
    days_ago,
    demo_communities,
    moment,
    row_random,
)
from geo.models import SiteKind, SiteStatus
from monitoring.choices import Sex, VisitKind, VisitSource
from monitoring.classification import Place

STILL_WORKING_ON_SECOND_VISIT = 0.70
SITE_VISITS = {SiteStatus.ACTIVE: 30, SiteStatus.INACTIVE: 8, SiteStatus.CLOSED: 0}
SCHOOL_CHECKS = 12
_SOURCES: tuple[tuple[str, float], ...] = (
    (VisitSource.ODK, 70),
    (VisitSource.WEB, 22),
    (VisitSource.IMPORT, 8),
)


@dataclass(frozen=True)
class PlannedObservation:
    child: PlannedChild
    age: int
    facts: rows.WorkFacts
    school_status: str
    notes: str
    verdict: rows.Verdict


@dataclass
class PlannedVisit:
    key: str
    kind: str
    at: datetime
    facilitator: str
    area_code: str
    household: PlannedHousehold | None
    site_code: str
    source: str
    observations: list[PlannedObservation] = field(default_factory=list)


def _source(rng: random.Random) -> str:
    return rows.weighted(rng, _SOURCES)


def _observe(
    rng: random.Random,
    classifier: rows.Classifier,
    child: PlannedChild,
    on: date,
    *,
    working: bool,
    at_mine: bool = False,
) -> PlannedObservation:
    age = rows.age_on(child.birth_date, on)
    if working and child.habit is not None:
        worst = (child.worst_form,) if child.worst_form else ()
        facts = rows.week_of_work(
            rng,
            child.habit,
            chores_hours=child.chores,
            worst_forms=worst,
            immediate_danger=bool(worst),
            mining_only=at_mine,
        )
        school = child.school
        notes = rng.choice(rows.WORK_NOTES)
    else:
        facts = rows.WorkFacts(chores_hours=child.chores)
        school = child.school if rng.random() < 0.9 else rows.school_status(rng, age, working=False)
        notes = ""
    place = Place.MINE_SITE if at_mine else None
    return PlannedObservation(
        child, age, facts, school, notes, classifier.verdict(age, facts, place)
    )


def _household_visits(
    households: list[PlannedHousehold], classifier: rows.Classifier
) -> list[PlannedVisit]:
    visits = []
    for household in households:
        community = household.community
        for number, at in enumerate((household.first_visit, household.second_visit), 1):
            if at is None:
                continue
            key = f"{KEY_PREFIX}visit:{household.key.removeprefix(KEY_PREFIX)}:{number}"
            rng = row_random(key)
            visit = PlannedVisit(
                key, VisitKind.HOUSEHOLD, at, community.facilitator, community.code, household,
                "", _source(rng),
            )  # fmt: skip
            for child in household.children:
                if child.registered_at > at or (number == 2 and child.absent_on_second_visit):
                    continue
                working = child.works
                if number == 2 and child.registered_at < at:
                    # Some stop between visits; a few start.
                    still = rng.random() < STILL_WORKING_ON_SECOND_VISIT
                    working = still if child.works else False
                visit.observations.append(
                    _observe(rng, classifier, child, at.date(), working=working)
                )
            visits.append(visit)
    return visits


def _children_by_community(households: list[PlannedHousehold]) -> dict[str, list[PlannedChild]]:
    found: dict[str, list[PlannedChild]] = defaultdict(list)
    for household in households:
        found[household.community.code].extend(household.children)
    return found


def _site_visits(
    households: list[PlannedHousehold], classifier: rows.Classifier, today: datetime
) -> list[PlannedVisit]:
    """Facilitators at the artisanal mine sites, recording the children found working there."""
    communities = {c.code: c for c in demo_communities()}
    children = _children_by_community(households)
    visits = []
    for site in SITES:
        if site.kind != SiteKind.ARTISANAL_MINE:
            continue
        miners = [
            child
            for child in children[site.community]
            if child.works and child.habit and any(t.sector == "mining" for t in child.habit.tasks)
        ]
        for number in range(1, SITE_VISITS[SiteStatus(site.status)] + 1):
            key = f"{KEY_PREFIX}visit:site:{site.code}:{number}"
            rng = row_random(key)
            at = moment(rng, today, days_ago(rng))
            present = [child for child in miners if child.registered_at < at]
            if not present:
                continue
            seen = rng.sample(present, min(len(present), rng.randint(1, 4)))
            community = communities[site.community]
            visit = PlannedVisit(
                key, VisitKind.SITE, at, community.facilitator, community.code, None, site.code,
                _source(rng),
            )  # fmt: skip
            for child in sorted(seen, key=lambda c: c.key):
                visit.observations.append(
                    _observe(rng, classifier, child, at.date(), working=True, at_mine=True)
                )
            visits.append(visit)
    return visits


def _school_checks(
    households: list[PlannedHousehold], classifier: rows.Classifier, today: datetime
) -> list[PlannedVisit]:
    """Attendance checks at the schools, for pupils of school age from the community."""
    communities = {c.code: c for c in demo_communities()}
    children = _children_by_community(households)
    visits = []
    for site in SITES:
        if site.kind != SiteKind.SCHOOL:
            continue
        pupils = [child for child in children[site.community] if child.school in rows.ENROLLED]
        for number in range(1, SCHOOL_CHECKS + 1):
            key = f"{KEY_PREFIX}visit:school:{site.code}:{number}"
            rng = row_random(key)
            at = moment(rng, today, days_ago(rng))
            present = [
                child
                for child in pupils
                if child.registered_at < at and 6 <= rows.age_on(child.birth_date, at.date()) <= 17
            ]
            if not present:
                continue
            seen = rng.sample(present, min(len(present), rng.randint(3, 8)))
            community = communities[site.community]
            visit = PlannedVisit(
                key, VisitKind.SCHOOL, at, community.facilitator, community.code, None, site.code,
                _source(rng),
            )  # fmt: skip
            for child in sorted(seen, key=lambda c: c.key):
                visit.observations.append(
                    _observe(rng, classifier, child, at.date(), working=child.works)
                )
            visits.append(visit)
    return visits


@dataclass(frozen=True)
class _Finding:
    """A child found in the last days, so the referral desk has deadlines still running."""

    hours_ago: int
    site: str  # a mine site, or "" for a household visit
    task: str
    worst_form: str = ""
    danger: bool = False


_RECENT_FINDINGS = (
    _Finding(5, "SITE-KZI-KASULO-ASM", "digging", worst_form="debt_bondage"),
    _Finding(20, "SITE-KZI-KAMILOMBE-ASM", "underground_work", danger=True),
    _Finding(31, "SITE-MUT-KAWAMA-ASM", "washing_ore", worst_form="forced_labour"),
    _Finding(9, "SITE-LUB-KWATEBALA-ASM", "carrying_sacks"),
    _Finding(47, "SITE-LUB-MULUMBU-ASM", "washing_ore"),
    _Finding(80, "SITE-KBV-KAKANDA-ASM", "sorting_ore"),
    _Finding(26, "", "market_vending"),
    _Finding(100, "", "selling_to_miners"),
    _Finding(190, "", "domestic_work"),
)


def _recent_findings(
    households: list[PlannedHousehold],
    visits: list[PlannedVisit],
    classifier: rows.Classifier,
    *,
    today: datetime,
    now: datetime,
) -> list[PlannedVisit]:
    """Children not identified before, found working in the last days (site or household)."""
    identified = {
        o.child.key for visit in visits for o in visit.observations if o.verdict.identifies
    }
    specs = {spec.code: spec for spec in rows.MINING_TASKS + rows.OTHER_TASKS}
    sites = {site.code: site for site in SITES}
    communities = {c.code: c for c in demo_communities()}
    children = _children_by_community(households)
    found = []
    for number, finding in enumerate(_RECENT_FINDINGS, 1):
        key = f"{KEY_PREFIX}visit:recent:{number}"
        rng = row_random(key)
        at = now - timedelta(hours=finding.hours_ago)
        spec = specs[finding.task]
        if finding.site:
            community = communities[sites[finding.site].community]
        else:
            community = rng.choice([c for c in communities.values() if not c.mining])
        # Ages below 16 make market work child labour in the DRC; mining is hazardous at any age.
        # Chosen by their age today, not at the finding's hour: the same children all day.
        oldest = 17 if finding.site else 15
        candidates = [
            child
            for child in children[community.code]
            if child.key not in identified
            and child.registered_at < today - timedelta(days=1)
            and max(spec.min_age, 10) <= rows.age_on(child.birth_date, today.date()) <= oldest
            and (child.sex == Sex.MALE or not spec.boys_only)
        ]
        if not candidates:  # only in a plan much smaller than the demo's
            continue
        child = rng.choice(candidates)
        identified.add(child.key)
        habit = rows.WorkHabit((spec,), heavy=rng.random() < 0.5)
        worst = (finding.worst_form,) if finding.worst_form else ()
        facts = rows.week_of_work(
            rng,
            habit,
            chores_hours=child.chores,
            worst_forms=worst,
            immediate_danger=bool(worst) or finding.danger,
        )
        age = rows.age_on(child.birth_date, timezone.localtime(at).date())
        at_mine = bool(finding.site) and sites[finding.site].kind == SiteKind.ARTISANAL_MINE
        place = Place.MINE_SITE if at_mine else None
        visit = PlannedVisit(
            key,
            VisitKind.SITE if finding.site else VisitKind.HOUSEHOLD,
            at,
            community.facilitator,
            community.code,
            None if finding.site else child.household,
            finding.site,
            VisitSource.ODK,
        )
        visit.observations.append(
            PlannedObservation(
                child,
                age,
                facts,
                child.school,
                rng.choice(rows.WORK_NOTES),
                classifier.verdict(age, facts, place),
            )
        )
        found.append(visit)
    return found


def plan_visits(
    households: list[PlannedHousehold], *, today: datetime, now: datetime
) -> list[PlannedVisit]:
    """Every visit in time order, each child seen classified by the engine."""
    classifier = rows.Classifier()
    visits = _household_visits(households, classifier)
    visits += _site_visits(households, classifier, today)
    visits += _school_checks(households, classifier, today)
    visits += _recent_findings(households, visits, classifier, today=today, now=now)
    visits.sort(key=lambda visit: (visit.at, visit.key))
    return visits
