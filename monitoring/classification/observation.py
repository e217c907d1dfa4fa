"""One child on one visit, as the classification engine sees it, and its strict parser.

`parse_observation` is the validated way in: every refusal names the field at fault
(`activities[1].hours_per_week: must be a number ≥ 0 (got -3)`), because the person who fixes
the input is usually reading a survey export, not this code. Unknown fields are refused too: a
misspelt `worst_form` silently ignored would classify a trafficked child as not in danger.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

HOURS_IN_A_WEEK = 168
MAX_AGE = (
    30  # young adults are recorded too (siblings, former child workers); they are out of scope
)


class Sector(StrEnum):
    MINING = "mining"
    AGRICULTURE = "agriculture"
    MANUFACTURING = "manufacturing"
    DOMESTIC_SERVICE = "domestic_service"
    TRADE = "trade"
    SERVICES = "services"
    OTHER = "other"


class Hazard(StrEnum):
    UNDERGROUND = "underground"
    HEAVY_LOADS = "heavy_loads"
    DUST_OR_CHEMICALS = "dust_or_chemicals"
    DANGEROUS_TOOLS = "dangerous_tools"
    HEIGHTS = "heights"
    EXTREME_TEMPERATURE = "extreme_temperature"
    ABUSE = "abuse"
    NIGHT_WORK = "night_work"


class Place(StrEnum):
    """Where the child was met on the visit. Absent (None) when the input does not say."""

    HOUSEHOLD = "household"
    MINE_SITE = "mine_site"
    SCHOOL = "school"
    OTHER = "other"


class WorstForm(StrEnum):
    TRAFFICKING = "trafficking"
    FORCED_LABOUR = "forced_labour"
    DEBT_BONDAGE = "debt_bondage"
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    ILLICIT_ACTIVITIES = "illicit_activities"
    ARMED_CONFLICT = "armed_conflict"


@dataclass(frozen=True, slots=True)
class Activity:
    """One economic activity in the last 7 days; 0 hours means it was not done this week."""

    task: str
    sector: Sector
    hours_per_week: float = 0
    hazards: tuple[Hazard, ...] = ()
    night: bool = False  # any of it between 19:00 and 07:00


@dataclass(frozen=True, slots=True)
class ChildObservation:
    age: int  # completed years
    activities: tuple[Activity, ...] = ()
    household_chores_hours_per_week: float = 0
    worst_forms: tuple[WorstForm, ...] = ()
    place: Place | None = None  # where the child was met; None: not said

    @property
    def economic_hours_per_week(self) -> float:
        return math.fsum(activity.hours_per_week for activity in self.activities)


class ObservationError(ValueError):
    """The input does not describe a valid observation.

    `path` names the field (`activities[1].hazards[0]`, empty for the whole input), `problem`
    says what is wrong in English, and `code` is a stable string a UI can translate.
    """

    def __init__(self, path: str, problem: str, *, code: str) -> None:
        self.path = path
        self.problem = problem
        self.code = code
        super().__init__(f"{path}: {problem}" if path else problem)


_OBSERVATION_FIELDS = frozenset(
    {"age", "activities", "household_chores_hours_per_week", "worst_forms", "place"}
)
_ACTIVITY_FIELDS = frozenset({"task", "sector", "hours_per_week", "hazards", "night"})
_Choice = TypeVar("_Choice", Sector, Hazard, WorstForm, Place)
_MEMBERS: dict[type[StrEnum], dict[str, StrEnum]] = {
    kind: {member.value: member for member in kind} for kind in (Sector, Hazard, WorstForm, Place)
}


def parse_observation(data: object) -> ChildObservation:
    """Validate a JSON-like mapping and build the observation.

    Missing (or null) lists are empty, missing numbers 0, a missing `night` false and a missing
    `place` unknown; `age` is required, because defaulting it would quietly put a child out of
    scope.
    """
    if not isinstance(data, Mapping):
        raise ObservationError(
            "", f"the observation must be a JSON object, not {_describe(data)}", code="not_object"
        )
    _refuse_unknown_fields(data, _OBSERVATION_FIELDS, prefix="")
    age = _age(data.get("age"))
    activities = _activities(data.get("activities"))
    chores = _hours(data.get("household_chores_hours_per_week"), "household_chores_hours_per_week")
    observation = ChildObservation(
        age=age,
        activities=activities,
        household_chores_hours_per_week=chores,
        worst_forms=_choices(data.get("worst_forms"), "worst_forms", WorstForm),
        place=_optional_choice(data.get("place"), "place", Place),
    )
    _refuse_more_hours_than_a_week(observation)
    return observation


def _age(value: object) -> int:
    if value is None:
        raise ObservationError("age", "is required (completed years, 0 to 30)", code="required")
    # bool is a subclass of int in Python; `true` is not an age.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ObservationError(
            "age", f"must be a whole number of years (got {_describe(value)})", code="not_integer"
        )
    if not 0 <= value <= MAX_AGE:
        raise ObservationError(
            "age", f"must be between 0 and {MAX_AGE} (got {value})", code="out_of_range"
        )
    return value


def _activities(value: object) -> tuple[Activity, ...]:
    items = _list(value, "activities")
    return tuple(_activity(item, f"activities[{index}]") for index, item in enumerate(items))


def _activity(value: object, path: str) -> Activity:
    if not isinstance(value, Mapping):
        raise ObservationError(
            path, f"must be an object, not {_describe(value)}", code="not_object"
        )
    _refuse_unknown_fields(value, _ACTIVITY_FIELDS, prefix=f"{path}.")
    sector = value.get("sector")
    if sector is None:
        raise ObservationError(
            f"{path}.sector", f"is required (one of: {_listing(Sector)})", code="required"
        )
    return Activity(
        task=_string(value.get("task"), f"{path}.task"),
        sector=_choice(sector, f"{path}.sector", Sector),
        hours_per_week=_hours(value.get("hours_per_week"), f"{path}.hours_per_week"),
        hazards=_choices(value.get("hazards"), f"{path}.hazards", Hazard),
        night=_boolean(value.get("night"), f"{path}.night"),
    )


def _hours(value: object, path: str) -> float:
    if value is None:
        return 0
    # bool is an int in Python; NaN and Infinity can come from Python callers.
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
        or value < 0
    ):
        raise ObservationError(
            path, f"must be a number ≥ 0 (got {_describe(value)})", code="not_hours"
        )
    if value > HOURS_IN_A_WEEK:
        raise ObservationError(
            path,
            f"must be at most {HOURS_IN_A_WEEK}, the hours in a week (got {_describe(value)})",
            code="more_than_a_week",
        )
    return value


def _refuse_more_hours_than_a_week(observation: ChildObservation) -> None:
    economic = observation.economic_hours_per_week
    if economic > HOURS_IN_A_WEEK:
        raise ObservationError(
            "activities",
            f"the activities add up to {economic:g} hours per week, "
            f"more than the {HOURS_IN_A_WEEK} hours in a week",
            code="more_than_a_week",
        )
    total = economic + observation.household_chores_hours_per_week
    if total > HOURS_IN_A_WEEK:
        raise ObservationError(
            "household_chores_hours_per_week",
            f"with the activities' {economic:g} hours, the week adds up to {total:g} hours, "
            f"more than the {HOURS_IN_A_WEEK} hours in a week",
            code="more_than_a_week",
        )


def _choices(value: object, path: str, choices: type[_Choice]) -> tuple[_Choice, ...]:
    items = _list(value, path)
    if not items:
        return ()
    parsed = (_choice(item, f"{path}[{index}]", choices) for index, item in enumerate(items))
    return tuple(dict.fromkeys(parsed))  # a repeated tag says nothing more; keep the first


def _optional_choice(value: object, path: str, choices: type[_Choice]) -> _Choice | None:
    return None if value is None else _choice(value, path, choices)


def _choice(value: object, path: str, choices: type[_Choice]) -> _Choice:
    # A plain dict lookup: calling the enum costs more than the rest of an activity's checks.
    member = _MEMBERS[choices].get(value) if isinstance(value, str) else None
    if isinstance(member, choices):
        return member
    raise ObservationError(
        path,
        f"unknown value {_describe(value)} (expected one of: {_listing(choices)})",
        code="unknown_value",
    )


def _list(value: object, path: str) -> list[object] | tuple[object, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ObservationError(path, f"must be a list, not {_describe(value)}", code="not_list")
    return value


def _string(value: object, path: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ObservationError(path, f"must be text, not {_describe(value)}", code="not_text")
    return value


def _boolean(value: object, path: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ObservationError(
            path, f"must be true or false (got {_describe(value)})", code="not_boolean"
        )
    return value


def _refuse_unknown_fields(
    data: Mapping[object, object], known: frozenset[str], *, prefix: str
) -> None:
    if data.keys() <= known:
        return
    for key in data:
        if key not in known:
            name = key if isinstance(key, str) else repr(key)
            raise ObservationError(
                f"{prefix}{_shorten(name)}",
                f"unknown field (expected: {', '.join(sorted(known))})",
                code="unknown_field",
            )


def _listing(choices: type[StrEnum]) -> str:
    return ", ".join(choice.value for choice in choices)


def _describe(value: object) -> str:
    """A short, safe rendering of a bad value: the input may be long or personal."""
    if isinstance(value, str):
        return repr(_shorten(value))
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        # str() of a huge int is slow and, past 4,300 digits, refused by Python itself.
        return str(value) if value.bit_length() <= 64 else "a very large number"
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    if isinstance(value, Mapping):
        return "an object"
    return "a list" if isinstance(value, list | tuple) else type(value).__name__


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
