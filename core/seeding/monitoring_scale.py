"""Monitoring rows for `seed --scale N`: N children in about N / 2.5 households, with their
caregivers and consent, and VISITS_PER_CHILD visits per child over three years (household
visits, mine sites, schools, follow-ups), each child seen classified by the engine, and the
identifications those findings open.

Speed is the point (5 million visits at 1 million children): rows are plain tuples with ids
assigned here, written household by household in chunks, one transaction per chunk, with
COPY on PostgreSQL and executemany on SQLite. Ids are taken after the largest existing id,
which is safe because `seed --scale` runs once, on a database nobody else writes to, and the
sequences are moved past them at the end.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import RoleAssignment
from accounts.roles import Role
from core.crypto import encrypt, keyed_hash, normalise_name
from core.seeding import monitoring_rows as rows
from geo.models import Site, SiteKind
from monitoring.choices import (
    ConsentKind,
    ConsentPurpose,
    IdentificationStatus,
    Relationship,
    SchoolStatus,
    Sex,
    VisitKind,
    VisitSource,
)
from monitoring.classification import Place as MetAt  # `Place` here is a run's community
from monitoring.models import (
    Activity,
    Caregiver,
    Child,
    Consent,
    Household,
    Identification,
    Observation,
    Task,
    Visit,
)
from monitoring.services.children import child_name_hash, first_name_hash
from monitoring.services.households import head_name_hash

if TYPE_CHECKING:  # scale.py imports this module to list its step
    from core.seeding.scale import ScaleContext

# DESIGN.md's target: 1 million children, 5 million visits. Keep the ratio when changing sizes.
VISITS_PER_CHILD = 5
CHILDREN_PER_HOUSEHOLD = 2.5  # the mean of monitoring_rows.CHILDREN_PER_HOUSEHOLD, about
HOUSEHOLD_VISITS = 4  # per household over the history; the other visits see one child each
HISTORY_DAYS = 3 * 365
CONSENT_REFUSED_SHARE = 0.10
PRESENT_ON_HOUSEHOLD_VISIT = 0.6
STILL_WORKING = 0.75  # chance a working child is found working on a given visit
STARTS_WORKING = 0.03
WORST_FORMS_SHARE = 0.003  # of the visits that find a child working
WEEK_VARIANTS = 2  # different weeks of work per working child
CHUNK_ROWS = 20_000  # pending rows that trigger a write (one transaction)
LOCATIONS_PER_COMMUNITY = 4
PHONE_POOL = 2000
_WORST_FORMS = ("debt_bondage", "forced_labour", "trafficking")
_SOURCES = (VisitSource.ODK, VisitSource.ODK, VisitSource.ODK, VisitSource.WEB, VisitSource.IMPORT)


class TokenPool:
    """One ciphertext per distinct plaintext, reused across rows.

    Scale data is synthetic, so repeated ciphertexts are acceptable here and only here: real
    rows are encrypted one by one with a fresh IV (EncryptedTextField), and so are the demo's.
    Encrypting each of millions of generated names would otherwise take most of the run.
    """

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def __call__(self, plaintext: str) -> str:
        if not plaintext:
            return ""
        token = self._tokens.get(plaintext)
        if token is None:
            token = self._tokens[plaintext] = encrypt(plaintext)
        return token


class HashPool:
    """Keyed hashes of names, computed once per distinct name (they repeat across rows)."""

    def __init__(self, function: Callable[..., str]) -> None:
        self.function = function
        self._known: dict[tuple[str, ...], str] = {}

    def __call__(self, *parts: str) -> str:
        found = self._known.get(parts)
        if found is None:
            found = self._known[parts] = self.function(*parts)
        return found


class Table:
    """Rows for one table, with ids given here, written by `flush` (COPY or executemany)."""

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        label: str,
        prepared: frozenset[str] = frozenset(),
    ) -> None:
        meta = model._meta
        columns: list[models.Field[Any, Any]] = []
        for name in ("id", *fields):
            column = meta.get_field(name)
            assert isinstance(column, models.Field)
            columns.append(column)
        self.model, self.label = model, label
        # Only the columns whose values need turning into database values, by position.
        # `prepared` columns arrive as database values already (see ScaleMonitoring.stamp).
        self.adapters = [
            (position, adapt)
            for position, column in enumerate(columns)
            if column.name not in prepared and (adapt := _adapter(column)) is not None
        ]
        quote = connection.ops.quote_name
        self.table = quote(meta.db_table)
        self.names = ", ".join(quote(column.column) for column in columns)
        self.placeholders = ", ".join(["%s"] * len(columns))
        self.pending: list[list[Any]] = []
        self.written = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}")  # noqa: S608 — model metadata
            self.next_id = int(cursor.fetchone()[0]) + 1

    def add(self, *values: Any) -> int:
        row_id = self.next_id
        self.next_id += 1
        self.pending.append([row_id, *values])
        return row_id

    def flush(self, cursor: Any) -> int:
        if not self.pending:
            return 0
        for row in self.pending:
            for position, adapt in self.adapters:
                value = row[position]
                if value is not None:
                    row[position] = adapt(value)
        if connection.vendor == "postgresql":
            # COPY: several times faster than executemany, which is a round trip per row there.
            with cursor.cursor.copy(f"COPY {self.table} ({self.names}) FROM STDIN") as copy:
                for row in self.pending:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {self.table} ({self.names}) VALUES ({self.placeholders})",  # noqa: S608 — model metadata
                self.pending,
            )
        count = len(self.pending)
        self.written += count
        self.pending = []
        return count


def _adapter(column: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a generated value becomes a database value, as bulk_create would do it, but
    cheaper: Django's adapters look the time zone up for each value, which at millions of
    rows costs more than the insert. JSON values come as tuples and are encoded once each."""
    sqlite = connection.vendor == "sqlite"
    if isinstance(column, models.JSONField):
        known: dict[tuple[Any, ...], Any] = {}
        encoder = column.encoder

        def adapt_json(value: tuple[Any, ...]) -> Any:
            found = known.get(value)
            if found is None:
                found = known[value] = connection.ops.adapt_json_value(list(value), encoder)
            return found

        return adapt_json
    if isinstance(column, models.DateTimeField):
        # SQLite keeps naive UTC text; psycopg sends aware datetimes as they are.
        return _utc_text if sqlite else None
    if isinstance(column, models.DateField):
        return date.isoformat if sqlite else None
    return None


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


