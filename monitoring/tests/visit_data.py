"""POST data of the visit form, built the way a browser sends it (formset prefixes included)."""

from __future__ import annotations

from datetime import date
from typing import Any


def activity(
    task: str = "washing_ore", hours: str = "20", hazards=(), night=False
) -> dict[str, Any]:
    return {"task": task, "hours_per_week": hours, "hazards": list(hazards), "night": night}


def new_child(first_name: str = "Amani", **extra: Any) -> dict[str, Any]:
    return {
        "first_name": first_name,
        "last_name": extra.pop("last_name", "Ilunga"),
        "sex": extra.pop("sex", "female"),
        "birth_date": extra.pop("birth_date", date(2013, 3, 1).isoformat()),
        "age_evidence": extra.pop("age_evidence", "caregiver_report"),
        "age_confidence": extra.pop("age_confidence", "medium"),
        "caregiver_consent": extra.pop("caregiver_consent", "given"),
        "child_assent": extra.pop("child_assent", "given"),
        "school_status": extra.pop("school_status", "not_enrolled"),
        "household_chores_hours": extra.pop("household_chores_hours", "5"),
        **extra,
    }


def existing_child(child, **extra: Any) -> dict[str, Any]:
    return {
        "existing": str(child.pk),
        "school_status": extra.pop("school_status", "attending_regularly"),
        **extra,
    }


def new_household(area, **extra: Any) -> dict[str, Any]:
    return {
        "community": str(area.pk),
        "head_name": extra.pop("head_name", "Kabila Mwamba"),
        "phone": extra.pop("phone", "+243 990 000 001"),
        "members_count": extra.pop("members_count", "6"),
        "income_sources": extra.pop("income_sources", ["artisanal_mining", "petty_trade"]),
        "mining_dependence": extra.pop("mining_dependence", "mainly"),
        "school_cost_burden": extra.pop("school_cost_burden", "heavy"),
        **extra,
    }


def visit_post(
    *,
    household: Any = "new",
    children: list[dict[str, Any]],
    new_household_data: dict[str, Any] | None = None,
    visited_on: str | None = None,
    kind: str = "household",
    action: str = "save",
    **extra: Any,
) -> dict[str, Any]:
    """The flat POST dict; each child dict may carry an "activities" list."""
    data: dict[str, Any] = {
        "kind": kind,
        "visited_on": visited_on or date.today().isoformat(),  # noqa: DTZ011 — form default
        "household": household if isinstance(household, str) else str(household.pk),
        "children-TOTAL_FORMS": str(len(children)),
        "children-INITIAL_FORMS": "0",
        action: "1",
        **extra,
    }
    for name, value in (new_household_data or {}).items():
        data[f"new_household-{name}"] = value
    for index, described in enumerate(children):
        child = dict(described)
        activities = child.pop("activities", [])
        prefix = f"children-{index}"
        for name, value in child.items():
            data[f"{prefix}-{name}"] = value
        data[f"{prefix}-activities-TOTAL_FORMS"] = str(len(activities))
        data[f"{prefix}-activities-INITIAL_FORMS"] = "0"
        for number, item in enumerate(activities):
            for name, value in item.items():
                if name == "night" and not value:
                    continue
                data[f"{prefix}-activities-{number}-{name}"] = value
    return data
