"""The audit log viewer: hub administrators and auditors read it; everyone else gets 404."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from access.principal import principal_for
from accounts.roles import Permission
from audit.forms import AuditFilterForm
from audit.models import AuditEvent
from audit.selectors import action_label, read_audit_events
from core.pagination import requested_page


@dataclass(frozen=True)
class Change:
    field: str
    old: str | None
    new: str
    is_update: bool  # an old → new pair, rather than a value recorded at creation


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    label: str
    changes: list[Change]


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _changes(changes: Any) -> list[Change]:
    if not isinstance(changes, dict):
        return [Change(field="", old=None, new=_text(changes), is_update=False)]
    rows = []
    for field, value in changes.items():
        if isinstance(value, dict) and set(value) == {"old", "new"}:
            rows.append(Change(field, _text(value["old"]), _text(value["new"]), True))
        else:
            rows.append(Change(field, None, _text(value), False))
    return rows


def _row(event: AuditEvent) -> EventRow:
    return EventRow(event=event, label=action_label(event.action), changes=_changes(event.changes))


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    if not principal_for(request.user).has(Permission.AUDIT_READ):
        raise Http404("No such page")
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    page, first_page = requested_page(
        request, lambda cursor: read_audit_events(request.user, filters, cursor=cursor)
    )
    context = {
        "form": form,
        "rows": [_row(event) for event in page.items],
        "page": page,
        "filtered": filters.any,
        "first_page": first_page,
    }
    htmx = getattr(request, "htmx", None)
    fragment = htmx is not None and bool(htmx) and not htmx.boosted
    template = "audit/_event_results.html" if fragment else "audit/event_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # one URL, two bodies
    return response
