"""Settings fail fast on bad environment values, and production settings pass Django's checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import Env, ImproperlyConfiguredEnv

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "KINGA_ENV": "production",
    "SECRET_KEY": "x" * 20 + "production-secret-key-for-checks-only" + "y" * 10,
    "ALLOWED_HOSTS": "kinga.example.org",
    "DATABASE_URL": "postgres://kinga@127.0.0.1:5432/kinga",
    "KINGA_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1rZXktZm9yLWNoZWNrcy1vbmx5ISE=",
    "KINGA_HASH_KEY": "production-hash-key-for-checks-only",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KINGA_", "DATABASE_URL"))}
    return subprocess.run(  # noqa: S603 — our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must list"),
        ({"KINGA_ENCRYPTION_KEYS": ""}, "KINGA_ENCRYPTION_KEYS must be set"),
        ({"REDIS_URL": "http://nope"}, "REDIS_URL must start with"),
        ({"KINGA_ENCRYPTION_KEYS": "not-a-key"}, "must be Fernet keys"),
        (
            {"KINGA_SESSION_IDLE_MINUTES": "ten"},
            "KINGA_SESSION_IDLE_MINUTES must be a whole number",
        ),
        ({"KINGA_ENV": "staging"}, "KINGA_ENV must be one of"),
    ],
)
def test_bad_production_environment_stops_start_up(override, message):
    result = _manage("check", env={**PRODUCTION_ENV, **override})
    assert result.returncode != 0
    assert message in result.stderr


def test_env_parsers_name_the_variable():
    env = Env({"N": "-3", "L": "a,,b", "B": "yes"})
    assert env.boolean("B", default=False) is True
    with pytest.raises(ImproperlyConfiguredEnv, match="N must be at least 0"):
        env.integer("N", 5)
    with pytest.raises(ImproperlyConfiguredEnv, match="L has an empty item"):
        env.strings("L", [])
    assert env.strings("MISSING", ["x"]) == ["x"]
