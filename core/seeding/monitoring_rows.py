"""What the demo and the scale monitoring seeds share: invented names, how children work and go
to school, the classification engine's verdict on generated facts, and the referral desk's
deadline rules applied to generated rows.

Every name here is invented: combinations of common Congolese first names (Swahili, Luba,
Lunda, French) and family names, never a real person. Categories are never written by hand:
`Classifier` asks the engine, exactly as `monitoring.services.visits.visit_record` does.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from itertools import accumulate
from typing import Generic, TypeVar

from django.db import connection

from monitoring.choices import (
    IDENTIFYING_CATEGORIES,
    AgeConfidence,
    AgeEvidence,
    IncomeSource,
    MiningDependence,
    SchoolCostBurden,
    SchoolStatus,
    Urgency,
)
from monitoring.classification import Category, Hazard, Place, WorstForm
from monitoring.models import (
    Activity,
    Caregiver,
    Child,
    Consent,
    DuplicateCandidate,
    Household,
    Identification,
    Observation,
    Visit,
)
from monitoring.services.classification import ActivityFacts, classify_facts
from monitoring.services.identifications import URGENCY_WINDOWS, urgency_for

FEMALE_FIRST_NAMES = (
    "Amani", "Asha", "Bahati", "Bénédicte", "Chantal", "Christelle", "Divine", "Dorcas",
    "Esther", "Faraja", "Furaha", "Gloria", "Grâce", "Imani", "Kabedi", "Kapinga", "Lydie",
    "Marie-Claire", "Merveille", "Mbuyi", "Mujinga", "Mwajuma", "Naomie", "Neema", "Ngalula",
    "Ntumba", "Nawej", "Plamedi", "Précieuse", "Rachel", "Rehema", "Riziki", "Ruth", "Sarah",
    "Sifa", "Tshilanda", "Upendo", "Zawadi", "Mwadi", "Kasal", "Odile", "Béatrice",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Baraka", "Béni", "Bienvenu", "Christian", "Daniel", "Dieu-Merci", "Dieudonné", "Emmanuel",
    "Exaucé", "Fiston", "Glodi", "Héritier", "Ilunga", "Jabari", "Jonathan", "Josué", "Junior",
    "Kalala", "Kanku", "Kapend", "Kasongo", "Moïse", "Mukendi", "Mulong", "Muyej", "Patient",
    "Prince", "Riziki", "Shukuru", "Trésor", "Tumaini", "Yav", "Serge", "Jean-Paul", "Ngoy",
    "Olivier", "Espoir", "Guelord", "Chadrack", "Rodrigue",
)  # fmt: skip
FAMILY_NAMES = (
    "Banza", "Ilunga", "Kabamba", "Kabeya", "Kabongo", "Kalenga", "Kalombo", "Kapend",
    "Kasongo", "Kayembe", "Kazadi", "Kibwe", "Kisimba", "Kyungu", "Lukusa", "Mbayo", "Mbuyu",
    "Mpoyo", "Mukendi", "Mulumba", "Musonda", "Mutombo", "Mwamba", "Mwansa", "Nawej", "Ngoy",
    "Numbi", "Nyembo", "Tshiamala", "Tshibangu", "Tshimanga", "Umba", "Yav", "Kanyimbu",
    "Kaseya", "Mwenze", "Kitenge", "Masengo", "Sangwa", "Kahozi",
)  # fmt: skip
ADULT_FEMALE_NAMES = (
    "Alphonsine", "Angélique", "Bernadette", "Charlotte", "Clémentine", "Félicité", "Henriette",
    "Jeanne", "Joséphine", "Kapinga", "Mado", "Mamie", "Marceline", "Mujinga", "Odette",
    "Pascaline", "Solange", "Thérèse", "Véronique", "Yvonne", "Ngalula", "Mwadi",
)  # fmt: skip
ADULT_MALE_NAMES = (
    "Albert", "André", "Augustin", "Célestin", "Clément", "Désiré", "Faustin", "Félix",
    "Gaston", "Hubert", "Jean-Pierre", "Joseph", "Lambert", "Léonard", "Marcel", "Mathieu",
    "Paul", "Pierre", "Séraphin", "Théodore", "Kabongo", "Mwenze", "Ilunga",
)  # fmt: skip

T = TypeVar("T")
K = TypeVar("K")  # a child's key or id
R = TypeVar("R")  # how an observation is found again
A = TypeVar("A")  # an area's code or id

# Mobile prefixes of the three big networks (Vodacom, Airtel, Orange); the numbers are random.
_PHONE_PREFIXES = ("81", "82", "83", "97", "98", "99", "84", "85", "89")

# Notes facilitators write about a working child: no names, no places a child could be traced by.
WORK_NOTES = (
    "Seen at the washing ponds after school hours.",
    "Says the family needs the money for food.",
    "Vu en train de trier les minerais avec des adultes.",
    "Travaille avec son frère aîné sur le site.",
    "Stopped going to school when fees went up.",
    "Porte des sacs pour un négociant.",
    "",
    "",
    "",
)


def full_name(first: str, family: str) -> str:
    return f"{first} {family}"


def phone_number(rng: random.Random) -> str:
    number = f"{rng.randrange(10_000_000):07d}"
    return f"+243 {rng.choice(_PHONE_PREFIXES)} {number[:3]} {number[3:]}"


def location_near(rng: random.Random, latitude: float, longitude: float) -> str:
    """A dwelling within about a kilometre of its community's centre."""
    return (
        f"{latitude + rng.uniform(-0.008, 0.008):.5f},{longitude + rng.uniform(-0.008, 0.008):.5f}"
    )


