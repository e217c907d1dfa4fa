"""The demo banner prints a phone login for demo-facilitator that really works."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import DeviceCredential
from accounts.roles import Role
from accounts.tests.factories import RoleAssignmentFactory, UserFactory
from core.seeding.demo import DemoContext
from core.seeding.phones_demo import DEMO_PHONE_USERNAME, seed_demo_phone

pytestmark = pytest.mark.django_db


def test_banner_prints_the_server_url_and_a_working_phone_credential(world):
    user = RoleAssignmentFactory(
        user=UserFactory(username=DEMO_PHONE_USERNAME),
        role=Role.FACILITATOR,
        organisation=world.facilitator.role_assignments.get().organisation,
        areas=[world.village],
    ).user
    context = DemoContext(write=lambda _line: None, users={DEMO_PHONE_USERNAME: user})
    seed_demo_phone(context)
    seed_demo_phone(context)  # a second run creates nothing
    assert DeviceCredential.objects.filter(user=user).count() == 1

    out = StringIO()
    call_command("demo_banner", "--url", "http://127.0.0.1:8123", stdout=out)
    banner = out.getvalue()
    assert "Server URL: http://127.0.0.1:8123/collect" in banner
    name = banner.split("Username:")[1].split()[0]
    secret = banner.split("Password:")[-1].split()[0]
    token = base64.b64encode(f"{name}:{secret}".encode()).decode()
    response = Client().get("/collect/formList", headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 200
    manifest = Client().get(
        "/collect/forms/kinga_household_visit/media/communities.csv",
        headers={"Authorization": f"Basic {token}"},
    )
    assert world.village.code in manifest.content.decode()


def test_banner_says_nothing_of_phones_when_the_credential_was_revoked(world):
    user = UserFactory(username=DEMO_PHONE_USERNAME)
    RoleAssignmentFactory(
        user=user,
        role=Role.FACILITATOR,
        organisation=world.facilitator.role_assignments.get().organisation,
    )
    seed_demo_phone(DemoContext(write=lambda _line: None, users={DEMO_PHONE_USERNAME: user}))
    DeviceCredential.objects.update(revoked_at="2026-01-01T00:00:00Z")
    out = StringIO()
    call_command("demo_banner", stdout=out)
    assert "/collect" not in out.getvalue()