@dataclass(frozen=True)
class Place:
    community_id: int
    facilitator_id: int
    latitude: float
    longitude: float
    mine_site_ids: tuple[int, ...]
    school_ids: tuple[int, ...]

    @property
    def mining(self) -> bool:
        return bool(self.mine_site_ids)


@dataclass
class ScaleMonitoring:
    """Everything one run shares: tables, pools, the engine's verdicts, the places."""

    context: ScaleContext
    rng: random.Random
    places: list[Place]
    tasks: dict[str, int]
    start: datetime
    classifier: rows.Classifier = field(default_factory=rows.Classifier)
    tokens: TokenPool = field(default_factory=TokenPool)
    person_hash: HashPool = field(default_factory=lambda: HashPool(head_name_hash))
    child_hash: HashPool = field(default_factory=lambda: HashPool(child_name_hash))
    first_hash: HashPool = field(default_factory=lambda: HashPool(first_name_hash))
    phones: list[str] = field(default_factory=list)
    locations: dict[tuple[int, int], str] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    households_done: int = 0
    # The programme's time zone, for visit dates (timezone.localtime looks it up each time).
    zone: tzinfo = field(default_factory=timezone.get_default_timezone)

    # 08:00 in the programme's time zone, in seconds after the start of the history.
    opening: float = 0.0

    def __post_init__(self) -> None:
        offset = self.start.astimezone(self.zone).utcoffset() or timedelta(0)
        self.opening = (timedelta(hours=8) - offset).total_seconds()

    def moment(self, day: int) -> datetime:
        """Working hours (08:00 to 16:00 local) on day `day` of the history (0 is the
        first, HISTORY_DAYS - 1 the day before the seed)."""
        return self.start + timedelta(days=day, seconds=self.opening + self.rng.random() * 28800)

    def stamp(self, moment: datetime) -> Any:
        """A moment as the database takes it: naive UTC text for SQLite, as it is otherwise."""
        return _utc_text(moment) if connection.vendor == "sqlite" else moment


