from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema
from pydantic import IPvAnyAddress

from audit.actions import Action
from core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class ActorOut(Schema):
    id: int
    username: str


class OrganisationRefOut(Schema):
    id: int
    name: str


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor: ActorOut | None
    actor_organisation: OrganisationRefOut | None
    action: str
    action_label: str
    subject_type: str
    subject_id: str
    changes: dict[str, Any]
    reason: str
    ip_address: str | None
    request_id: str


class AuditEventPageOut(Schema):
    items: list[AuditEventOut]
    next_cursor: str | None


class AuditEventQuery(Schema):
    """The filters of GET /audit-events; all optional, combined with AND."""

    action: Action | None = Field(None, description="An action tag, e.g. user:update.")
    actor: str = Field("", max_length=150, description="The actor's username, exactly.")
    subject_type: str = Field("", max_length=60, description="e.g. accounts.user")
    subject_id: str = Field("", max_length=64)
    date_from: date | None = Field(None, description="From this day (inclusive).")
    date_to: date | None = Field(None, description="Up to this day (inclusive).")
    ip_address: IPvAnyAddress | None = None
    cursor: str | None = Field(None, description="next_cursor of the previous page.")
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
