from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, RoleAssignment, User
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.actions import Action
from audit.models import AuditEvent
from core.seeding.demo_people import HUB_NAME
from core.seeding.scale import ScalePlan
from geo.models import Area, AreaLevel, Site

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "a-demo-password-for-tests"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 for every demo user would slow the suite for nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEMO_PASSWORD = DEMO_PASSWORD


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo():
    seed("--demo")


# One row per role, as the README and the banner promise.
DEMO_USERS = [
    ("demo-admin", Role.HUB_ADMIN, HUB_NAME),
    ("demo-manager", Role.PROGRAMME_MANAGER, HUB_NAME),
    ("demo-facilitator", Role.FACILITATOR, "Action pour l'Enfance de Kolwezi"),
    ("demo-caseworker", Role.CASE_MANAGER, "Tumaini — Protection de l'Enfant"),
    ("demo-caseworker2", Role.CASE_MANAGER, "Centre Ushindi pour l'Enfance"),
    ("demo-supervisor", Role.CASE_SUPERVISOR, "Tumaini — Protection de l'Enfant"),
    ("demo-company", Role.COMPANY_MEMBER, "Aurora Cells GmbH"),
    ("demo-company2", Role.COMPANY_MEMBER, "Meridian Automotive AG"),
    ("demo-auditor", Role.AUDITOR, "Independent Assurance Partners"),
]


def test_demo_creates_each_demo_user_with_role_organisation_and_password(demo):
    for username, role, organisation in DEMO_USERS:
        user = User.objects.get(username=username)
        assignment = RoleAssignment.objects.select_related("organisation").get(user=user)
        assert (assignment.role, assignment.organisation.name) == (role, organisation), username
        assert user.check_password(DEMO_PASSWORD)
        assert TOTPDevice.objects.get(user=user, name="demo").confirmed


def test_demo_builds_the_programme_the_walkthrough_relies_on(demo):
    assert Area.objects.get(code="CD").name == "DR Congo"
    assert Area.objects.filter(level=AreaLevel.VILLAGE).count() >= 40
    assert Site.objects.count() >= 25
    assert Area.objects.filter(name="Bayeke", parent__name="Lubudi").exists()
    assert set(Area.objects.filter(parent__name="Kolwezi").values_list("name", flat=True)) == {
        "Dilala",
        "Manika",
    }
    types = Organisation.objects.values_list("type", flat=True)
    assert list(types).count("agency") == 3
    assert list(types).count("company") == 6
    facilitator = RoleAssignment.objects.get(user__username="demo-facilitator")
    assert facilitator.areas.count() == 6


def test_demo_geography_is_audited_and_summarised_in_one_seed_event(demo):
    assert AuditEvent.objects.filter(action=Action.AREA_CREATE).count() == Area.objects.count()
    assert AuditEvent.objects.filter(action=Action.SITE_CREATE).count() == Site.objects.count()
    summary = AuditEvent.objects.get(action=Action.SYSTEM_SEED)
    assert summary.actor is None
    assert summary.changes["created"]["users"] == User.objects.count()


def test_second_demo_run_creates_nothing_and_says_so(demo):
    counts = {
        model: model.objects.count()
        for model in (Area, Site, Organisation, User, RoleAssignment, TOTPDevice, AuditEvent)
    }
    output = seed("--demo")
    assert "nothing changed" in output
    assert {model: model.objects.count() for model in counts} == counts


def test_demo_facilitator_home_lists_only_their_communities(demo, client_for):
    page = client_for(User.objects.get(username="demo-facilitator")).get("/").content.decode()
    for community in ("Kasulo", "Kanina", "Musompo", "Mwangeji", "Mutoshi", "Kapata"):
        assert community in page
    for elsewhere in ("Tenke", "Kamatanda", "Kisanga"):
        assert elsewhere not in page


def test_another_facilitator_does_not_see_demo_facilitator_communities(demo, client_for):
    user = User.objects.get(username="demo-facilitator-fungurume")
    page = client_for(user).get("/").content.decode()
    assert "Tenke" in page
    assert "Kasulo" not in page


def test_code_printed_by_demo_totp_passes_the_second_factor_page(demo, client):
    response = client.post(
        "/account/login/", {"username": "demo-manager", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/")["Location"].startswith("/account/mfa/verify/")
    out = StringIO()
    call_command("demo_totp", "demo-manager", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6
    assert code.isdigit()
    response = client.post("/account/mfa/verify/", {"code": code, "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_demo_totp_refuses_users_without_a_demo_authenticator(demo):
    with pytest.raises(CommandError, match="no demo authenticator"):
        call_command("demo_totp", "nobody-by-this-name", stdout=StringIO())
    # A device merely named "demo", with a key of its own, is a real authenticator.
    real_user = UserFactory(username="real-facilitator")
    TOTPDevice.objects.create(user=real_user, name="demo", confirmed=True)
    with pytest.raises(CommandError, match="no demo authenticator"):
        call_command("demo_totp", "real-facilitator", stdout=StringIO())


def test_demo_banner_names_users_password_and_how_to_get_a_code(demo):
    out = StringIO()
    call_command("demo_banner", "--url", "http://127.0.0.1:8123", stdout=out)
    banner = out.getvalue()
    assert "http://127.0.0.1:8123" in banner
    assert "demo-caseworker2" in banner
    assert DEMO_PASSWORD in banner
    assert "make totp USER=demo-manager" in banner


def test_demo_banner_before_seeding_says_how_to_seed():
    out = StringIO()
    call_command("demo_banner", stdout=out)
    assert "seed --demo" in out.getvalue()


def test_seed_needs_a_mode_and_a_sensible_scale():
    with pytest.raises(CommandError, match="--demo"):
        seed()
    with pytest.raises(CommandError, match="between 1 and"):
        seed("--scale", "0")
    assert not User.objects.exists()


def test_seed_refuses_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        seed("--demo")
    assert not User.objects.exists()


def test_scale_adds_rows_in_proportion_with_right_paths():
    seed("--scale", "2000")
    plan = ScalePlan.for_children(2000)
    villages = Area.objects.filter(code__startswith="S-VIL-").select_related("parent")
    assert villages.count() == plan.communities == 16
    assert Site.objects.filter(code__startswith="S-").count() == plan.sites == 8
    facilitators = RoleAssignment.objects.filter(
        role=Role.FACILITATOR, user__username__startswith="s-"
    )
    assert facilitators.count() == plan.facilitators == 2
    for village in villages:
        sector = village.parent
        assert sector is not None
        assert sector.parent is not None
        assert village.path == f"{sector.path}{village.pk}/"
        assert sector.path == f"{sector.parent.path}{sector.pk}/"
        assert village.role_assignments.filter(role=Role.FACILITATOR).count() == 1
    # Only generated history carries a request id; the seed's own events have no request.
    history = AuditEvent.objects.exclude(request_id="")
    assert history.count() == plan.audit_events == 4000
    assert history.filter(action=Action.CHILD_VIEW).exclude(reason="").exists()


def test_scale_runs_once_per_database():
    seed("--scale", "2000")
    areas = Area.objects.count()
    with pytest.raises(CommandError, match="already holds scale data"):
        seed("--scale", "2000")
    assert Area.objects.count() == areas
