"""The submission endpoint through Django's test client: its cost, HTTPS and bad credentials.

The Collect-style suite (test_openrosa_phone.py) talks real HTTP to a running server; these
tests need settings and query counts of the request itself, so they use the test client.
"""

from __future__ import annotations

import base64

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
    client: Client, world, credentials: tuple[str, str], *, secure: bool = False, **extra: str
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
    assert (event.actor, event.actor_organisation.name) == (world.facilitator, "Partner One")


def test_a_person_without_a_phone_credential_stores_nothing(world, credentials):
    name, _secret = credentials
    reply = _post(Client(), world, (name, "guessed"))
    assert reply.status_code == 401
    assert reply["WWW-Authenticate"].startswith('Basic realm="Kinga"')
    assert Submission.objects.count() == 0
