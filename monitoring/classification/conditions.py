"""The few kinds of test a rule may make, and how a rule set's `when` object becomes one.

The vocabulary is deliberately small and closed: a rule set can combine these tests but not
invent new ones, so every rule can be read, and explained, without reading code. A new kind of
test is a code change, reviewed as such.

    {"worst_form": "trafficking"}                a worst form was reported
    {"activity": {"sector": "mining"}}           some activity done in the last 7 days (hours
    {"activity": {"hazard": "heavy_loads"}}      > 0) matches every key given: sector, hazard
    {"activity": {"night": true}}                (one of its tags) and/or night
    {"economic_hours_at_least": 43}              summed hours of all activities
    {"chores_hours_at_least": 21}                household chores hours
    {"place": "mine_site"}                       the child was met on a mine site
    {"any": [<condition>, ...]}                  at least one of the conditions holds
    {"all": [<condition>, ...]}                  every one of the conditions holds
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from monitoring.classification.observation import (
    Activity,
    ChildObservation,
    Hazard,
    Place,
    Sector,
    WorstForm,
)

_Tag = TypeVar("_Tag", Sector, Hazard, WorstForm, Place)
# The only place a rule may ask for. A rule asking for another place (say, school) would make
# a child met on a mine site look milder than the same child met there; so, like `night`, the
# vocabulary can only ask for the more dangerous fact.
_PLACES_A_RULE_MAY_ASK = (Place.MINE_SITE,)


class RuleSetError(Exception):
    """A rule set's data is broken. This is a defect to fix, never a user's input error."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the conditions read, computed once per classification rather than once per rule."""

    worked: tuple[Activity, ...]  # the activities done this week: 0 hours means not done
    sectors: frozenset[Sector]
    hazards: frozenset[Hazard]
    night: bool
    economic_hours: float
    chores_hours: float
    worst_forms: frozenset[WorstForm]
    place: Place | None

    @classmethod
    def of(cls, child: ChildObservation) -> Facts:
        worked = tuple(activity for activity in child.activities if activity.hours_per_week > 0)
        return cls(
            worked=worked,
            sectors=frozenset(activity.sector for activity in worked),
            hazards=frozenset(hazard for activity in worked for hazard in activity.hazards),
            night=any(activity.night for activity in worked),
            economic_hours=child.economic_hours_per_week,
            chores_hours=child.household_chores_hours_per_week,
            worst_forms=frozenset(child.worst_forms),
            place=child.place,
        )


class Condition(Protocol):
    def holds(self, facts: Facts) -> bool: ...


@dataclass(frozen=True, slots=True)
class WorstFormReported:
    form: WorstForm

    def holds(self, facts: Facts) -> bool:
        return self.form in facts.worst_forms


@dataclass(frozen=True, slots=True)
class ActivityMatches:
    """Some activity done this week has the sector, the hazard and night work asked for."""

    sector: Sector | None = None
    hazard: Hazard | None = None
    night: bool = False  # only `true` can be asked for: see _activity()

    def holds(self, facts: Facts) -> bool:
        if (
            (self.sector is not None and self.sector not in facts.sectors)
            or (self.hazard is not None and self.hazard not in facts.hazards)
            or (self.night and not facts.night)
        ):
            return False
        asked = (self.sector is not None) + (self.hazard is not None) + self.night
        # One key alone is settled by the sets above; several must meet on one activity.
        return asked == 1 or any(self._matches(activity) for activity in facts.worked)

    def _matches(self, activity: Activity) -> bool:
        return (
            (self.sector is None or activity.sector == self.sector)
            and (self.hazard is None or self.hazard in activity.hazards)
            and (not self.night or activity.night)
        )


@dataclass(frozen=True, slots=True)
class EconomicHoursAtLeast:
    hours: float

    def holds(self, facts: Facts) -> bool:
        return facts.economic_hours >= self.hours


@dataclass(frozen=True, slots=True)
class ChoresHoursAtLeast:
    hours: float

    def holds(self, facts: Facts) -> bool:
        return facts.chores_hours >= self.hours