_TABLES: tuple[tuple[str, type[models.Model], tuple[str, ...]], ...] = (
    ("households", Household, (
        "code", "area", "head_name", "head_name_hash", "phone", "location", "members_count",
        "income_sources", "mining_dependence", "school_cost_burden", "created_by", "created_at",
        "updated_at",
    )),
    ("caregivers", Caregiver, ("household", "name", "relationship", "phone", "is_head")),
    ("children", Child, (
        "code", "household", "first_name", "last_name", "name_hash", "first_name_hash", "sex",
        "birth_date", "birth_date_is_estimated", "age_evidence", "age_confidence",
        "duplicate_key", "created_by", "created_at", "updated_at",
    )),
    ("consents", Consent, (
        "child", "kind", "purpose", "given", "caregiver", "obtained_by", "obtained_on", "notes",
        "recorded_at",
    )),
    ("visits", Visit, (
        "kind", "visited_on", "facilitator", "area", "household", "site", "source",
        "form_version", "notes", "created_at",
    )),
    ("observations", Observation, (
        "visit", "child", "age_at_visit", "household_chores_hours", "school_status",
        "worst_forms", "immediate_danger", "notes", "category", "reasons", "ruleset",
        "classified_at",
    )),
    ("activities", Activity, (
        "observation", "task", "sector", "hours_per_week", "hazards", "night",
    )),
    ("identifications", Identification, (
        "child", "first_observation", "latest_observation", "category", "urgency",
        "identified_at", "deadline_at", "status", "area",
    )),
)  # fmt: skip


TABLE_MODELS = tuple(model for _label, model, _fields in _TABLES)

# Moments a visit and its observations share, converted once per visit (run.stamp).
_PREPARED = {
    "visits": frozenset({"created_at"}),
    "observations": frozenset({"classified_at"}),
}


def scale_monitoring(context: ScaleContext) -> None:
    """Households, children, consent, visits, observations, activities, identifications."""
    plan = context.plan
    run = ScaleMonitoring(
        context=context,
        rng=random.Random(f"kinga-scale-monitoring:{plan.children}"),  # noqa: S311 — fake data
        places=_places(context),
        tasks=dict(Task.objects.values_list("code", "id")),
        start=context.history_ends - timedelta(days=HISTORY_DAYS),
    )
    run.phones = [rows.phone_number(run.rng) for _ in range(PHONE_POOL)]
    run.tables = {
        label: Table(model, fields, label, _PREPARED.get(label, frozenset()))
        for label, model, fields in _TABLES
    }
    if connection.vendor == "sqlite":
        # The keyed hashes are random, so their index pages are written all over the file; a
        # 256 MB page cache for this connection keeps them in memory at a million children.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    # Twice as many households where there is a mine (cumulative: one bisect per draw).
    weights = list(accumulate(2 if place.mining else 1 for place in run.places))
    started = last_print = time.monotonic()
    written = children = 0
    while children < plan.children:
        place = run.rng.choices(run.places, cum_weights=weights)[0]
        size = min(rows.children_in_household(run.rng), plan.children - children)
        children += size
        _household(run, place, size)
        if sum(len(table.pending) for table in run.tables.values()) >= CHUNK_ROWS:
            written += _flush(run)
            now = time.monotonic()
            if now - last_print >= 2:
                last_print = now
                _report(context, children, written, now - started)
    written += _flush(run)
    _move_sequences()
    rows.refresh_statistics()
    _report(context, children, written, time.monotonic() - started)
    for table in run.tables.values():
        context.created[table.label] += table.written


def _report(context: ScaleContext, children: int, written: int, elapsed: float) -> None:
    context.write(
        f"  monitoring: {children:,}/{context.plan.children:,} children, {written:,} rows "
        f"({written / max(elapsed, 1e-6):,.0f} rows/s)"
    )


def _flush(run: ScaleMonitoring) -> int:
    # Parents before children, in one transaction: a chunk is all there or not at all.
    with transaction.atomic(), connection.cursor() as cursor:
        return sum(table.flush(cursor) for table in run.tables.values())


