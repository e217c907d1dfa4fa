"""The demo programme: a small, realistic, deterministic Lualaba/Haut-Katanga programme.

Every row has a stable key (an area or site code, an organisation name, a username), and each
step creates only the rows whose key is missing, so a second run creates nothing. Geography goes
through the geo services, which audit each area and site; organisations, users and role
assignments are system bootstrap and are written directly, summarised by one `system:seed`
event.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, RoleAssignment, User
from audit.actions import Action
from audit.services import record_event
from core.seeding.cases_demo import seed_cases
from core.seeding.companies_demo import seed_companies
from core.seeding.demo_people import ORGANISATIONS, PEOPLE
from core.seeding.drc_geography import AREAS, BOUNDARIES, SITES
from core.seeding.monitoring_demo import seed_monitoring
from core.seeding.phones_demo import seed_demo_phone
from core.seeding.reports_demo import seed_reports
from core.seeding.totp import DEMO_DEVICE_NAME, demo_totp_key
from geo.models import Area, Site
from geo.services import area_create, area_set_boundary, site_create

# Fixed seed: the demo is the same on every machine and every run.
RANDOM_SEED = "kinga-demo-2026"
# How far (in degrees, about 2 km) a site may sit from the centre of its community.
_SITE_SPREAD = 0.02

Writer = Callable[[str], None]
_AREA_SPECS = {spec.code: spec for spec in AREAS}


@dataclass
class DemoContext:
    """What the steps have found or made so far, by stable key; later steps read it."""

    write: Writer
    created: Counter[str] = field(default_factory=Counter)
    areas: dict[str, Area] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)

    def rng(self, key: str) -> random.Random:
        """A random source for one row, so a row's values do not depend on the rows before it."""
        return random.Random(f"{RANDOM_SEED}:{key}")  # noqa: S311 — fake data, no secret


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[DemoContext], None]


def seed_geography(context: DemoContext) -> None:
    existing = Area.objects.in_bulk([spec.code for spec in AREAS], field_name="code")
    for spec in AREAS:
        area = existing.get(spec.code)
        if area is None:
            parent = context.areas[spec.parent] if spec.parent else None
            area = area_create(
                actor=None, code=spec.code, name=spec.name, level=spec.level, parent=parent
            )
            context.created["areas"] += 1
        outline = BOUNDARIES.get(spec.code)
        if outline is not None and area.boundary is None:
            area = area_set_boundary(actor=None, area=area, boundary=outline)
        context.areas[spec.code] = area


def seed_organisations(context: DemoContext) -> None:
    existing = Organisation.objects.in_bulk(
        [spec.name for spec in ORGANISATIONS], field_name="name"
    )
    for spec in ORGANISATIONS:
        organisation = existing.get(spec.name)
        if organisation is None:
            organisation = Organisation.objects.create(
                name=spec.name, short_name=spec.short_name, type=spec.type, country="CD"
            )
            context.created["organisations"] += 1
        context.organisations[spec.key] = organisation


def seed_people(context: DemoContext) -> None:
    existing = User.objects.in_bulk([spec.username for spec in PEOPLE], field_name="username")
    for spec in PEOPLE:
        user = existing.get(spec.username)
        if user is None:
            user = User(
                username=spec.username,
                full_name=spec.full_name,
                email=f"{spec.username}@demo.kinga.invalid",
                preferred_language=spec.language,
            )
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
            context.created["users"] += 1
        context.users[spec.username] = user
        organisation = context.organisations[spec.organisation]
        assignment, made = RoleAssignment.objects.get_or_create(
            user=user, role=spec.role, organisation=organisation
        )
        if made:
            assignment.areas.set([context.areas[code] for code in spec.communities])
            context.created["role assignments"] += 1


def seed_demo_devices(context: DemoContext) -> None:
    """A confirmed authenticator per demo user, whose codes `demo_totp` can print."""
    have_device = set(
        TOTPDevice.objects.filter(
            user__in=context.users.values(), name=DEMO_DEVICE_NAME
        ).values_list("user_id", flat=True)
    )
    for username, user in context.users.items():
        if user.pk not in have_device:
            TOTPDevice.objects.create(
                user=user, name=DEMO_DEVICE_NAME, key=demo_totp_key(username), confirmed=True
            )
            context.created["authenticators"] += 1


def seed_sites(context: DemoContext) -> None:
    existing = Site.objects.in_bulk([spec.code for spec in SITES], field_name="code")
    for spec in SITES:
        site = existing.get(spec.code)
        if site is None:
            community = _AREA_SPECS[spec.community]
            assert community.latitude is not None
            assert community.longitude is not None
            rng = context.rng(spec.code)
            site = site_create(
                actor=None,
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                area=context.areas[spec.community],
                latitude=_coordinate(community.latitude + rng.uniform(-_SITE_SPREAD, _SITE_SPREAD)),
                longitude=_coordinate(
                    community.longitude + rng.uniform(-_SITE_SPREAD, _SITE_SPREAD)
                ),
                operator=context.organisations[spec.operator] if spec.operator else None,
                operator_name=spec.operator_name,
                status=spec.status,
            )
            context.created["sites"] += 1
        context.sites[spec.code] = site


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


# In dependency order. A module adds its step after the ones whose rows it uses
# (e.g. monitoring: households and children after "sites").
DEMO_STEPS: tuple[DemoStep, ...] = (
    DemoStep("geography", seed_geography),
    DemoStep("organisations", seed_organisations),
    DemoStep("people", seed_people),
    DemoStep("authenticators", seed_demo_devices),
    DemoStep("phone credentials", seed_demo_phone),
    DemoStep("sites", seed_sites),
    DemoStep("monitoring", seed_monitoring),
    DemoStep("cases", seed_cases),
    # After "cases": sponsored cohorts take some of the demo cases (none is fine).
    DemoStep("companies", seed_companies),
    # After "companies": indicator tables, then one issued report per company.
    DemoStep("reports", seed_reports),
)


def run_demo(*, write: Writer) -> DemoContext:
    """Create whatever part of the demo programme is missing, in one transaction."""
    with transaction.atomic():
        context = DemoContext(write=write)
        for step in DEMO_STEPS:
            before = sum(context.created.values())
            step.run(context)
            made = sum(context.created.values()) - before
            write(f"  {step.name}: {made} created" if made else f"  {step.name}: already there")
        if context.created:
            record_event(
                actor=None,
                action=Action.SYSTEM_SEED,
                changes={"mode": "demo", "created": dict(sorted(context.created.items()))},
            )
    return context
