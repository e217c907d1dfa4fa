from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from core import crypto
from monitoring.models import Household
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db


def _stored_head_name(household_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT head_name FROM monitoring_household WHERE id = %s", [household_id])
        return cursor.fetchone()[0]


@pytest.fixture
def restore_keys(settings):
    original = list(settings.ENCRYPTION_KEYS)
    yield settings
    settings.ENCRYPTION_KEYS = original
    crypto.reset_keys()


def test_rotation_re_encrypts_so_the_old_key_can_be_removed(world, restore_keys):
    household = make_household(world.facilitator, world.village)
    make_child(world.facilitator, household)
    new_key = Fernet.generate_key().decode()
    restore_keys.ENCRYPTION_KEYS = [new_key, *restore_keys.ENCRYPTION_KEYS]
    crypto.reset_keys()
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "monitoring.Household: 1 rows re-encrypted" in out.getvalue()
    assert "monitoring.Child: 1 rows re-encrypted" in out.getvalue()
    restore_keys.ENCRYPTION_KEYS = [new_key]
    crypto.reset_keys()
    assert Household.objects.get(pk=household.pk).head_name == "Kabila Mwamba"


def test_rotation_stops_clearly_when_a_key_is_missing(world, restore_keys):
    household = make_household(world.facilitator, world.village)
    assert _stored_head_name(household.pk)
    restore_keys.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    crypto.reset_keys()
    with pytest.raises(CommandError, match="put the old key back"):
        call_command("rotate_keys", stdout=StringIO())