def _move_sequences() -> None:
    """Ids were given here: move each table's id sequence past them (PostgreSQL only;
    SQLite's AUTOINCREMENT already follows the largest id inserted)."""
    models_written = [model for _label, model, _fields in _TABLES]
    statements = connection.ops.sequence_reset_sql(no_style(), models_written)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _places(context: ScaleContext) -> list[Place]:
    """Each generated community with its facilitator and the mine sites and schools in it."""
    from core.seeding.scale import CODE_PREFIX  # scale.py imports this module

    facilitators = dict(
        RoleAssignment.objects.filter(
            role=Role.FACILITATOR, areas__code__startswith=f"{CODE_PREFIX}VIL-"
        ).values_list("areas__id", "user_id")
    )
    mines: dict[int, list[int]] = defaultdict(list)
    schools: dict[int, list[int]] = defaultdict(list)
    for site_id, area_id, kind in Site.objects.filter(
        code__startswith=f"{CODE_PREFIX}SITE-"
    ).values_list("id", "area_id", "kind"):
        if kind == SiteKind.ARTISANAL_MINE:
            mines[area_id].append(site_id)
        elif kind == SiteKind.SCHOOL:
            schools[area_id].append(site_id)
    return [
        Place(
            community_id=community.id,
            facilitator_id=facilitators[community.id],
            latitude=community.latitude,
            longitude=community.longitude,
            mine_site_ids=tuple(mines[community.id]),
            school_ids=tuple(schools[community.id]),
        )
        for community in context.communities
    ]


@dataclass
class _Child:
    id: int
    birth_date: date
    sex: str
    works: bool
    habit: rows.WorkHabit | None
    school: str
    chores: Decimal
    # The child's usual weeks (a week without work, then WEEK_VARIANTS weeks of work) and the
    # engine's verdict on each by age: a child's weeks repeat from visit to visit, and drawing
    # and classifying each one anew would take a third of the run.
    weeks: list[rows.WorkFacts] = field(default_factory=list)
    verdicts: dict[tuple[int, int, MetAt | None], rows.Verdict] = field(default_factory=dict)


def _household(run: ScaleMonitoring, place: Place, size: int) -> None:
    rng, tables, tokens = run.rng, run.tables, run.tokens
    run.households_done += 1
    number = run.households_done
    registered_day = int(rng.random() * HISTORY_DAYS * 0.7)
    registered_at = run.moment(registered_day)
    family = rng.choice(rows.FAMILY_NAMES)
    head_is_woman = rng.random() < 0.35
    adult_names = rows.ADULT_FEMALE_NAMES if head_is_woman else rows.ADULT_MALE_NAMES
    head = rows.full_name(rng.choice(adult_names), family)
    phone = rng.choice(run.phones) if rng.random() < 0.65 else ""
    livelihood = rows.livelihood(rng, mining_community=place.mining)
    second_caregiver = rng.random() < 0.6
    household_id = tables["households"].add(
        f"S-HH-{number:08d}",
        place.community_id,
        tokens(head),
        run.person_hash(head),
        tokens(phone),
        _location(run, place),
        size + 1 + second_caregiver + rng.randint(0, 3),
        livelihood.income_sources,
        livelihood.mining_dependence,
        livelihood.school_cost_burden,
        place.facilitator_id,
        registered_at,
        registered_at,
    )
    head_relationship = Relationship.MOTHER if head_is_woman else Relationship.FATHER
    head_id = tables["caregivers"].add(
        household_id, tokens(head), head_relationship, tokens(phone), True
    )
    if second_caregiver:
        other_names = rows.ADULT_MALE_NAMES if head_is_woman else rows.ADULT_FEMALE_NAMES
        other = rows.full_name(rng.choice(other_names), rng.choice(rows.FAMILY_NAMES))
        relationship = Relationship.FATHER if head_is_woman else Relationship.MOTHER
        tables["caregivers"].add(household_id, tokens(other), relationship, "", False)
    consent = rng.random() >= CONSENT_REFUSED_SHARE
    children = [
        _child(
            run,
            place,
            household_id=household_id,
            head_id=head_id,
            family=family,
            consent=consent,
            registered_at=registered_at,
        )
        for _ in range(size)
    ]
    _visits(run, place, household_id, children, registered_at=registered_at, day=registered_day)


