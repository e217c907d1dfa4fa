"""`GET /api/v1/audit-events`: the audit log for auditors' tools, with the viewer's filters.

Without AUDIT_READ the endpoint does not exist for the token's user (404). As on the page,
the first page of each search is itself recorded as an `audit:view` event.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from access.principal import principal_for
from accounts.roles import Permission
from audit.models import AuditEvent
from audit.schemas import AuditEventPageOut, AuditEventQuery
from audit.selectors import AuditFilters, action_label, read_audit_events
from core.errors import DomainError, NotFound
from core.schemas import ErrorOut, ValidationErrorOut

router = Router(tags=["audit"])

_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _event(event: AuditEvent) -> dict[str, Any]:
    actor, organisation = event.actor, event.actor_organisation
    return {
        "id": event.pk,
        "occurred_at": event.occurred_at,
        "actor": {"id": actor.pk, "username": actor.get_username()} if actor else None,
        "actor_organisation": (
            {"id": organisation.pk, "name": organisation.name} if organisation else None
        ),
        "action": event.action,
        "action_label": action_label(event.action),
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "changes": event.changes if isinstance(event.changes, dict) else {"value": event.changes},
        "reason": event.reason,
        "ip_address": event.ip_address,
        "request_id": event.request_id,
    }


@router.get(
    "/audit-events",
    response={200: AuditEventPageOut, **_ERRORS},
    summary="The audit log, newest first",
)
def list_audit_events(request: HttpRequest, query: Query[AuditEventQuery]) -> dict[str, Any]:
    if not principal_for(request.user).has(Permission.AUDIT_READ):
        raise NotFound("endpoint")
    if query.date_from and query.date_to and query.date_to < query.date_from:
        raise DomainError(
            "audit.dates_reversed", _("The end date is before the start date."), field="date_to"
        )
    filters = AuditFilters(
        action=query.action.value if query.action else "",
        actor=query.actor,
        subject_type=query.subject_type,
        subject_id=query.subject_id,
        date_from=query.date_from,
        date_to=query.date_to,
        ip_address=str(query.ip_address) if query.ip_address else "",
    )
    page = read_audit_events(request.user, filters, cursor=query.cursor, size=query.limit)
    return {"items": [_event(event) for event in page.items], "next_cursor": page.next_cursor}
