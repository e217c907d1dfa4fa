from __future__ import annotations

import pytest

from accounts.services.tokens import create_api_token, revoke_api_token
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def _token_for(user):
    _row, token = create_api_token(actor=user, name="test", verified=True)
    return token


def test_me_answers_the_token_user(world, client):
    token = _token_for(world.auditor)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert_matches_schema(response, "/api/v1/me")
    body = response.json()
    assert body["username"] == "auditor"
    assert body["roles"] == ["auditor"]
    assert "audit:read" in body["permissions"]


def test_missing_or_wrong_token_answers_401_with_challenge(world, client):
    for headers in ({}, {"Authorization": "Bearer kinga_nope_nope"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert_matches_schema(response, "/api/v1/me")


def test_revoked_token_stops_working(world, client):
    row, token = create_api_token(actor=world.auditor, name="laptop", verified=True)
    revoke_api_token(actor=world.auditor, token=row)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_token_is_stored_only_as_a_hash(world):
    row, token = create_api_token(actor=world.auditor, name="laptop", verified=True)
    assert token not in (row.secret_hash, row.prefix)
    assert row.prefix in token


def test_company_member_cannot_get_a_token(world):
    from core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        create_api_token(actor=world.company_member, name="x", verified=True)
    assert refused.value.code == "api_token.not_allowed"


def test_api_responses_are_not_cached(world, client):
    token = _token_for(world.auditor)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert "no-store" in response["Cache-Control"]


def test_a_token_name_longer_than_the_column_is_refused_clearly(world):
    from core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        create_api_token(actor=world.auditor, name="x" * 101, verified=True)
    assert refused.value.field == "name"