# ---- Ages, school and livelihoods -----------------------------------------------------------

YOUNGEST, OLDEST = 3, 19
# Children per household, 1 to 6, averaging about 2.5.
CHILDREN_PER_HOUSEHOLD = ((1, 25), (2, 30), (3, 23), (4, 13), (5, 7), (6, 2))
# A young population: a little more weight on the younger ages.
_AGE_WEIGHTS = {age: 1.0 if age < 10 else 0.95 if age < 15 else 0.85 for age in range(3, 20)}
# Chance that a child works, by age (then raised in mining communities, lowered elsewhere):
# about one child in six overall, as in the 2024 study DESIGN.md cites.
_WORK_CHANCE = ((5, 0.0), (10, 0.07), (14, 0.17), (18, 0.30), (20, 0.35))
MINING_COMMUNITY_FACTOR = 1.25
OTHER_COMMUNITY_FACTOR = 0.7


def weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    """One of the options, drawn with the weight beside it."""
    values, cumulative = _cumulative(tuple(options))
    found: T = rng.choices(values, cum_weights=cumulative)[0]
    return found


@cache
def _cumulative(options: tuple[tuple[T, float], ...]) -> tuple[list[T], list[float]]:
    return [value for value, _weight in options], list(accumulate(w for _v, w in options))


def children_in_household(rng: random.Random) -> int:
    return weighted(rng, CHILDREN_PER_HOUSEHOLD)


def child_age(rng: random.Random) -> int:
    ages = list(_AGE_WEIGHTS)
    return rng.choices(ages, [_AGE_WEIGHTS[age] for age in ages])[0]


def works(rng: random.Random, age: int, *, mining_community: bool) -> bool:
    chance = next(chance for below, chance in _WORK_CHANCE if age < below) if age < 20 else 0.35
    factor = MINING_COMMUNITY_FACTOR if mining_community else OTHER_COMMUNITY_FACTOR
    return rng.random() < chance * factor


