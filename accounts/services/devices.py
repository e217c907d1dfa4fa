"""Credentials for field phones: HTTP Basic name and secret, one pair per phone.

A facilitator creates and revokes the credentials of their own phones; a hub administrator
(DEVICE_CREDENTIAL_MANAGE) those of anyone who records visits. The secret is shown once and
only its SHA-256 is stored; it carries 192 bits of randomness, so a fast hash is safe and a
lookup stays one indexed read by name.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import (
    primary_organisation_subquery,
    principal_for,
    remember_primary_organisation,
)
from accounts.models import DeviceCredential, User
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from core.errors import DomainError

NAME_PREFIX = "phone-"
# Writing last_used_at on every submission would add a write per request; once a minute will do.
_LAST_USED_RESOLUTION_SECONDS = 60


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_manage_devices_of(actor: User, user: User) -> bool:
    """Whether `actor` may create or revoke phone credentials of `user`."""
    if not principal_for(user).has(Permission.VISIT_RECORD):
        return False
    if actor.pk == user.pk:
        return True
    return principal_for(actor).has(Permission.DEVICE_CREDENTIAL_MANAGE)


@transaction.atomic
def device_credential_create(
    *, actor: User, user: User, label: str
) -> tuple[DeviceCredential, str]:
    """A new credential for a phone of `user`; returns the row and the secret (never stored)."""
    if not principal_for(user).has(Permission.VISIT_RECORD):
        raise DomainError(
            "device.not_recorder", _("Only people who record visits can have a phone credential.")
        )
    if not may_manage_devices_of(actor, user):
        raise DomainError("device.not_allowed", _("You cannot create credentials for this user."))
    label = label.strip()
    if not label:
        raise DomainError("device.label_required", _("Give the phone a label."), field="label")
    if len(label) > DeviceCredential._meta.get_field("label").max_length:  # type: ignore[operator]
        raise DomainError("device.label_long", _("The label is too long."), field="label")
    secret = secrets.token_urlsafe(24)
    row = DeviceCredential.objects.create(
        user=user,
        label=label,
        name=f"{NAME_PREFIX}{secrets.token_hex(5)}",
        secret_hash=_hash(secret),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action=Action.DEVICE_CREDENTIAL_CREATE,
        subject=row,
        changes={"user": user.pk, "label": label, "name": row.name},
    )
    return row, secret


@transaction.atomic
def device_credential_revoke(*, actor: User, credential: DeviceCredential) -> None:
    if not may_manage_devices_of(actor, credential.user) and actor.pk != credential.user_id:
        raise DomainError("device.not_allowed", _("You cannot revoke this credential."))
    if credential.revoked_at is not None:
        return
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])
    record_event(
        actor=actor,
        action=Action.DEVICE_CREDENTIAL_REVOKE,
        subject=credential,
        changes={"user": credential.user_id, "name": credential.name},
    )


def device_for_credentials(name: str, secret: str) -> DeviceCredential | None:
    """The usable credential matching `name` and `secret`, with its active user, or None."""
    if not name.startswith(NAME_PREFIX) or not secret:
        return None
    row = (
        DeviceCredential.objects.select_related("user")
        # Every submission's audit row names the owner's organisation: read it in the same query.
        .annotate(owner_organisation_id=primary_organisation_subquery("user"))
        .filter(name=name, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
        return None
    remember_primary_organisation(row.user, row.owner_organisation_id)
    now = timezone.now()
    if (
        row.last_used_at is None
        or (now - row.last_used_at).total_seconds() > _LAST_USED_RESOLUTION_SECONDS
    ):
        DeviceCredential.objects.filter(pk=row.pk).update(last_used_at=now)
    return row
