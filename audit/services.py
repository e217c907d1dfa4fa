"""Writing audit events. Every service that changes or reveals data calls record_event."""

from __future__ import annotations

from typing import Any

from django.db import models

from access.principal import primary_organisation_id
from audit import context
from audit.actions import Action
from audit.models import AuditEvent


def record_event(
    *,
    actor: Any,
    action: Action,
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_id: str | int = "",
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event; call it inside the transaction of the write it describes.

    `actor` may be None or anonymous for events such as a failed sign-in.
    """
    request = context.current()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if subject is not None:
        subject_type = subject._meta.label_lower
        subject_id = subject.pk
    return AuditEvent.objects.create(
        actor=user,
        actor_organisation_id=primary_organisation_id(user) if user else None,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        changes=changes or {},
        reason=reason,
        ip_address=request.ip_address,
        user_agent=request.user_agent,
        request_id=request.request_id,
    )


def diff(instance: models.Model, before: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Old and new values of `fields` that changed since `before` (a snapshot taken earlier)."""
    changed: dict[str, Any] = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if old != new:
            changed[name] = {"old": _plain(old), "new": _plain(new)}
    return changed


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
