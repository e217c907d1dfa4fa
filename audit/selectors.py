"""Reads of the audit log for the viewer page and the API.

The log holds millions of rows, so every filter here lands on an index of AuditEvent:
(action, -id), (subject_type, subject_id, -id), (actor, -id), or occurred_at; pages are keyset
on -id (on -occurred_at, -id for a date range), and the actor and their organisation come in the
same query. Filtering by IP address alone has no index yet and reads the log backwards.

Reading the audit log is itself recorded (`audit:view`, with the filters used), once per search
rather than once per page, so that an auditor's reading can be traced without flooding the log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet, Subquery
from django.utils import timezone

from access.audit import audit_events_visible_to
from access.principal import principal_for
from accounts.models import User
from accounts.roles import Permission
from audit.actions import Action
from audit.models import AuditEvent
from audit.services import record_event
from core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page

EVENT_ORDER = ("-id",)
# With a date range, walk the occurred_at index instead: on -id the database would read every
# event newer than the range before reaching it (seconds on millions of rows).
DATED_EVENT_ORDER = ("-occurred_at", "-id")


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""  # a username, matched exactly
    subject_type: str = ""
    subject_id: str = ""
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    ip_address: str = ""

    @property
    def any(self) -> bool:
        return any(value not in ("", None) for value in asdict(self).values())

    def as_dict(self) -> dict[str, str]:
        """The filters in use, as plain strings, for the audit:view event."""
        return {
            name: value.isoformat() if isinstance(value, date) else str(value)
            for name, value in asdict(self).items()
            if value not in ("", None)
        }


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_events(user: Any, filters: AuditFilters) -> QuerySet[AuditEvent]:
    events = audit_events_visible_to(user).select_related("actor", "actor_organisation")
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        # A scalar subquery, not a join: the planner then walks the (actor, -id) index.
        actor_id = Subquery(User.objects.filter(username=filters.actor.strip()).values("id")[:1])
        events = events.filter(actor_id=actor_id)
    if filters.subject_type:
        events = events.filter(subject_type=filters.subject_type.strip().lower())
    if filters.subject_id:
        events = events.filter(subject_id=filters.subject_id.strip())
    if filters.date_from:
        events = events.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    if filters.ip_address:
        events = events.filter(ip_address=filters.ip_address.strip())
    return events


def read_audit_events(
    user: Any,
    filters: AuditFilters,
    *,
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page[AuditEvent]:
    """One page of the events `user` may read, newest first; the first page is recorded.

    The view event is written after the read, so the page shows the log as it was found.
    """
    order = DATED_EVENT_ORDER if filters.date_from or filters.date_to else EVENT_ORDER
    page = keyset_page(filtered_events(user, filters), order=order, cursor=cursor, size=size)
    if cursor is None and principal_for(user).has(Permission.AUDIT_READ):
        record_event(actor=user, action=Action.AUDIT_VIEW, changes={"filters": filters.as_dict()})
    return page


def action_label(action: str) -> str:
    """The human label of an action tag, in the current language; an unknown tag shows as is."""
    try:
        return str(Action(action).label)
    except ValueError:
        return action
