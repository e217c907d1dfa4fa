"""Personas shared by every test: one per role, plus the outsiders who must see nothing.

alice-style naming is avoided on purpose: each persona is named for what it is, so a failing
test reads as a sentence ("other_agency_case_manager got 200 on a case").
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT
from accounts.models import OrganisationType, User
from accounts.roles import Role
from accounts.tests.factories import OrganisationFactory, RoleAssignmentFactory, UserFactory
from geo.models import Area, AreaLevel
from geo.tests.factories import make_area

# The `page` fixture (headless Chromium) for browser tests.
pytest_plugins = ["core.tests.browser"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that commits for real (live server, threads) restores migrated data the same way.

    A transactional test empties the database when it ends. With serialized rollback, the
    rows data migrations wrote (the task catalogue, content types) are loaded back; without
    it, Django re-creates content types instead, and the next serialized test then loads
    them a second time and fails with duplicate keys. Mixing the two breaks whichever test
    runs next, so every transactional test uses serialized rollback.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        options = dict(marker.kwargs) if marker else {}
        transactional = options.get("transaction") or "live_server" in getattr(
            item, "fixturenames", ()
        )
        if transactional and not options.get("serialized_rollback"):
            options.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**options), append=False)


@pytest.fixture(autouse=True)
def _english_by_default():
    """A request leaves its language active in the thread; start every test in English."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _background_jobs_inline_and_a_clean_cache(settings):
    """Tests see a job's effect at commit, and no cached value left by another test.

    CI runs the PostgreSQL pass with REDIS_URL set, where jobs would otherwise wait in a
    queue no worker reads, and the shared Redis cache would carry values between tests.
    Tests of the queue itself set TASKS_ALWAYS_INLINE = False.
    """
    from django.core.cache import cache

    settings.TASKS_ALWAYS_INLINE = True
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    """A small programme: two communities, two agencies, a company, and one user per role."""

    country: Area
    province: Area
    village: Area
    other_village: Area
    hub_admin: User
    programme_manager: User
    facilitator: User
    other_facilitator: User
    case_manager: User
    supervisor: User
    other_agency_case_manager: User
    company_member: User
    auditor: User
    no_role_user: User


@pytest.fixture
def world(db) -> World:
    country = make_area("DR Congo", AreaLevel.COUNTRY, code="CD")
    province = make_area("Lualaba", AreaLevel.PROVINCE, country, code="CD-LU")
    territory = make_area("Lubudi", AreaLevel.TERRITORY, province, code="CD-LU-LUB")
    chiefdom = make_area("Bayeke", AreaLevel.CHIEFDOM, territory, code="CD-LU-LUB-BAY")
    village = make_area("Kasulo", AreaLevel.VILLAGE, chiefdom, code="V-KASULO")
    other_village = make_area("Kanina", AreaLevel.VILLAGE, chiefdom, code="V-KANINA")

    hub = OrganisationFactory(name="Child Rights Hub", type=OrganisationType.HUB)
    partner = OrganisationFactory(name="Partner One", type=OrganisationType.PARTNER)
    agency = OrganisationFactory(name="Agency One", type=OrganisationType.AGENCY)
    other_agency = OrganisationFactory(name="Agency Two", type=OrganisationType.AGENCY)
    company = OrganisationFactory(name="Company One", type=OrganisationType.COMPANY)
    verifier = OrganisationFactory(name="Verifier", type=OrganisationType.VERIFIER)

    def person(username: str, role: Role, organisation, areas=None) -> User:
        assignment = RoleAssignmentFactory(
            user=UserFactory(username=username),
            role=role,
            organisation=organisation,
            areas=areas or [],
        )
        return assignment.user

    return World(
        country=country,
        province=province,
        village=village,
        other_village=other_village,
        hub_admin=person("hub-admin", Role.HUB_ADMIN, hub),
        programme_manager=person("programme-manager", Role.PROGRAMME_MANAGER, hub),
        facilitator=person("facilitator", Role.FACILITATOR, partner, [village]),
        other_facilitator=person("other-facilitator", Role.FACILITATOR, partner, [other_village]),
        case_manager=person("case-manager", Role.CASE_MANAGER, agency),
        supervisor=person("supervisor", Role.CASE_SUPERVISOR, agency),
        other_agency_case_manager=person("other-agency-cm", Role.CASE_MANAGER, other_agency),
        company_member=person("company-member", Role.COMPANY_MEMBER, company),
        auditor=person("auditor", Role.AUDITOR, verifier),
        no_role_user=UserFactory(username="no-role"),
    )


def sign_in(client: Client, user: User, *, verified: bool = True) -> Client:
    """Sign `user` in as the login view would, with the second factor proved if `verified`."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session[SESSION_AUTH_AT] = now
    session[SESSION_SEEN_AT] = now
    if verified:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="test", defaults={"confirmed": True}
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(client):
    """`client_for(user)` signs in a fresh client; `client_for(None)` stays anonymous."""

    def make(user: User | None, *, verified: bool = True) -> Client:
        fresh = Client()
        return fresh if user is None else sign_in(fresh, user, verified=verified)

    return make
