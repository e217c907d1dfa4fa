"""The demo's households and children, planned in Python from a fixed seed: who lives where,
their names, ages, schooling and work, consent, and the children recorded twice."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from core.seeding import monitoring_rows as rows
from core.seeding.demo_people import PEOPLE
from core.seeding.drc_geography import AREAS, SITES
from geo.models import AreaLevel, SiteKind
from monitoring.choices import Relationship, SchoolStatus, Sex

KEY_PREFIX = "demo:"
DEMO_HOUSEHOLDS = 2000
HISTORY_DAYS = 690  # the programme's first visits were about 23 months ago
MINING_COMMUNITY_WEIGHT = 3
CONSENT_REFUSED_SHARE = 0.10
SECOND_VISIT_SHARE = 0.20
SECOND_VISIT_SHARE_WHEN_WORKING = 0.60
WORST_FORMS_CHILDREN = 6
SAME_HOUSEHOLD_DUPLICATES = 7
MOVED_CHILD_DUPLICATES = 3
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as monitoring.services.codes

# Its own fixed seed: monitoring rows do not move when another demo step draws more numbers.
RANDOM_SEED = "kinga-demo-2026:monitoring"


@dataclass(frozen=True)
class Community:
    code: str
    latitude: float
    longitude: float
    facilitator: str  # username
    mining: bool


@dataclass
class PlannedChild:
    key: str
    code: str
    household: PlannedHousehold
    first_name: str
    last_name: str  # empty when the caregiver refused consent to identification
    sex: str
    birth_date: date
    estimated: bool
    age_evidence: str
    age_confidence: str
    registered_at: datetime
    works: bool
    habit: rows.WorkHabit | None
    school: str
    chores: Decimal
    worst_form: str = ""
    absent_on_second_visit: bool = False


@dataclass
class PlannedCaregiver:
    name: str
    relationship: str
    phone: str
    is_head: bool


@dataclass
class PlannedHousehold:
    key: str
    code: str
    community: Community
    head_name: str
    family_name: str
    phone: str
    location: str
    members_count: int
    livelihood: rows.Livelihood
    consent_given: bool
    first_visit: datetime
    second_visit: datetime | None
    caregivers: list[PlannedCaregiver] = field(default_factory=list)
    children: list[PlannedChild] = field(default_factory=list)


def row_random(key: str) -> random.Random:
    return random.Random(f"{RANDOM_SEED}:{key}")  # noqa: S311 — fake data, no secret


def record_code(prefix: str, rng: random.Random) -> str:
    body = "".join(rng.choices(_CODE_ALPHABET, k=8))
    return f"{prefix}-{body[:4]}-{body[4:]}"


def demo_communities() -> list[Community]:
    facilitators = {code: spec.username for spec in PEOPLE for code in spec.communities}
    mining_kinds = {SiteKind.ARTISANAL_MINE, SiteKind.TRADING_DEPOT}
    mining = {site.community for site in SITES if site.kind in mining_kinds}
    return [
        Community(
            code=spec.code,
            latitude=spec.latitude or 0.0,
            longitude=spec.longitude or 0.0,
            facilitator=facilitators[spec.code],
            mining=spec.code in mining,
        )
        for spec in AREAS
        if spec.level == AreaLevel.VILLAGE
    ]


def _households_per_community(communities: list[Community], total: int) -> list[int]:
    """Largest-remainder split of `total`, mining communities weighing three times as much."""
    weights = [MINING_COMMUNITY_WEIGHT if c.mining else 1 for c in communities]
    shares = [total * weight / sum(weights) for weight in weights]
    counts = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def moment(rng: random.Random, today: datetime, days_ago: float) -> datetime:
    """Working hours on the day `days_ago` before `today` (local midnight), so never today:
    the history depends on the date of the run only, not on its hour. A negative `days_ago`
    counts days after `today`."""
    day = (today - timedelta(days=days_ago)).date()
    return datetime.combine(day, time(rng.randint(8, 16), rng.randrange(60)), tzinfo=today.tzinfo)


def days_ago(rng: random.Random) -> float:
    """More visits lately than at the start: the programme grew (density rises linearly)."""
    return HISTORY_DAYS * (1 - math.sqrt(rng.random()))


def _plan_household(key: str, community: Community, today: datetime) -> PlannedHousehold:
    rng = row_random(key)
    first_visit = moment(rng, today, days_ago(rng))
    family = rng.choice(rows.FAMILY_NAMES)
    head_is_woman = rng.random() < 0.35
    if head_is_woman:
        head = rows.full_name(rng.choice(rows.ADULT_FEMALE_NAMES), family)
        head_relationship = rng.choice(
            (Relationship.MOTHER,) * 8
            + (Relationship.GRANDPARENT,) * 3
            + (Relationship.AUNT_UNCLE,)
        )
    else:
        head = rows.full_name(rng.choice(rows.ADULT_MALE_NAMES), family)
        head_relationship = rng.choice(
            (Relationship.FATHER,) * 9
            + (Relationship.GRANDPARENT,) * 2
            + (Relationship.AUNT_UNCLE,)
        )
    phone = rows.phone_number(rng) if rng.random() < 0.65 else ""
    caregivers = [PlannedCaregiver(head, head_relationship, phone, is_head=True)]
    if rng.random() < 0.6:
        spouse_names = rows.ADULT_MALE_NAMES if head_is_woman else rows.ADULT_FEMALE_NAMES
        relationship = Relationship.FATHER if head_is_woman else Relationship.MOTHER
        if head_relationship == Relationship.GRANDPARENT:
            relationship = Relationship.GRANDPARENT
        spouse = rows.full_name(rng.choice(spouse_names), rng.choice(rows.FAMILY_NAMES))
        spouse_phone = rows.phone_number(rng) if rng.random() < 0.3 else ""
        caregivers.append(PlannedCaregiver(spouse, relationship, spouse_phone, is_head=False))
    livelihood = rows.livelihood(rng, mining_community=community.mining)
    consent = rng.random() >= CONSENT_REFUSED_SHARE
    household = PlannedHousehold(
        key=key,
        code=record_code("HH", rng),
        community=community,
        head_name=head,
        family_name=family,
        phone=phone,
        location=(
            rows.location_near(rng, community.latitude, community.longitude)
            if rng.random() < 0.8
            else ""
        ),
        members_count=0,
        livelihood=livelihood,
        consent_given=consent,
        first_visit=first_visit,
        second_visit=None,
        caregivers=caregivers,
    )
    taken: set[str] = set()
    for index in range(rows.children_in_household(rng)):
        household.children.append(_plan_child(f"{key}:{index + 1}", household, taken))
    household.members_count = (
        len(caregivers) + len(household.children) + rng.choice((0, 0, 1, 1, 2, 3))
    )
    working = any(child.works for child in household.children)
    share = SECOND_VISIT_SHARE_WHEN_WORKING if working else SECOND_VISIT_SHARE
    if rng.random() < share:  # two to ten months later, if that day has come
        at = moment(rng, first_visit, -rng.randint(60, 300))
        if at < today:
            household.second_visit = at
    return household


def _plan_child(key: str, household: PlannedHousehold, taken: set[str]) -> PlannedChild:
    rng = row_random(key)
    sex = Sex.FEMALE if rng.random() < 0.5 else Sex.MALE
    names = rows.FEMALE_FIRST_NAMES if sex == Sex.FEMALE else rows.MALE_FIRST_NAMES
    first = rng.choice(names)
    while first in taken:  # siblings do not share a first name
        first = rng.choice(names)
    taken.add(first)
    family = household.family_name if rng.random() < 0.7 else rng.choice(rows.FAMILY_NAMES)
    on = household.first_visit.date()
    age = rows.child_age(rng)
    born, estimated, evidence, confidence = rows.birth_date_for(rng, age, on)
    age = rows.age_on(born, on)
    mining = household.community.mining
    working = rows.works(rng, age, mining_community=mining)
    school = rows.school_status(rng, age, working=working)
    habit = None
    if working:
        out_of_school = school not in rows.ENROLLED or school == SchoolStatus.ENROLLED_NOT_ATTENDING
        habit = rows.work_habit(rng, age, sex, mining_community=mining, out_of_school=out_of_school)
    return PlannedChild(
        key=f"{KEY_PREFIX}ch:{key.removeprefix(KEY_PREFIX + 'hh:')}",
        code=record_code("CH", rng),
        household=household,
        first_name=first,
        last_name=family if household.consent_given else "",
        sex=sex,
        birth_date=born,
        estimated=estimated,
        age_evidence=evidence,
        age_confidence=confidence,
        registered_at=household.first_visit,
        works=working,
        habit=habit,
        school=school,
        chores=rows.chores(rng, age, sex),
    )


def _plant_worst_forms(households: list[PlannedHousehold]) -> None:
    """A handful of children in debt bondage or forced labour, in mining communities."""
    rng = row_random("worst-forms")
    fitting = [
        child
        for household in households
        if household.community.mining
        for child in household.children
        if child.works and 12 <= rows.age_on(child.birth_date, household.first_visit.date()) <= 17
    ]
    for index, child in enumerate(rng.sample(fitting, min(len(fitting), WORST_FORMS_CHILDREN))):
        child.worst_form = rows.WORST_FORMS_IN_DEMO[index % len(rows.WORST_FORMS_IN_DEMO)]


def _spelling_variant(name: str) -> str:
    """The same name as another facilitator wrote it: no accents, no hyphen, or in capitals.
    All three normalise to the same key (core.crypto.normalise_name), as they should."""
    plain = name.translate(str.maketrans("éèêëâàôöîïûüç", "eeeeaaooiiuuc"))
    if plain != name:
        return plain
    if "-" in name:
        return name.replace("-", " ")
    return name.upper()


def _plant_duplicates(households: list[PlannedHousehold]) -> list[PlannedChild]:
    """Children recorded twice, as happens in the field: once in the same household on the
    second visit with another spelling and a birth year off by one, and once in another
    household (a child who moved to relatives) with the same full name and birth date."""
    rng = row_random("duplicates")
    planted: list[PlannedChild] = []
    revisited = [h for h in households if h.second_visit is not None and len(h.children) > 1]
    for number, household in enumerate(rng.sample(revisited, SAME_HOUSEHOLD_DUPLICATES), 1):
        original = rng.choice(household.children)
        assert household.second_visit is not None
        shift = rng.choice((-1, 1))
        born = date(original.birth_date.year + shift, original.birth_date.month, 1)
        twin = _copy_child(
            original,
            key=f"{KEY_PREFIX}ch:dup:{number}",
            household=household,
            first_name=_spelling_variant(original.first_name),
            birth_date=born,
            registered_at=household.second_visit,
        )
        original.absent_on_second_visit = True  # else both would be seen on one visit
        household.children.append(twin)
        planted.append(twin)
    consenting = sorted(
        (h for h in households if h.consent_given), key=lambda h: (h.first_visit, h.key)
    )
    earlier, later = consenting[: len(consenting) // 2], consenting[len(consenting) // 2 :]
    sources = rng.sample(earlier, MOVED_CHILD_DUPLICATES)
    for number, source in enumerate(sources, SAME_HOUSEHOLD_DUPLICATES + 1):
        original = rng.choice(source.children)
        target = rng.choice(
            [
                h
                for h in later
                if h.community != source.community
                and original.first_name not in {child.first_name for child in h.children}
            ]
        )
        twin = _copy_child(
            original,
            key=f"{KEY_PREFIX}ch:dup:{number}",
            household=target,
            first_name=original.first_name,
            birth_date=original.birth_date,
            registered_at=target.first_visit,
        )
        target.children.append(twin)
        planted.append(twin)
    return planted


def _copy_child(
    original: PlannedChild,
    *,
    key: str,
    household: PlannedHousehold,
    first_name: str,
    birth_date: date,
    registered_at: datetime,
) -> PlannedChild:
    rng = row_random(key)
    return PlannedChild(
        key=key,
        code=record_code("CH", rng),
        household=household,
        first_name=first_name,
        last_name=original.last_name if household.consent_given else "",
        sex=original.sex,
        birth_date=birth_date,
        estimated=original.estimated or birth_date != original.birth_date,
        age_evidence=original.age_evidence,
        age_confidence=original.age_confidence,
        registered_at=registered_at,
        works=original.works,
        habit=original.habit,
        school=original.school,
        chores=original.chores,
    )


def plan_households(
    *, today: datetime, count: int
) -> tuple[list[PlannedHousehold], list[PlannedChild]]:
    """The households with their children, and the children planted as duplicates."""
    communities = demo_communities()
    planned: list[PlannedHousehold] = []
    number = 0
    for community, share in zip(
        communities, _households_per_community(communities, count), strict=True
    ):
        for _ in range(share):
            number += 1
            planned.append(_plan_household(f"{KEY_PREFIX}hh:{number:04d}", community, today))
    _plant_worst_forms(planned)
    return planned, _plant_duplicates(planned)
