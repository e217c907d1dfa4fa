"""Personal API tokens: `kinga_<prefix>_<secret>`, stored as a SHA-256 of the whole token.

Tokens carry 256 bits of randomness, so a fast hash is safe and lookups stay one indexed read.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.models import ApiToken, User
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from core.errors import DomainError

TOKEN_PREFIX = "kinga_"  # noqa: S105 — a public marker, not a secret
# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
_LAST_USED_RESOLUTION_SECONDS = 60


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_api_token(
    *, actor: User, name: str, expires_at: datetime | None = None, verified: bool
) -> tuple[ApiToken, str]:
    """Create a token for `actor`; returns the row and the secret, which is never stored.

    `verified` says the caller proved a second factor (web) or is an operator at the server
    console (management command); without it no token is issued.
    """
    if not principal_for(actor).has(Permission.API_TOKEN_CREATE):
        raise DomainError("api_token.not_allowed", _("Your role cannot use the API."))
    if not verified:
        raise DomainError("api_token.mfa_required", _("Verify your second factor first."))
    name = name.strip()
    if not name:
        raise DomainError("api_token.name_required", _("Give the token a name."), field="name")
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise DomainError("api_token.name_long", _("The name is too long."), field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(
            "api_token.expiry_past", _("The expiry must be in the future."), field="expires_at"
        )
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        user=actor, name=name, prefix=prefix, secret_hash=_hash(token), expires_at=expires_at
    )
    record_event(actor=actor, action=Action.API_TOKEN_CREATE, subject=row, changes={"name": name})
    return row, token


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(actor=actor, action=Action.API_TOKEN_REVOKE, subject=token)


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(secret_hash=_hash(token), user__is_active=True)
        .first()
    )
    if row is None or not row.is_usable:
        return None
    now = timezone.now()
    if (
        row.last_used_at is None
        or (now - row.last_used_at).total_seconds() > _LAST_USED_RESOLUTION_SECONDS
    ):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
