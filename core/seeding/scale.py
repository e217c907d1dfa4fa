"""A large programme for benchmarks: `seed --scale N`, sized by N children.

Rows are made with bulk_create in batches, one transaction per batch, without services: the
point is to reach a million-child database in minutes. Area paths are computed here, as the geo
services would. Everything carries the `S-` code prefix (users: `s-`), and the command refuses to
run twice on one database. The demo programme is seeded first (idempotently), so the demo users
can sign in and look at the large programme.

Monitoring's step (core/seeding/monitoring_scale.py: households, children, visits) runs between
"sites" and "audit history" and fills `ScaleContext.child_ids`, which the audit step reads.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType, RoleAssignment, User
from accounts.roles import Role
from audit.actions import Action
from audit.models import AuditEvent
from audit.services import record_event
from core.errors import DomainError
from core.seeding.bulk import BATCH_SIZE, Writer, bulk_load, insert, insert_values
from core.seeding.cases_scale import scale_cases
from core.seeding.demo import DemoContext
from core.seeding.demo_people import PEOPLE
from core.seeding.drc_geography import AREAS
from core.seeding.monitoring_scale import scale_monitoring
from geo.models import Area, AreaLevel, Site, SiteKind, SiteStatus

CODE_PREFIX = "S-"
USERNAME_PREFIX = "s-"
MAX_CHILDREN = 10_000_000
HISTORY_DAYS = 730
# Villages per generated sector; real sectors hold a few dozen.
VILLAGES_PER_SECTOR = 40


@dataclass(frozen=True)
class ScalePlan:
    """How many rows of each kind N children imply (ratios from DESIGN.md's target size)."""

    children: int
    communities: int
    sectors: int
    sites: int
    facilitators: int
    partners: int
    agencies: int
    companies: int
    suppliers: int
    audit_events: int

    @classmethod
    def for_children(cls, children: int) -> ScalePlan:
        communities = max(1, round(children / 125))
        return cls(
            children=children,
            communities=communities,
            sectors=math.ceil(communities / VILLAGES_PER_SECTOR),
            sites=max(1, round(children / 250)),
            facilitators=max(1, round(children / 1000)),
            partners=max(3, children // 20_000),
            agencies=max(3, children // 25_000),
            companies=max(6, children // 10_000),
            suppliers=max(3, children // 5_000),
            audit_events=2 * children,
        )


@dataclass(frozen=True)
class Community:
    id: int
    name: str
    path: str
    latitude: float
    longitude: float


@dataclass
class ScaleContext:
    plan: ScalePlan
    demo: DemoContext
    write: Writer
    rng: random.Random
    # The history ends at the start of today (UTC), so a re-run the same day is identical.
    history_ends: datetime
    created: Counter[str] = field(default_factory=Counter)
    communities: list[Community] = field(default_factory=list)
    site_ids: list[int] = field(default_factory=list)
    organisation_ids: dict[str, list[int]] = field(default_factory=dict)
    # Users by role, and the organisation each acts for (the audit log records it).
    user_ids: dict[Role, list[int]] = field(default_factory=dict)
    user_organisation: dict[int, int] = field(default_factory=dict)
    # Filled by the monitoring step; the audit step reads it (and invents ids without it).
    child_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ScaleStep:
    name: str
    run: Callable[[ScaleContext], None]


# Syllables of Bantu-sounding place names; generated names carry no meaning.
_SYLLABLES = (
    "ka", "mu", "lu", "ki", "tshi", "mwa", "ba", "nga", "ko", "sa", "wa", "ya", "mbe",
    "ndu", "lwa", "shi", "pe", "bu", "ma", "nso", "fu", "ji", "le", "ngo", "ta", "se",
)  # fmt: skip
_GIVEN_NAMES = (
    "Amani", "Bernadette", "Christian", "Dorcas", "Emmanuel", "Furaha", "Gloire", "Henriette",
    "Issa", "Josué", "Kapinga", "Liliane", "Moïse", "Neema", "Olivier", "Prisca", "Rehema",
)  # fmt: skip
_FAMILY_NAMES = (
    "Banza", "Ilunga", "Kabila", "Kalenga", "Kasongo", "Kyungu", "Mbuyi", "Mujinga",
    "Mulumba", "Mwamba", "Ngoy", "Numbi", "Tshibangu", "Umba", "Yav",
)  # fmt: skip


def _place_name(rng: random.Random, taken: set[str]) -> str:
    base = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3)))).capitalize()
    name, number = base, 1
    while name in taken:  # names are unique within a parent area
        number += 1
        name = f"{base} {number}"
    taken.add(name)
    return name


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(_GIVEN_NAMES)} {rng.choice(_FAMILY_NAMES)}"


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def scale_geography(context: ScaleContext) -> None:
    """Sectors spread round-robin over the real territories, villages in the sectors."""
    plan, rng = context.plan, context.rng
    specs = {spec.code: spec for spec in AREAS}
    territories = [area for area in context.demo.areas.values() if area.level == "territory"]
    names_taken: dict[int, set[str]] = {}
    sectors = []
    for number in range(1, plan.sectors + 1):
        territory = territories[(number - 1) % len(territories)]
        name = _place_name(rng, names_taken.setdefault(territory.pk, set()))
        level = AreaLevel.SECTOR if number % 2 else AreaLevel.CHIEFDOM
        sectors.append(
            Area(code=f"{CODE_PREFIX}SEC-{number:05d}", name=name, level=level, parent=territory)
        )
    sectors = insert(context, "sectors", sectors, plan.sectors)
    _set_paths(sectors)

    centres: dict[int, tuple[float, float]] = {}
    for sector in sectors:
        assert sector.parent is not None
        spec = specs[sector.parent.code]
        assert spec.latitude is not None
        assert spec.longitude is not None
        centres[sector.pk] = (
            spec.latitude + rng.uniform(-0.3, 0.3),
            spec.longitude + rng.uniform(-0.3, 0.3),
        )

    def villages() -> Iterator[Area]:
        for number in range(1, plan.communities + 1):
            sector = sectors[(number - 1) // VILLAGES_PER_SECTOR]
            name = _place_name(rng, names_taken.setdefault(sector.pk, set()))
            yield Area(
                code=f"{CODE_PREFIX}VIL-{number:07d}",
                name=name,
                level=AreaLevel.VILLAGE,
                parent=sector,
            )

    communities = insert(context, "communities", villages(), plan.communities)
    _set_paths(communities)
    for village in communities:
        latitude, longitude = centres[village.parent_id]  # type: ignore[index]
        context.communities.append(
            Community(
                id=village.pk,
                name=village.name,
                path=village.path,
                latitude=latitude + rng.uniform(-0.05, 0.05),
                longitude=longitude + rng.uniform(-0.05, 0.05),
            )
        )


def _set_paths(areas: list[Area]) -> None:
    """Materialised paths once ids are known: the parent's path and the area's own id."""
    for area in areas:
        assert area.parent is not None
        area.path = f"{area.parent.path}{area.pk}/"
    for start in range(0, len(areas), BATCH_SIZE):
        with transaction.atomic():
            Area.objects.bulk_update(areas[start : start + BATCH_SIZE], ["path"])


def scale_organisations(context: ScaleContext) -> None:
    plan, rng = context.plan, context.rng
    wanted = (
        (OrganisationType.PARTNER, plan.partners, "Partenaire communautaire"),
        (OrganisationType.AGENCY, plan.agencies, "Agence de protection"),
        (OrganisationType.COMPANY, plan.companies, "Member company"),
        (OrganisationType.SUPPLIER, plan.suppliers, "Comptoir"),
    )
    rows = []
    for kind, count, label in wanted:
        taken: set[str] = set()
        for number in range(1, count + 1):
            place = _place_name(rng, taken)
            rows.append(
                Organisation(
                    name=f"{label} {place} ({CODE_PREFIX}{kind[:3].upper()}-{number:04d})",
                    short_name=f"{CODE_PREFIX}{kind[:3].upper()}{number}",
                    type=kind,
                )
            )
    saved = insert(context, "organisations", rows, len(rows))
    for organisation in saved:
        context.organisation_ids.setdefault(organisation.type, []).append(organisation.pk)


def scale_users(context: ScaleContext) -> None:
    """Facilitators covering every community, agency staff, company members, Hub staff.

    They share one password hash (the demo password, hashed once): hashing per user would take
    most of the run, and they need a password only to be usable in a browser session.
    """
    plan, rng, organisations = context.plan, context.rng, context.organisation_ids
    hub = context.demo.organisations["hub"].pk
    verifier = context.demo.organisations["verifier"].pk
    people: list[tuple[Role, int]] = []
    people += [(Role.FACILITATOR, organisations["partner"][i % plan.partners])
               for i in range(plan.facilitators)]  # fmt: skip
    for agency in organisations["agency"]:
        people += [(Role.CASE_MANAGER, agency)] * 3 + [(Role.CASE_SUPERVISOR, agency)]
    people += [(Role.COMPANY_MEMBER, company) for company in organisations["company"]]
    people += [(Role.PROGRAMME_MANAGER, hub), (Role.PROGRAMME_MANAGER, hub)]
    people += [(Role.AUDITOR, verifier)]

    password = make_password(settings.DEMO_PASSWORD)
    numbers: Counter[Role] = Counter()
    users = []
    for role, _organisation in people:
        numbers[role] += 1
        username = f"{USERNAME_PREFIX}{role.value.replace('_', '-')}-{numbers[role]:05d}"
        users.append(
            User(
                username=username,
                full_name=_person_name(rng),
                email=f"{username}@scale.kinga.invalid",
                password=password,
            )
        )
    users = insert(context, "users", users, len(users))
    assignments = [
        RoleAssignment(user=user, role=role, organisation_id=organisation)
        for user, (role, organisation) in zip(users, people, strict=True)
    ]
    assignments = insert(context, "role assignments", assignments, len(assignments))
    for assignment in assignments:
        context.user_ids.setdefault(Role(assignment.role), []).append(assignment.user_id)
        context.user_organisation[assignment.user_id] = assignment.organisation_id

    # Each facilitator gets a contiguous run of communities, so every community is covered.
    facilitators = [a for a in assignments if a.role == Role.FACILITATOR]
    per_facilitator = math.ceil(len(context.communities) / len(facilitators))
    links = (
        (facilitators[index // per_facilitator].pk, community.id)
        for index, community in enumerate(context.communities)
    )
    insert_values(
        context,
        "community assignments",
        model=RoleAssignment.areas.through,
        fields=("roleassignment", "area"),
        rows=links,
        total=len(context.communities),
    )

    # The demo users act in the history too.
    demo_organisations = {spec.username: spec for spec in PEOPLE}
    for username, user in context.demo.users.items():
        spec = demo_organisations[username]
        context.user_ids.setdefault(spec.role, []).append(user.pk)
        context.user_organisation[user.pk] = context.demo.organisations[spec.organisation].pk


# Kinds in the proportions a mining programme sees; the words name generated sites.
_SITE_KINDS = (
    (SiteKind.ARTISANAL_MINE, 50, "artisanal site"),
    (SiteKind.TRADING_DEPOT, 15, "depot"),
    (SiteKind.PROCESSING_PLANT, 5, "plant"),
    (SiteKind.SCHOOL, 20, "school"),
    (SiteKind.AFTER_SCHOOL_CENTRE, 10, "after-school centre"),
)
_STATUSES = ((SiteStatus.ACTIVE, 85), (SiteStatus.INACTIVE, 10), (SiteStatus.CLOSED, 5))


def scale_sites(context: ScaleContext) -> None:
    plan, rng = context.plan, context.rng
    suppliers = context.organisation_ids["supplier"]
    kinds = [kind for kind, _weight, _word in _SITE_KINDS]
    kind_weights = [weight for _kind, weight, _word in _SITE_KINDS]
    words = {kind: word for kind, _weight, word in _SITE_KINDS}
    statuses = [status for status, _weight in _STATUSES]
    status_weights = [weight for _status, weight in _STATUSES]

    def sites() -> Iterator[Site]:
        for number in range(1, plan.sites + 1):
            community = rng.choice(context.communities)
            kind = rng.choices(kinds, kind_weights)[0]
            operator_id, operator_name = None, ""
            if kind in (SiteKind.TRADING_DEPOT, SiteKind.PROCESSING_PLANT):
                operator_id = rng.choice(suppliers)
            elif kind == SiteKind.ARTISANAL_MINE:
                operator_name = f"Coopérative minière {community.name}"
            yield Site(
                code=f"{CODE_PREFIX}SITE-{number:07d}",
                name=f"{community.name} {words[kind]} {number}",
                kind=kind,
                area_id=community.id,
                latitude=_coordinate(community.latitude + rng.uniform(-0.02, 0.02)),
                longitude=_coordinate(community.longitude + rng.uniform(-0.02, 0.02)),
                operator_id=operator_id,
                operator_name=operator_name,
                status=rng.choices(statuses, status_weights)[0],
            )

    context.site_ids = [site.pk for site in insert(context, "sites", sites(), plan.sites)]


# What people do, and who does it; a child:view is a facilitator or case worker opening a file.
_EVENT_MIX: tuple[tuple[Action, int, tuple[Role, ...]], ...] = (
    (Action.LOGIN, 30, tuple(Role)),
    (Action.MFA_VERIFIED, 15, tuple(Role)),
    (Action.LOGOUT, 10, tuple(Role)),
    (Action.SITE_UPDATE, 10, (Role.PROGRAMME_MANAGER, Role.HUB_ADMIN)),
    (Action.CHILD_VIEW, 30, (Role.FACILITATOR, Role.CASE_MANAGER, Role.CASE_SUPERVISOR)),
    (Action.AUDIT_VIEW, 5, (Role.AUDITOR, Role.HUB_ADMIN)),
)
_AUDIT_FIELDS = (
    "occurred_at", "actor", "actor_organisation", "action", "subject_type", "subject_id",
    "changes", "reason", "ip_address", "user_agent", "request_id",
)  # fmt: skip
_READ_REASONS = ("Follow-up visit", "Case review", "Plan preparation", "Supervision")
_USER_AGENTS = (
    "Mozilla/5.0 (Linux; Android 12; TECNO KG5) Chrome/120.0 Mobile",
    "Mozilla/5.0 (Linux; Android 11; itel A571W) Chrome/118.0 Mobile",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/124.0",
)


def scale_audit_history(context: ScaleContext) -> None:
    """About 2N events over two years, in time order so that ids grow with time as in life."""
    plan, rng = context.plan, context.rng
    actions = [action for action, _weight, _roles in _EVENT_MIX]
    weights = [weight for _action, weight, _roles in _EVENT_MIX]
    actors = {
        action: [user for role in roles for user in context.user_ids.get(role, [])]
        for action, _weight, roles in _EVENT_MIX
    }
    start = context.history_ends - timedelta(days=HISTORY_DAYS)
    span = HISTORY_DAYS * 86400.0
    gap = span / plan.audit_events

    def events() -> Iterator[tuple[Any, ...]]:
        for number in range(plan.audit_events):
            # One event at a random moment of each equal slice: in time order, no pile-up.
            offset = (number + rng.random()) * gap
            action = rng.choices(actions, weights)[0]
            actor = rng.choice(actors[action])
            subject_type, subject_id, changes, reason = "", "", {}, ""
            if action == Action.SITE_UPDATE:
                subject_type, subject_id = "geo.site", str(rng.choice(context.site_ids))
                changes = {"status": {"old": "active", "new": rng.choice(("inactive", "closed"))}}
            elif action == Action.CHILD_VIEW:
                subject_type = "monitoring.child"
                subject_id = str(
                    rng.choice(context.child_ids)
                    if context.child_ids
                    else rng.randint(1, plan.children)
                )
                reason = rng.choice(_READ_REASONS)
            yield (
                start + timedelta(seconds=offset),
                actor,
                context.user_organisation[actor],
                action.value,
                subject_type,
                subject_id,
                changes,
                reason,
                f"198.51.100.{rng.randint(1, 254)}",  # an address range reserved for examples
                rng.choice(_USER_AGENTS),
                f"{rng.getrandbits(64):016x}",
            )

    insert_values(
        context,
        "audit events",
        model=AuditEvent,
        fields=_AUDIT_FIELDS,
        rows=events(),
        total=plan.audit_events,
    )


# In dependency order. Monitoring adds households, children and visits after "sites".
SCALE_STEPS: tuple[ScaleStep, ...] = (
    ScaleStep("geography", scale_geography),
    ScaleStep("organisations", scale_organisations),
    ScaleStep("users", scale_users),
    ScaleStep("sites", scale_sites),
    ScaleStep("monitoring", scale_monitoring),
    ScaleStep("cases", scale_cases),
    ScaleStep("audit history", scale_audit_history),
)


def scale_data_exists() -> bool:
    return (
        Area.objects.filter(code__startswith=CODE_PREFIX).exists()
        or User.objects.filter(username__startswith=USERNAME_PREFIX).exists()
    )


def check_scale_allowed(children: int) -> None:
    """Refuse a size out of range, or a database that already holds scale data."""
    if not 1 <= children <= MAX_CHILDREN:
        raise DomainError(
            "seed.scale_out_of_range",
            _("The scale must be between 1 and %(max)s children.") % {"max": f"{MAX_CHILDREN:,}"},
            field="scale",
        )
    if scale_data_exists():
        raise DomainError(
            "seed.scale_exists",
            _(
                "This database already holds scale data (codes starting with %(prefix)s). "
                "Run --scale on a fresh database: delete it (or point DATABASE_URL at a new "
                "one), run migrate, then seed --scale again."
            )
            % {"prefix": CODE_PREFIX},
        )


# Tables a step fills in bulk: on PostgreSQL their secondary indexes are dropped for the step
# and built again after it (one sort per index instead of millions of random inserts).
def _bulk_tables() -> dict[str, tuple[type[models.Model], ...]]:
    from core.seeding.monitoring_scale import TABLE_MODELS

    return {"monitoring": TABLE_MODELS, "audit history": (AuditEvent,)}


def run_scale(*, children: int, demo: DemoContext, write: Writer) -> ScaleContext:
    """Add a programme of `children` children; refuses if scale data is already there."""
    check_scale_allowed(children)
    context = ScaleContext(
        plan=ScalePlan.for_children(children),
        demo=demo,
        write=write,
        rng=random.Random(f"kinga-scale:{children}"),  # noqa: S311 — fake data, no secret
        history_ends=timezone.now().replace(hour=0, minute=0, second=0, microsecond=0),
    )
    started = time.monotonic()
    bulk_tables = _bulk_tables()
    for step in SCALE_STEPS:
        write(f"{step.name}…")
        with bulk_load(bulk_tables.get(step.name, ()), write):
            step.run(context)
    with transaction.atomic():
        record_event(
            actor=None,
            action=Action.SYSTEM_SEED,
            changes={
                "mode": "scale",
                "children": children,
                "created": dict(sorted(context.created.items())),
            },
        )
    total = sum(context.created.values())
    elapsed = time.monotonic() - started
    write(
        f"Scale data: {total:,} rows in {elapsed:.1f} s ({total / max(elapsed, 1e-6):,.0f} rows/s)"
    )
    return context
