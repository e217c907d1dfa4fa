"""What each role sees first: their own work, or an empty state that says what to do.

A user with several roles gets one section per role, in the order of the Role enum. Later
modules add their figures to these sections (cases due, visits to do, company indicators).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count

from access.accounts import organisations_visible_to, users_visible_to
from access.audit import audit_events_visible_to
from access.geo import areas_visible_to, sites_visible_to
from access.principal import Principal
from accounts.models import OrganisationType
from accounts.roles import Role
from geo.models import AreaLevel, SiteKind
from monitoring import selectors as monitoring_selectors
from monitoring.desk_selectors import desk_summary
from reports.selectors import home_tiles as report_home_tiles

RECENT_EVENTS = 8


@dataclass
class HomeSection:
    role: Role
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def sections_for(user: Any, principal: Principal) -> list[HomeSection]:
    builders = {
        Role.HUB_ADMIN: _hub_admin,
        Role.PROGRAMME_MANAGER: _programme_manager,
        Role.FACILITATOR: _facilitator,
        Role.CASE_MANAGER: _case_manager,
        Role.CASE_SUPERVISOR: _case_supervisor,
        Role.COMPANY_MEMBER: _company,
        Role.AUDITOR: _auditor,
    }
    sections = []
    for role in Role:
        if principal.has_role(role):
            template = f"core/home/_{role.value}.html"
            sections.append(HomeSection(role, template, builders[role](user, principal)))
    return sections


def _recent_events(user: Any) -> list[Any]:
    return list(audit_events_visible_to(user).select_related("actor")[:RECENT_EVENTS])


def _hub_admin(user: Any, principal: Principal) -> dict[str, Any]:
    return {
        "user_count": users_visible_to(user).filter(is_active=True).count(),
        "organisation_count": organisations_visible_to(user).count(),
        "community_count": areas_visible_to(user).filter(level=AreaLevel.VILLAGE).count(),
        "site_count": sites_visible_to(user).count(),
        "recent_events": _recent_events(user),
        "desk": desk_summary(user),
        "cases_desk": _cases_desk(user),
        "indicators": report_home_tiles(),
    }


def _labelled(
    rows: Iterable[dict[str, Any]], field: str, choices: type[models.TextChoices]
) -> list[dict[str, Any]]:
    """Count rows with the translated label of their stored value (never the raw value)."""
    labels = dict(choices.choices)
    return [{**row, "label": labels.get(row[field], row[field])} for row in rows]


def _programme_manager(user: Any, principal: Principal) -> dict[str, Any]:
    return {
        "organisations_by_type": _labelled(
            organisations_visible_to(user).values("type").annotate(n=Count("id")).order_by("type"),
            "type",
            OrganisationType,
        ),
        "community_count": areas_visible_to(user).filter(level=AreaLevel.VILLAGE).count(),
        "sites_by_kind": _labelled(
            sites_visible_to(user).values("kind").annotate(n=Count("id")).order_by("kind"),
            "kind",
            SiteKind,
        ),
        "desk": desk_summary(user),
        "cases_desk": _cases_desk(user),
        "indicators": report_home_tiles(),
    }


def _facilitator(user: Any, principal: Principal) -> dict[str, Any]:
    communities = (
        areas_visible_to(user)
        .filter(id__in=principal.scoped_area_ids)
        .select_related("parent")
        .annotate(site_count=Count("sites"))
        .order_by("name")
    )
    return {
        "communities": list(communities),
        "household_count": monitoring_selectors.household_count(user),
        "recent_visits": monitoring_selectors.recent_visits(user),
    }


def _cases_desk(user: Any) -> Any:
    from cases.selectors import desk_work

    return desk_work(user)


def _agency(user: Any, principal: Principal) -> dict[str, Any]:
    return {"organisations": list(organisations_visible_to(user).filter(type="agency"))}


def _case_manager(user: Any, principal: Principal) -> dict[str, Any]:
    from cases.selectors import case_manager_work

    return {**_agency(user, principal), "work": case_manager_work(user)}


def _case_supervisor(user: Any, principal: Principal) -> dict[str, Any]:
    from cases.selectors import supervisor_work

    return {**_agency(user, principal), "work": supervisor_work(user)}


def _company(user: Any, principal: Principal) -> dict[str, Any]:
    """A company member's home is their company's portal (counts only, companies/views.py)."""
    from access.companies import own_companies
    from companies.views import portal_context

    return {"portals": [portal_context(user, company) for company in own_companies(user)]}


def _auditor(user: Any, principal: Principal) -> dict[str, Any]:
    return {"recent_events": _recent_events(user)}