def birth_date_for(rng: random.Random, age: int, on: date) -> tuple[date, bool, str, str]:
    """A birth date giving `age` on `on`, whether it is estimated, and its evidence.

    Estimated dates follow `monitoring.services.children.birth_date_from` (mid-year of birth).
    """
    evidence = rng.choices(
        (
            AgeEvidence.BIRTH_CERTIFICATE,
            AgeEvidence.SCHOOL_RECORD,
            AgeEvidence.CAREGIVER_REPORT,
            AgeEvidence.MEDICAL_ESTIMATE,
            AgeEvidence.SELF_REPORT,
        ),
        (25, 20, 45, 5, 5),
    )[0]
    if evidence in (AgeEvidence.BIRTH_CERTIFICATE, AgeEvidence.SCHOOL_RECORD):
        days_since_birthday = rng.randrange(365)
        born = date.fromordinal(on.toordinal() - days_since_birthday)
        born = _years_before(born, age)
        return born, False, evidence, AgeConfidence.HIGH
    confidence = AgeConfidence.LOW if evidence == AgeEvidence.SELF_REPORT else AgeConfidence.MEDIUM
    estimated = date.fromordinal(date(on.year - age, on.month, 1).toordinal() - 182)
    return estimated, True, evidence, confidence


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_on(birth_date: date, day: date) -> int:
    """Completed years, as `Child.age_on` counts them."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def school_status(rng: random.Random, age: int, *, working: bool) -> str:
    """Working children are far more often out of school or irregular."""
    S = SchoolStatus
    options: tuple[tuple[str, float], ...]
    if age < 6:
        return S.NOT_ENROLLED if rng.random() < 0.8 else S.ATTENDING_REGULARLY
    if age >= 18:
        options = ((S.COMPLETED, 30), (S.DROPPED_OUT, 45), (S.ATTENDING_REGULARLY, 25))
    elif working:
        options = (
            (S.ATTENDING_REGULARLY, 18),
            (S.ATTENDING_IRREGULARLY, 34),
            (S.ENROLLED_NOT_ATTENDING, 8),
            (S.NOT_ENROLLED, 18),
            (S.DROPPED_OUT, 22),
        )
    else:
        options = (
            (S.ATTENDING_REGULARLY, 76),
            (S.ATTENDING_IRREGULARLY, 12),
            (S.ENROLLED_NOT_ATTENDING, 2),
            (S.NOT_ENROLLED, 5),
            (S.DROPPED_OUT, 5),
        )
    return weighted(rng, options)


ENROLLED = frozenset(
    {
        SchoolStatus.ATTENDING_REGULARLY,
        SchoolStatus.ATTENDING_IRREGULARLY,
        SchoolStatus.ENROLLED_NOT_ATTENDING,
    }
)


@dataclass(frozen=True)
class Livelihood:
    income_sources: tuple[str, ...]
    mining_dependence: str
    school_cost_burden: str


def livelihood(rng: random.Random, *, mining_community: bool) -> Livelihood:
    I = IncomeSource  # noqa: E741 — a local alias keeps the table readable
    if mining_community and rng.random() < 0.75:
        sources = [I.ARTISANAL_MINING]
        sources += rng.sample((I.MINERAL_TRADE, I.PETTY_TRADE, I.FARMING), rng.randint(0, 2))
        dependence = MiningDependence.MAINLY if rng.random() < 0.6 else MiningDependence.PARTLY
    else:
        pool = (I.PETTY_TRADE, I.FARMING, I.WAGE_WORK, I.CRAFTS, I.SUPPORT, I.OTHER)
        sources = rng.sample(pool, rng.randint(1, 2))
        if rng.random() < 0.15:
            sources.append(I.MINERAL_TRADE)
        dependence = (
            MiningDependence.PARTLY if I.MINERAL_TRADE in sources else MiningDependence.NONE
        )
    burden_weights = (10, 35, 35, 20) if dependence != MiningDependence.NONE else (15, 50, 25, 10)
    burden = rng.choices(
        (
            SchoolCostBurden.NONE,
            SchoolCostBurden.MANAGEABLE,
            SchoolCostBurden.HEAVY,
            SchoolCostBurden.UNAFFORDABLE,
        ),
        burden_weights,
    )[0]
    return Livelihood(tuple(str(source) for source in sources), dependence, burden)


# ---- Work ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskSpec:
    code: str
    sector: str
    typical_hazards: tuple[str, ...]
    min_age: int
    boys_only: bool = False
    night_chance: float = 0.0


# Mirrors the catalogue of migration monitoring/0002 (codes, sectors, typical hazards), with
# who usually does each task: the youngest sort and wash, older boys dig and go underground.
_DUST, _HEAT, _LOADS, _TOOLS = (
    "dust_or_chemicals",
    "extreme_temperature",
    "heavy_loads",
    "dangerous_tools",
)
MINING_TASKS = (
    TaskSpec("sorting_ore", "mining", (_DUST,), 5),
    TaskSpec("washing_ore", "mining", (_DUST, _HEAT), 7, night_chance=0.1),
    TaskSpec("carrying_sacks", "mining", (_LOADS,), 10),
    TaskSpec("crushing_ore", "mining", (_TOOLS, _DUST), 10),
    TaskSpec("digging", "mining", (_TOOLS, _LOADS, _DUST), 12, boys_only=True),
    TaskSpec("underground_work", "mining", ("underground", _DUST, "heights"), 14, boys_only=True),
    TaskSpec("guarding_site", "mining", ("night_work",), 13, boys_only=True, night_chance=1.0),
)
_MINING_WEIGHTS = (26, 30, 18, 8, 10, 5, 3)
OTHER_TASKS = (
    TaskSpec("selling_to_miners", "trade", (), 6),
    TaskSpec("market_vending", "trade", (), 6),
    TaskSpec("transporting_goods", "trade", (_LOADS,), 11),
    TaskSpec("farm_field_work", "agriculture", (_TOOLS, _HEAT), 8),
    TaskSpec("herding", "agriculture", (), 6),
    TaskSpec("charcoal_making", "agriculture", (_TOOLS, _HEAT), 12),
    TaskSpec("brick_making", "manufacturing", (_LOADS, _HEAT), 11),
    TaskSpec("domestic_work", "domestic_service", (), 9),
    TaskSpec("restaurant_work", "services", ("night_work",), 14, night_chance=0.6),
)
_OTHER_WEIGHTS = (14, 22, 8, 16, 8, 6, 8, 14, 4)
TASK_CODES = tuple(spec.code for spec in MINING_TASKS + OTHER_TASKS)


@dataclass(frozen=True)
class WorkFacts:
    """What a child did in the last 7 days: the input of one observation (hashable)."""

    activities: tuple[ActivityFacts, ...] = ()
    chores_hours: Decimal = Decimal("0.0")
    worst_forms: tuple[str, ...] = ()
    immediate_danger: bool = False


@dataclass(frozen=True)
class WorkHabit:
    """How one child works, kept from visit to visit: the tasks and the weekly load."""

    tasks: tuple[TaskSpec, ...]
    heavy: bool  # out of school: long weeks


def work_habit(
    rng: random.Random, age: int, sex: str, *, mining_community: bool, out_of_school: bool
) -> WorkHabit:
    mining = rng.random() < (0.85 if mining_community else 0.35)
    specs, weights = (MINING_TASKS, _MINING_WEIGHTS) if mining else (OTHER_TASKS, _OTHER_WEIGHTS)
    fitting = [
        (spec, weight)
        for spec, weight in zip(specs, weights, strict=True)
        if spec.min_age <= age and (sex == "male" or not spec.boys_only)
    ]
    if not fitting:  # the youngest in a non-mining place: small trade
        fitting = [(OTHER_TASKS[1], 1)]
    first = weighted(rng, fitting)
    tasks = [first]
    if rng.random() < 0.25:
        second = weighted(rng, fitting)
        if second != first:
            tasks.append(second)
    return WorkHabit(tuple(tasks), heavy=out_of_school)


def week_of_work(
    rng: random.Random,
    habit: WorkHabit,
    *,
    chores_hours: Decimal,
    worst_forms: tuple[str, ...] = (),
    immediate_danger: bool = False,
    mining_only: bool = False,
) -> WorkFacts:
    """One week of the child's habitual work, as a facilitator would record it."""
    tasks = [spec for spec in habit.tasks if spec.sector == "mining"] if mining_only else []
    tasks = tasks or list(habit.tasks)
    activities = []
    low, high = (20, 48) if habit.heavy else (4, 18)
    for spec in tasks:
        hours = Decimal(rng.randint(low, high) // len(tasks) or 1)
        # The facilitator ticks the hazards seen, usually most of the task's typical ones.
        hazards = tuple(tag for tag in spec.typical_hazards if rng.random() < 0.7)
        if spec.code == "underground_work":
            hazards = tuple(dict.fromkeys(("underground", *hazards)))
        night = rng.random() < spec.night_chance
        activities.append(
            ActivityFacts(
                task_code=spec.code,
                sector=spec.sector,
                hours_per_week=hours.quantize(Decimal("0.1")),
                hazards=hazards,
                night=night,
            )
        )
    danger = immediate_danger or any(
        Hazard.UNDERGROUND in fact.hazards and rng.random() < 0.3 for fact in activities
    )
    return WorkFacts(tuple(activities), chores_hours, worst_forms, danger)


def chores(rng: random.Random, age: int, sex: str) -> Decimal:
    """Household chores in a week: a few hours, rarely (more often for girls) 21 or more."""
    if age < 5:
        return Decimal("0.0")
    heavy = rng.random() < (0.05 if sex == "female" else 0.015)
    hours = rng.randint(21, 30) if heavy else rng.randint(0, min(14, age))
    return Decimal(hours).quantize(Decimal("0.1"))


WORST_FORMS_IN_DEMO = (WorstForm.DEBT_BONDAGE, WorstForm.FORCED_LABOUR)


# ---- Classification and identification ------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    category: str
    reasons: tuple[str, ...]
    ruleset: str
    identifies: bool  # the category opens a referral


class Classifier:
    """The engine's verdict on generated facts, through `classify_facts` (the rule set in
    force), remembered per distinct input: generated facts repeat a lot, and the engine is pure.
    """

    MEMORY = 100_000

    def __init__(self) -> None:
        self._known: dict[tuple[int, WorkFacts, Place | None], Verdict] = {}

    def verdict(self, age: int, facts: WorkFacts, place: Place | None = None) -> Verdict:
        """`place` as the visit gives it (`place_of_visit`): a mine site changes the verdict."""
        key = (age, facts, place)
        found = self._known.get(key)
        if found is None:
            if len(self._known) >= self.MEMORY:  # bounded, for a million children
                self._known.clear()
            result = classify_facts(
                age=age,
                activities=facts.activities,
                chores_hours=facts.chores_hours,
                worst_forms=facts.worst_forms,
                place=place,
            )
            found = Verdict(
                result.category.value,
                result.reason_ids,
                result.ruleset_ref,
                result.category in IDENTIFYING_CATEGORIES,
            )
            self._known[key] = found
        return found


_ANALYZED = (
    Household, Caregiver, Child, Consent, Visit, Observation, Activity, Identification,
    DuplicateCandidate,
)  # fmt: skip
_URGENCY_RANK = {Urgency.STANDARD: 0, Urgency.HIGH: 1, Urgency.IMMEDIATE: 2}


@dataclass
class OpenIdentification(Generic[R, A]):
    """One child's identification while its observations are replayed in time order.

    `first` and `latest` are whatever the caller uses to find the observation rows later
    (an id, or a key); `area` likewise.
    """

    first: R
    latest: R
    category: str
    urgency: str
    identified_at: datetime
    deadline_at: datetime
    area: A


@dataclass
class IdentificationBook(Generic[K, R, A]):
    """`monitoring.services.identifications.identify`, replayed on generated observations:
    the first finding opens an identification with a deadline by urgency from the moment of
    the visit; a later finding keeps it, raising category and urgency, never lowering them,
    and moving the deadline only earlier."""

    open: dict[K, OpenIdentification[R, A]] = field(default_factory=dict)

    def observe(
        self,
        *,
        child: K,
        observation: R,
        verdict: Verdict,
        immediate_danger: bool,
        at: datetime,
        area: A,
    ) -> None:
        if not verdict.identifies:
            return
        category = Category(verdict.category)
        urgency = urgency_for(category, immediate_danger=immediate_danger)
        deadline = at + URGENCY_WINDOWS[urgency]
        current = self.open.get(child)
        if current is None:
            self.open[child] = OpenIdentification(
                observation, observation, category.value, urgency.value, at, deadline, area
            )
            return
        current.latest = observation
        if category.severity > Category(current.category).severity:
            current.category = category.value
        if _URGENCY_RANK[urgency] > _URGENCY_RANK[Urgency(current.urgency)]:
            current.urgency = urgency.value
        current.deadline_at = min(current.deadline_at, deadline)


def refresh_statistics() -> None:
    """ANALYZE the monitoring tables on PostgreSQL after a bulk load.

    PostgreSQL plans from table statistics, which autovacuum refreshes only a while after a
    load. Until then a page of 50 children is planned as if the tables were tiny or huge, and
    can be JIT-compiled: seconds instead of a millisecond on the first requests.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in _ANALYZED)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