def _location(run: ScaleMonitoring, place: Place) -> str:
    """The encrypted location of a dwelling: one of a few points per community, so that their
    ciphertexts can be pooled like the names; a fifth of households have none."""
    rng = run.rng
    if rng.random() >= 0.8:
        return ""
    key = (place.community_id, rng.randrange(LOCATIONS_PER_COMMUNITY))
    token = run.locations.get(key)
    if token is None:
        point = rows.location_near(rng, place.latitude, place.longitude)
        token = run.locations[key] = run.tokens(point)
    return token


def _child(
    run: ScaleMonitoring,
    place: Place,
    *,
    household_id: int,
    head_id: int,
    family: str,
    consent: bool,
    registered_at: datetime,
) -> _Child:
    rng, tokens = run.rng, run.tokens
    sex = Sex.FEMALE if rng.random() < 0.5 else Sex.MALE
    first = rng.choice(rows.FEMALE_FIRST_NAMES if sex == Sex.FEMALE else rows.MALE_FIRST_NAMES)
    last = (family if rng.random() < 0.7 else rng.choice(rows.FAMILY_NAMES)) if consent else ""
    on = registered_at.astimezone(run.zone).date()
    born, estimated, evidence, confidence = rows.birth_date_for(rng, rows.child_age(rng), on)
    age = rows.age_on(born, on)
    working = rows.works(rng, age, mining_community=place.mining)
    school = rows.school_status(rng, age, working=working)
    habit = None
    if working:
        out = school not in rows.ENROLLED or school == SchoolStatus.ENROLLED_NOT_ATTENDING
        habit = rows.work_habit(rng, age, sex, mining_community=place.mining, out_of_school=out)
    tables = run.tables
    child_id = tables["children"].add(
        f"S-CH-{tables['children'].next_id:08d}",
        household_id,
        tokens(first),
        tokens(last),
        run.child_hash(first, last),
        run.first_hash(first),
        sex,
        born,
        estimated,
        evidence,
        confidence,
        # monitoring.services.children.duplicate_key, inlined: building a Household per child
        # to pass it would cost more than the hash (the scale test checks that they agree).
        # It holds the household id, so it is computed for each child, not pooled.
        keyed_hash("child", normalise_name(first), born.isoformat(), str(household_id)),
        place.facilitator_id,
        registered_at,
        registered_at,
    )
    run.context.child_ids.append(child_id)
    consents = tables["consents"]
    consents.add(
        child_id, ConsentKind.CAREGIVER_CONSENT, ConsentPurpose.IDENTIFICATION, consent, head_id,
        place.facilitator_id, on, "", registered_at,
    )  # fmt: skip
    if consent and age >= 12:
        consents.add(
            child_id, ConsentKind.CHILD_ASSENT, ConsentPurpose.IDENTIFICATION, True, None,
            place.facilitator_id, on, "", registered_at,
        )  # fmt: skip
    return _Child(child_id, born, sex, working, habit, school, rows.chores(rng, age, sex))