@dataclass(frozen=True, slots=True)
class MetAt:
    place: Place

    def holds(self, facts: Facts) -> bool:
        return facts.place == self.place


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[Condition, ...]

    def holds(self, facts: Facts) -> bool:
        return any(condition.holds(facts) for condition in self.conditions)


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every condition holds. Conditions that only become true as more is reported stay so
    when joined by "and" as well as by "or": monotonicity survives."""

    conditions: tuple[Condition, ...]

    def holds(self, facts: Facts) -> bool:
        return all(condition.holds(facts) for condition in self.conditions)


def compile_condition(data: object, path: str) -> Condition:
    """Turn a `when` object into a condition, refusing anything outside the vocabulary."""
    if not isinstance(data, Mapping) or len(data) != 1:
        raise RuleSetError(f"{path}: must be an object with exactly one key ({_KINDS_LISTING})")
    ((kind, argument),) = data.items()
    compiler = _COMPILERS.get(kind)
    if compiler is None:
        raise RuleSetError(f"{path}: unknown condition {kind!r} ({_KINDS_LISTING})")
    return compiler(argument, f"{path}.{kind}")


def _worst_form(argument: object, path: str) -> Condition:
    return WorstFormReported(_enum_value(argument, path, WorstForm))


def _activity(argument: object, path: str) -> Condition:
    keys = ("sector", "hazard", "night")
    if not isinstance(argument, Mapping) or not argument or set(argument) - set(keys):
        raise RuleSetError(f"{path}: must be a non-empty object with keys among {keys}")
    # Asking for day work would let setting `night` lower a category: only `true` is allowed.
    if "night" in argument and argument["night"] is not True:
        raise RuleSetError(f"{path}.night: can only be true")
    sector, hazard = argument.get("sector"), argument.get("hazard")
    return ActivityMatches(
        sector=None if sector is None else _enum_value(sector, f"{path}.sector", Sector),
        hazard=None if hazard is None else _enum_value(hazard, f"{path}.hazard", Hazard),
        night="night" in argument,
    )


def _economic_hours(argument: object, path: str) -> Condition:
    return EconomicHoursAtLeast(_threshold(argument, path))


def _chores_hours(argument: object, path: str) -> Condition:
    return ChoresHoursAtLeast(_threshold(argument, path))


def _place(argument: object, path: str) -> Condition:
    place = _enum_value(argument, path, Place)
    if place not in _PLACES_A_RULE_MAY_ASK:
        raise RuleSetError(f"{path}: can only be {', '.join(_PLACES_A_RULE_MAY_ASK)}")
    return MetAt(place)


def _conditions(argument: object, path: str) -> tuple[Condition, ...]:
    if not isinstance(argument, list) or not argument:
        raise RuleSetError(f"{path}: must be a non-empty list of conditions")
    return tuple(compile_condition(item, f"{path}[{i}]") for i, item in enumerate(argument))


def _any(argument: object, path: str) -> Condition:
    return AnyOf(_conditions(argument, path))


def _all(argument: object, path: str) -> Condition:
    return AllOf(_conditions(argument, path))


def _threshold(argument: object, path: str) -> float:
    # A threshold of 0 would fire for every child, including one who did no work at all.
    if isinstance(argument, int | float) and not isinstance(argument, bool) and 0 < argument <= 168:
        return argument
    raise RuleSetError(f"{path}: must be a number of hours above 0 and at most 168")


def _enum_value(argument: object, path: str, kind: type[_Tag]) -> _Tag:
    if isinstance(argument, str):
        try:
            return kind(argument)
        except ValueError:
            pass
    raise RuleSetError(f"{path}: must be one of {[member.value for member in kind]}")


_COMPILERS: dict[str, Callable[[object, str], Condition]] = {
    "worst_form": _worst_form,
    "activity": _activity,
    "economic_hours_at_least": _economic_hours,
    "chores_hours_at_least": _chores_hours,
    "place": _place,
    "any": _any,
    "all": _all,
}
_KINDS_LISTING = ", ".join(_COMPILERS)
