from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from access.principal import principal_for
from accounts.models import User
from accounts.roles import Permission

pytestmark = pytest.mark.django_db


def test_creates_a_hub_admin_who_can_manage_users(monkeypatch):
    monkeypatch.setenv("KINGA_ADMIN_PASSWORD", "a-long-enough-passphrase")
    out = StringIO()
    call_command("create_hub_admin", "first-admin", "--hub", "Lualaba Hub", stdout=out)
    user = User.objects.get(username="first-admin")
    assert principal_for(user).has(Permission.USER_MANAGE)
    assert user.check_password("a-long-enough-passphrase")
    assert "first-admin created in Lualaba Hub" in out.getvalue()


def test_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("KINGA_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_hub_admin", "first-admin")
    assert not User.objects.filter(username="first-admin").exists()
