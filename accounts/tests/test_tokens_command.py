"""`manage.py create_api_token`: the console operator's way to give a script its token."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_prints_the_token_alone_on_its_last_line_and_it_works(world):
    lines = _run("auditor", "--name", "nightly report", "--days", "7")
    token = lines[-1]
    assert token.startswith("kinga_")
    assert token.strip() == token
    assert " " not in token
    assert all(token not in line for line in lines[:-1])
    row = ApiToken.objects.get(user=world.auditor)
    assert row.name == "nightly report"
    assert row.expires_at is not None
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["username"] == "auditor"


def test_without_options_the_token_has_a_default_name_and_no_expiry(world):
    _run("hub-admin")
    row = ApiToken.objects.get(user=world.hub_admin)
    assert (row.name, row.expires_at) == ("console", None)


def test_unknown_user_is_a_clear_error(world):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        _run("ghost")


def test_role_without_api_access_is_a_clear_error(world):
    with pytest.raises(CommandError, match="Your role cannot use the API"):
        _run("company-member")
    with pytest.raises(CommandError, match="cannot use the API"):
        _run("no-role")
    assert not ApiToken.objects.exists()


def test_deactivated_user_and_bad_days_are_refused(world):
    world.auditor.is_active = False
    world.auditor.save()
    with pytest.raises(CommandError, match="deactivated"):
        _run("auditor")
    with pytest.raises(CommandError, match="--days"):
        _run("hub-admin", "--days", "0")
    with pytest.raises(CommandError, match="--name"):
        _run("hub-admin", "--name", "x" * 101)
    assert not ApiToken.objects.exists()
