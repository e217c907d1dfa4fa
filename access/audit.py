"""Visibility of the audit log: hub administrators and auditors read all of it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from access.principal import principal_for
from accounts.roles import Permission
from audit.models import AuditEvent


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    if not principal_for(user).has(Permission.AUDIT_READ):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()
