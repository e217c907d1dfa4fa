"""Pages of the monitoring module for facilitators and programme staff.

Deny by default: a user without the read permission gets 404 on every page here, and a record
outside the user's communities answers 404 like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from access.principal import principal_for
from accounts.roles import Permission
from monitoring import selectors
from monitoring.choices import CATEGORY_CHOICES, HAZARD_LABELS, WORST_FORM_LABELS, SchoolStatus
from monitoring.models import Child, Observation


def require_any(request: HttpRequest, *permissions: Permission) -> None:
    principal = principal_for(request.user)
    if not any(principal.has(permission) for permission in permissions):
        raise Http404("No such page")


def is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)  # set by django-htmx's middleware
    return htmx is not None and bool(htmx) and not htmx.boosted


def render_list(
    request: HttpRequest, page: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    """The full list page, or only its results for an htmx search."""
    response = render(request, fragment if is_htmx(request) else page, context)
    # The same URL answers a full page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass(frozen=True)
class ChildRow:
    """A child as a list shows it: labels in the user's language, age today."""

    child: Child
    age: int
    category: str
    category_label: str
    school_status_label: str


def child_rows(children: Iterable[Child]) -> list[ChildRow]:
    """Rows for children annotated by `selectors.with_latest_observation`."""
    today = timezone.localdate()
    categories = dict(CATEGORY_CHOICES)
    schools = dict(SchoolStatus.choices)
    rows = []
    for child in children:
        category = getattr(child, "latest_category", None) or ""
        school = getattr(child, "latest_school_status", None) or ""
        rows.append(
            ChildRow(
                child=child,
                age=child.age_on(today),
                category=category,
                category_label=str(categories.get(category, "")),
                school_status_label=str(schools.get(school, "")),
            )
        )
    return rows


@dataclass(frozen=True)
class ActivityView:
    task: str
    hours_per_week: Decimal
    hazards: list[str]
    night: bool


@dataclass(frozen=True)
class ObservationView:
    """A stored observation with every code turned into words of the user's language."""

    observation: Observation
    category_label: str
    school_status_label: str
    reasons: list[selectors.Reason]
    activities: list[ActivityView]
    worst_forms: list[str]


def observation_view(observation: Observation, language: str) -> ObservationView:
    """Needs the observation's activities prefetched with their tasks."""
    hazards = {member.value: label for member, label in HAZARD_LABELS.items()}
    worst_forms = {member.value: label for member, label in WORST_FORM_LABELS.items()}
    return ObservationView(
        observation=observation,
        category_label=str(dict(CATEGORY_CHOICES).get(observation.category, "")),
        school_status_label=str(dict(SchoolStatus.choices).get(observation.school_status, "")),
        reasons=selectors.explain_reasons(observation.ruleset, observation.reasons, language),
        activities=[
            ActivityView(
                task=activity.task.label(language),
                hours_per_week=activity.hours_per_week,
                hazards=[str(hazards.get(tag, tag)) for tag in activity.hazards],
                night=activity.night,
            )
            for activity in observation.activities.all()
        ],
        worst_forms=[str(worst_forms.get(form, form)) for form in observation.worst_forms],
    )