def _visits(
    run: ScaleMonitoring,
    place: Place,
    household_id: int,
    children: list[_Child],
    *,
    registered_at: datetime,
    day: int,
) -> None:
    """VISITS_PER_CHILD visits per child: the registration visit and a few more of the
    household, the rest of one child each (at the mine site or school of the community when
    there is one, else at home: a follow-up for a working child), on the days after the
    registration."""
    rng = run.rng
    last_day = HISTORY_DAYS - 1
    planned: list[tuple[datetime, str, int | None, list[_Child]]] = [
        (registered_at, VisitKind.HOUSEHOLD, None, children)
    ]
    for _ in range(min(HOUSEHOLD_VISITS, VISITS_PER_CHILD * len(children)) - 1):
        at = run.moment(rng.randint(day + 1, last_day))
        present = [child for child in children if rng.random() < PRESENT_ON_HOUSEHOLD_VISIT]
        planned.append((at, VisitKind.HOUSEHOLD, None, present or [rng.choice(children)]))
    singles = VISITS_PER_CHILD * len(children) - len(planned)
    for _ in range(singles):
        child = rng.choice(children)
        at = run.moment(rng.randint(day + 1, last_day))
        # At home: a follow-up of a working child, or an ordinary household visit.
        kind: str = VisitKind.FOLLOW_UP if child.works else VisitKind.HOUSEHOLD
        site: int | None = None
        if _mines(child) and place.mine_site_ids and rng.random() < 0.7:
            kind, site = VisitKind.SITE, rng.choice(place.mine_site_ids)
        elif child.school in rows.ENROLLED and place.school_ids and rng.random() < 0.6:
            kind, site = VisitKind.SCHOOL, rng.choice(place.school_ids)
        planned.append((at, kind, site, [child]))
    planned.sort(key=lambda visit: visit[0])

    tables = run.tables
    book: rows.IdentificationBook[int, int, int] = rows.IdentificationBook()
    for at, kind, site, seen in planned:
        on = at.astimezone(run.zone).date()
        stamp = run.stamp(at)
        source = rng.choice(_SOURCES)
        visit_id = tables["visits"].add(
            kind, on, place.facilitator_id, place.community_id,
            None if site else household_id, site, source,
            "2025.06" if source == VisitSource.ODK else "", "", stamp,
        )  # fmt: skip
        for child in seen:
            observation_id, verdict, danger = _observation(
                run, child, visit_id=visit_id, kind=kind, on=on, stamp=stamp
            )
            book.observe(
                child=child.id,
                observation=observation_id,
                verdict=verdict,
                immediate_danger=danger,
                at=at,
                area=place.community_id,
            )
    for child_id, found in book.open.items():
        tables["identifications"].add(
            child_id, found.first, found.latest, found.category, found.urgency,
            found.identified_at, found.deadline_at, IdentificationStatus.OPEN, found.area,
        )  # fmt: skip


def _mines(child: _Child) -> bool:
    return child.habit is not None and any(task.sector == "mining" for task in child.habit.tasks)


def _observation(
    run: ScaleMonitoring, child: _Child, *, visit_id: int, kind: str, on: date, stamp: Any
) -> tuple[int, rows.Verdict, bool]:
    rng = run.rng
    age = rows.age_on(child.birth_date, on)
    working = kind == VisitKind.SITE or (
        rng.random() < STILL_WORKING if child.works else age >= 10 and rng.random() < STARTS_WORKING
    )
    if not child.weeks:
        child.weeks.append(rows.WorkFacts(chores_hours=child.chores))
    if working and child.habit is None:  # a child found working for the first time
        child.habit = rows.work_habit(
            rng, age, child.sex, mining_community=False, out_of_school=False
        )
    week = 0
    notes = ""
    if working and child.habit is not None:
        if len(child.weeks) == 1:
            child.weeks += [
                rows.week_of_work(rng, child.habit, chores_hours=child.chores)
                for _ in range(WEEK_VARIANTS)
            ]
        week = rng.randint(1, WEEK_VARIANTS)
        notes = rng.choice(rows.WORK_NOTES)
    facts = child.weeks[week]
    place = MetAt.MINE_SITE if kind == VisitKind.SITE else None  # scale site visits are mines
    verdict = child.verdicts.get((age, week, place))
    if working and rng.random() < WORST_FORMS_SHARE:
        facts = replace(facts, worst_forms=(rng.choice(_WORST_FORMS),), immediate_danger=True)
        verdict = run.classifier.verdict(age, facts, place)
    elif verdict is None:
        verdict = child.verdicts[(age, week, place)] = run.classifier.verdict(age, facts, place)
    observation_id = run.tables["observations"].add(
        visit_id, child.id, age, facts.chores_hours, child.school, facts.worst_forms,
        facts.immediate_danger, notes, verdict.category, verdict.reasons, verdict.ruleset,
        stamp,
    )  # fmt: skip
    activities = run.tables["activities"]
    for fact in facts.activities:
        activities.add(
            observation_id, run.tasks[fact.task_code], fact.sector, fact.hours_per_week,
            fact.hazards, fact.night,
        )  # fmt: skip
    return observation_id, verdict, facts.immediate_danger


def expected_households(children: int) -> int:
    """About how many households `children` children make (for docs and tests)."""
    return math.ceil(children / CHILDREN_PER_HOUSEHOLD)
