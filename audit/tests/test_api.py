"""GET /api/v1/audit-events: the same filters as the page, schema-checked, for auditors only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services.tokens import create_api_token
from accounts.tests.factories import UserFactory
from audit.actions import Action
from audit.models import AuditEvent
from audit.services import record_event
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

PATH = "/api/v1/audit-events"


def _headers(user) -> dict[str, str]:
    _row, token = create_api_token(actor=user, name="test", verified=True)
    return {"Authorization": f"Bearer {token}"}


def test_auditor_reads_events_newest_first_with_actor_and_changes(world, client):
    record_event(
        actor=world.hub_admin,
        action=Action.USER_UPDATE,
        subject=world.facilitator,
        changes={"email": {"old": "a@example.org", "new": "b@example.org"}},
        reason="Asked by the person",
    )
    response = client.get(PATH, {"action": "user:update"}, headers=_headers(world.auditor))
    assert response.status_code == 200
    assert_matches_schema(response, PATH)
    body = response.json()
    assert body["next_cursor"] is None
    [event] = body["items"]
    assert event["actor"] == {"id": world.hub_admin.pk, "username": "hub-admin"}
    assert event["actor_organisation"]["name"] == "Child Rights Hub"
    assert event["action_label"] == "User updated"
    assert event["subject_type"] == "accounts.user"
    assert event["subject_id"] == str(world.facilitator.pk)
    assert event["changes"]["email"] == {"old": "a@example.org", "new": "b@example.org"}
    assert event["reason"] == "Asked by the person"


def test_hub_admin_reads_too(world, client):
    response = client.get(PATH, headers=_headers(world.hub_admin))
    assert response.status_code == 200
    assert_matches_schema(response, PATH)


def test_programme_manager_gets_404(world, client):
    # Holds API access but not the audit log: the endpoint does not exist for them.
    response = client.get(PATH, headers=_headers(world.programme_manager))
    assert response.status_code == 404
    assert_matches_schema(response, PATH)
    assert not AuditEvent.objects.filter(action=Action.AUDIT_VIEW).exists()


def test_no_token_or_a_bad_one_answers_401(world, client):
    for headers in ({}, {"Authorization": "Bearer kinga_nope_nope"}):
        response = client.get(PATH, headers=headers)
        assert response.status_code == 401
        assert_matches_schema(response, PATH)


def test_filters_match_the_page(world, client):
    record_event(actor=world.hub_admin, action=Action.USER_UPDATE, subject=world.facilitator)
    record_event(actor=world.facilitator, action=Action.LOGIN)
    headers = _headers(world.auditor)

    def actions(**params):
        response = client.get(PATH, params, headers=headers)
        assert response.status_code == 200, response.json()
        return [item["action"] for item in response.json()["items"]]

    assert actions(actor="facilitator") == ["auth:login"]
    assert actions(subject_type="accounts.user", subject_id=str(world.facilitator.pk)) == [
        "user:update"
    ]
    today = timezone.localdate()
    assert "auth:login" in actions(date_from=today.isoformat(), date_to=today.isoformat())
    assert actions(date_to=(today - timedelta(days=1)).isoformat()) == []
    assert actions(ip_address="192.0.2.1") == []


def test_bad_filters_answer_422_or_400(world, client):
    headers = _headers(world.auditor)
    for params in ({"action": "no:such"}, {"ip_address": "x"}, {"limit": 0}, {"date_from": "soon"}):
        response = client.get(PATH, params, headers=headers)
        assert response.status_code == 422, params
        assert_matches_schema(response, PATH)
    reversed_dates = {"date_from": "2026-02-02", "date_to": "2026-02-01"}
    response = client.get(PATH, reversed_dates, headers=headers)
    assert response.status_code == 400
    assert_matches_schema(response, PATH)
    response = client.get(PATH, {"cursor": "garbage"}, headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "pagination.bad_cursor"


def test_keyset_pages_and_the_view_is_recorded_once_per_search(world, client):
    for _ in range(7):
        record_event(actor=world.facilitator, action=Action.LOGIN)
    headers = _headers(world.auditor)
    params = {"action": "auth:login", "limit": 5}
    first = client.get(PATH, params, headers=headers).json()
    assert len(first["items"]) == 5
    second = client.get(PATH, {**params, "cursor": first["next_cursor"]}, headers=headers)
    assert_matches_schema(second, PATH)
    assert len(second.json()["items"]) == 2
    assert second.json()["next_cursor"] is None
    all_ids = [item["id"] for item in first["items"] + second.json()["items"]]
    assert all_ids == sorted(all_ids, reverse=True)
    views = AuditEvent.objects.filter(action=Action.AUDIT_VIEW, actor=world.auditor)
    assert views.count() == 1
    assert views.get().changes == {"filters": {"action": "auth:login"}}


def test_query_count_does_not_grow_with_events(world, client, django_assert_max_num_queries):
    for number in range(30):
        record_event(actor=UserFactory(username=f"actor-{number}"), action=Action.LOGIN)
    headers = _headers(world.auditor)
    with django_assert_max_num_queries(6):
        response = client.get(PATH, {"limit": 200}, headers=headers)
    assert len(response.json()["items"]) >= 30
