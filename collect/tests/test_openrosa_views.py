"""The submission endpoint through Django's test client: its cost, HTTPS and bad credentials.

The Collect-style suite (test_openrosa_phone.py) talks real HTTP to a running server; these
tests need settings and query counts of the request itself, so they use the test client.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services.devices import device_credential_create
from audit.models import AuditEvent
from collect.models import Submission
from collect.openrosa.client import household_visit_xml, multipart, new_instance_id
from collect.openrosa.xlsform_spec import VERSIONS

pytestmark = pytest.mark.django_db
URL = "/collect/submission"


@pytest.fixture
def credentials(world):
    row, secret = device_credential_create(
        actor=world.facilitator, user=world.facilitator, label="phone"
    )
    return row.name, secret


def _post(
    client: Client, world, credentials: tuple[str, str], *, secure: bool = False, **extra: Any
):
    xml = household_visit_xml(
        community=world.village.code,
        instance_id=new_instance_id(),
        version=VERSIONS["kinga_household_visit"],
        visited_on=timezone.localdate().isoformat(),
    )
    body, content_type = multipart(xml, {})
    token = base64.b64encode(":".join(credentials).encode()).decode()
    return client.generic(
        "POST",
        URL,
        body,
        content_type=content_type,
        secure=secure,
        HTTP_AUTHORIZATION=f"Basic {token}",
        **extra,
    )


def test_a_submission_costs_three_statements_and_its_audit_names_the_organisation(
    world, credentials, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=False):
        assert _post(client, world, credentials).status_code == 201  # also stamps last use
    # Device with its owner's organisation, the submission, the audit row; plus the savepoint
    # and its release that this test's own transaction turns the service's transaction into.
    with (
        django_capture_on_commit_callbacks(execute=False) as queued,
        django_assert_max_num_queries(5),
    ):
        assert _post(client, world, credentials).status_code == 201
    assert len(queued) == 1  # processing waits for the commit
    event = AuditEvent.objects.filter(action="submission:receive").first()
    assert event is not None
    assert event.actor == world.facilitator
    assert event.actor_organisation is not None
    assert event.actor_organisation.name == "Partner One"


def test_a_person_without_a_phone_credential_stores_nothing(world, credentials):
    name, _secret = credentials
    reply = _post(Client(), world, (name, "guessed"))
    assert reply.status_code == 401
    assert reply["WWW-Authenticate"].startswith('Basic realm="Kinga"')
    assert Submission.objects.count() == 0


@pytest.fixture
def local_cache(settings):
    """Counters in process memory, whose clock the tests can move (Redis keeps its own)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


def _lockouts() -> int:
    return AuditEvent.objects.filter(action="device_credential:lockout").count()


def test_repeated_bad_secrets_pause_guesses_at_that_name_never_the_real_phone(
    world, credentials, settings, local_cache, monkeypatch
):
    settings.KINGA_COLLECT_FAILURE_LIMIT = 3
    settings.KINGA_COLLECT_COOLOFF_MINUTES = 15
    name, secret = credentials
    client = Client()
    for _attempt in range(3):
        assert _post(client, world, (name, "guessed")).status_code == 401
    # Locked: more guesses are refused without a check, and nothing is stored.
    for _attempt in range(4):
        reply = _post(client, world, (name, "guessed again"))
        assert reply.status_code == 429
    assert 0 < int(reply["Retry-After"]) <= 15 * 60
    assert "15 minutes" in reply.content.decode()
    assert Submission.objects.count() == 0
    assert _lockouts() == 1  # once per lockout, not once per attempt
    # Whoever guessed the name cannot keep the real phone out: its right secret gets through.
    assert _post(client, world, (name, secret)).status_code == 201
    assert _post(client, world, (name, "guessed")).status_code == 429
    other, other_secret = device_credential_create(
        actor=world.other_facilitator, user=world.other_facilitator, label="phone"
    )
    assert _post(client, world, (other.name, other_secret)).status_code == 201  # same network
    later = time.time() + 16 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert _post(client, world, (name, "guessed")).status_code == 401  # the cool-down ended


def test_many_bad_names_from_one_address_pause_guesses_from_that_address_only(
    world, credentials, settings, local_cache
):
    settings.KINGA_COLLECT_IP_FAILURE_LIMIT = 3
    client = Client()
    for number in range(3):
        guess = (f"phone-guess{number}", "x")
        assert _post(client, world, guess, REMOTE_ADDR="10.1.1.1").status_code == 401
    assert _post(client, world, ("phone-guess9", "x"), REMOTE_ADDR="10.1.1.1").status_code == 429
    assert _post(client, world, ("phone-guess9", "x"), REMOTE_ADDR="10.1.1.2").status_code == 401
    # The field office's real phones behind that address keep sending.
    assert _post(client, world, credentials, REMOTE_ADDR="10.1.1.1").status_code == 201
    assert _lockouts() == 1


def test_a_phone_without_credentials_is_challenged_not_counted(world, settings, local_cache):
    settings.KINGA_COLLECT_IP_FAILURE_LIMIT = 1
    client = Client()
    for _attempt in range(3):  # Collect's first request of every exchange carries none
        assert client.get("/collect/formList").status_code == 401
    assert _lockouts() == 0


def test_plain_http_is_refused_with_a_message_when_https_is_required(world, credentials, settings):
    settings.KINGA_COLLECT_REQUIRE_HTTPS = True
    settings.SECURE_SSL_REDIRECT = True
    reply = _post(Client(), world, credentials)
    # The phone's own refusal (Collect shows it), not a redirect it would follow without its form.
    assert reply.status_code == 403
    assert "https://" in reply.content.decode()
    assert Submission.objects.count() == 0
    assert _post(Client(), world, credentials, secure=True).status_code == 201
    assert Client().get("/accounts/login/").status_code == 301  # web pages still redirect


def test_production_refuses_to_start_with_phones_on_plain_http():
    from config.tests.test_settings import PRODUCTION_ENV, _manage

    result = _manage("check", env={**PRODUCTION_ENV, "KINGA_COLLECT_REQUIRE_HTTPS": "0"})
    assert result.returncode != 0
    assert "KINGA_COLLECT_REQUIRE_HTTPS cannot be off in production" in result.stderr
