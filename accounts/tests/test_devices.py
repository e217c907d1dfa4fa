"""Phone credentials: who may create and revoke them, hashed secrets, the console command."""

from __future__ import annotations

import base64
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import DeviceCredential
from accounts.services.devices import (
    device_credential_create,
    device_credential_revoke,
    device_for_credentials,
)
from audit.models import AuditEvent
from core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_a_facilitator_creates_a_credential_for_their_phone(world):
    row, secret = device_credential_create(
        actor=world.facilitator, user=world.facilitator, label="Tecno 12"
    )
    assert row.name.startswith("phone-")
    assert secret not in row.secret_hash
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert device_for_credentials(row.name, secret) == row
    assert device_for_credentials(row.name, secret + "x") is None
    assert AuditEvent.objects.filter(action="device_credential:create").count() == 1


def test_a_hub_admin_creates_one_for_a_facilitator(world):
    row, _secret = device_credential_create(
        actor=world.hub_admin, user=world.facilitator, label="Spare phone"
    )
    assert (row.user, row.created_by) == (world.facilitator, world.hub_admin)


@pytest.mark.parametrize(
    ("actor", "user"),
    [
        ("other_facilitator", "facilitator"),
        ("case_manager", "case_manager"),
        ("hub_admin", "case_manager"),
        ("company_member", "company_member"),
    ],
)
def test_others_are_refused(world, actor, user):
    with pytest.raises(DomainError):
        device_credential_create(
            actor=getattr(world, actor), user=getattr(world, user), label="phone"
        )
    assert not DeviceCredential.objects.exists()


def test_a_label_is_required(world):
    with pytest.raises(DomainError) as error:
        device_credential_create(actor=world.facilitator, user=world.facilitator, label="  ")
    assert error.value.field == "label"


def test_revoked_or_deactivated_credentials_stop_working(world):
    row, secret = device_credential_create(
        actor=world.facilitator, user=world.facilitator, label="phone"
    )
    world.facilitator.is_active = False
    world.facilitator.save()
    assert device_for_credentials(row.name, secret) is None
    world.facilitator.is_active = True
    world.facilitator.save()
    with pytest.raises(DomainError):
        device_credential_revoke(actor=world.other_facilitator, credential=row)
    device_credential_revoke(actor=world.facilitator, credential=row)
    assert device_for_credentials(row.name, secret) is None


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("create_device_credential", *args, stdout=out)
    return out.getvalue().splitlines()


def test_command_prints_name_and_secret_alone_on_the_last_line_and_they_work(world):
    lines = _run("facilitator", "--label", "Tecno 7")
    last = lines[-1]
    name, secret = last.split(":")
    assert all(last not in line for line in lines[:-1])
    assert DeviceCredential.objects.get(name=name).label == "Tecno 7"
    token = base64.b64encode(last.encode()).decode()
    response = Client().get("/collect/formList", headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    assert device_for_credentials(name, secret) is not None


@pytest.mark.parametrize(
    ("username", "message"), [("nobody", "No user"), ("case-manager", "record visits")]
)
def test_command_refuses_unknown_users_and_non_recorders(world, username, message):
    with pytest.raises(CommandError, match=message):
        _run(username, "--label", "phone")
