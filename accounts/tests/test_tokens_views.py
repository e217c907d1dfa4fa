"""The API tokens page: own tokens only, the secret shown once, revocation that bites."""

from __future__ import annotations

import re

import pytest

from accounts.models import ApiToken
from accounts.services.tokens import create_api_token
from audit.actions import Action
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

_TOKEN = re.compile(r"kinga_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("persona", ["hub_admin", "programme_manager", "auditor"])
def test_token_holders_see_the_page(world, client_for, persona):
    response = client_for(getattr(world, persona)).get("/account/tokens/")
    assert response.status_code == 200
    assert "You have no token yet" in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    ["facilitator", "case_manager", "supervisor", "company_member", "no_role_user"],
)
def test_roles_without_api_access_get_404(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/account/tokens/").status_code == 404
    assert client.post("/account/tokens/", {"name": "x"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/account/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_menu_shows_api_tokens_only_to_token_holders(world, client_for):
    assert "/account/tokens/" in client_for(world.auditor).get("/").content.decode()
    assert "/account/tokens/" not in client_for(world.company_member).get("/").content.decode()


def test_secret_is_shown_once_then_works_then_revoked_gets_401(world, client_for, client):
    page_client = client_for(world.auditor)
    response = page_client.post("/account/tokens/", {"name": "laptop", "expires_in_days": "30"})
    assert response.status_code == 200
    secrets_shown = _TOKEN.findall(response.content.decode())
    assert len(secrets_shown) == 1
    token = secrets_shown[0]
    row = ApiToken.objects.get(user=world.auditor)
    assert row.name == "laptop"
    assert row.expires_at is not None
    # Not on the next view of the page, even though the token is listed there.
    later = page_client.get("/account/tokens/").content.decode()
    assert token not in later
    assert "laptop" in later
    assert row.prefix in later
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200

    revoke = page_client.post(f"/account/tokens/{row.pk}/revoke/")
    assert revoke.status_code == 302
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert "Revoked" in page_client.get("/account/tokens/").content.decode()
    assert AuditEvent.objects.filter(action=Action.API_TOKEN_REVOKE).exists()


def test_revoke_needs_post_and_confirmation_markup(world, client_for):
    create_api_token(actor=world.auditor, name="laptop", verified=True)
    client = client_for(world.auditor)
    page = client.get("/account/tokens/").content.decode()
    assert "data-confirm=" in page
    row = ApiToken.objects.get()
    assert client.get(f"/account/tokens/{row.pk}/revoke/").status_code == 405


def test_nobody_lists_or_revokes_someone_elses_token(world, client_for, client):
    row, token = create_api_token(actor=world.hub_admin, name="admin laptop", verified=True)
    other = client_for(world.auditor)
    assert "admin laptop" not in other.get("/account/tokens/").content.decode()
    assert other.post(f"/account/tokens/{row.pk}/revoke/").status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200


def test_bad_input_is_refused_on_the_form(world, client_for):
    client = client_for(world.auditor)
    for data in (
        {"name": ""},
        {"name": "x", "expires_in_days": "0"},
        {"name": "x", "expires_in_days": "9999"},
    ):
        response = client.post("/account/tokens/", data)
        assert response.status_code == 200
        assert not _TOKEN.search(response.content.decode())
    assert not ApiToken.objects.exists()


def test_no_token_without_a_verified_second_factor(world, client_for):
    # Programme managers must verify too; an unverified session is sent to do so first.
    client = client_for(world.programme_manager, verified=False)
    response = client.post("/account/tokens/", {"name": "x"})
    assert response.status_code == 302
    assert "/account/mfa/" in response["Location"]
    assert not ApiToken.objects.exists()


def test_a_deactivated_users_token_stops_working(world, client_for, client):
    _row, token = create_api_token(actor=world.auditor, name="laptop", verified=True)
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    client_for(world.hub_admin).post(
        f"/account/admin/users/{world.auditor.pk}/deactivate/", {"reason": "Contract ended"}
    )
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
