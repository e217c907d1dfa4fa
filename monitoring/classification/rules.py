"""Rule sets: versioned data files in `rulesets/`, checked strictly when loaded.

A rule set is a JSON document (see docs/classification.md for its shape). Loading refuses
anything unexpected, and refuses a file whose content differs from the fingerprint recorded for
its version in `released.json`: a result that says `drc@2026.1` must always mean the same rules,
so changing the data without bumping the version fails loudly instead of silently re-defining
past results.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import MappingProxyType

from monitoring.classification.categories import RULE_CATEGORIES, Category
from monitoring.classification.conditions import Condition, RuleSetError, compile_condition
from monitoring.classification.strict_json import loads_strict

LANGUAGES = ("en", "fr")  # every explanation and title exists in each of these
OLDEST_CHILD_AGE = 17  # a child is a person under 18; rules never reach past that
_RULE_ID = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_VERSION = re.compile(r"[0-9]{4}\.[0-9]+")  # year of adoption, then a counter: 2026.1


class UnknownRuleSetError(LookupError):
    """No rule set has that name; `available` lists the names that exist."""

    def __init__(self, name: str, available: tuple[str, ...]) -> None:
        self.name = name
        self.available = available
        super().__init__(f"unknown rule set {name!r} (available: {', '.join(available)})")


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    category: Category
    min_age: int
    max_age: int
    condition: Condition
    explanation: Mapping[str, str]  # language code -> plain-language sentence(s)


@dataclass(frozen=True, eq=False)
class RuleSet:
    """Rules ordered most severe category first; within a category, in the file's order."""

    name: str
    version: str
    title: Mapping[str, str]
    sources: tuple[str, ...]
    min_age: int  # the ages the rule set speaks about; outside them, `not_applicable`
    max_age: int
    rules: tuple[Rule, ...]
    fingerprint: str
    # rules_by_age[age]: the rules that apply at that age, in order. Derived from `rules`.
    rules_by_age: tuple[tuple[Rule, ...], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_age = tuple(
            tuple(rule for rule in self.rules if rule.min_age <= age <= rule.max_age)
            for age in range(OLDEST_CHILD_AGE + 1)
        )
        object.__setattr__(self, "rules_by_age", by_age)  # frozen: set once, here

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def rules_for_age(self, age: int) -> tuple[Rule, ...]:
        return self.rules_by_age[age] if 0 <= age <= OLDEST_CHILD_AGE else ()


def available_rulesets() -> tuple[str, ...]:
    return tuple(sorted(entry.name.removesuffix(".json") for entry in _data_files()))


@cache
def load_ruleset(name: str) -> RuleSet:
    """The rule set called `name` (`ilo-icls`, `drc`), loaded once per process."""
    available = available_rulesets()
    if name not in available:  # also keeps `name` from ever being a path
        raise UnknownRuleSetError(name, available)
    document = _read(name)
    ruleset = _build(name, document)
    released = _released_fingerprints()
    if ruleset.ref not in released:
        raise RuleSetError(
            f"{ruleset.ref} has no fingerprint in released.json: record "
            f'"{ruleset.ref}": "{ruleset.fingerprint}" there once the rules are reviewed'
        )
    if released[ruleset.ref] != ruleset.fingerprint:
        raise RuleSetError(
            f"the data of {ruleset.ref} differs from what was released under that version: "
            f"give the changed rules a new version and record its fingerprint in released.json"
        )
    return ruleset


def data_fingerprint(document: object) -> str:
    """SHA-256 of the document in a canonical form, so re-indenting the file changes nothing."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _package() -> Traversable:
    return files("monitoring.classification")


def _data_files() -> list[Traversable]:
    folder = _package() / "rulesets"
    return [entry for entry in folder.iterdir() if entry.name.endswith(".json")]


def _read(name: str) -> object:
    text = (_package() / "rulesets" / f"{name}.json").read_text(encoding="utf-8")
    try:
        return loads_strict(text)
    except ValueError as error:
        raise RuleSetError(f"rulesets/{name}.json: {error}") from None


def _released_fingerprints() -> dict[str, str]:
    document = loads_strict((_package() / "released.json").read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not all(
        isinstance(value, str) for value in document.values()
    ):
        raise RuleSetError("released.json: must map rule set references to fingerprints")
    return document


def _build(name: str, document: object) -> RuleSet:
    where = f"rulesets/{name}.json"
    data = _fields(document, where, ("name", "version", "title", "sources", "scope", "rules"))
    if data["name"] != name:
        raise RuleSetError(f"{where}: name must be {name!r}, like the file")
    version = data["version"]
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise RuleSetError(f"{where}: version must look like 2026.1 (year, then a counter)")
    sources = data["sources"]
    if not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
        raise RuleSetError(f"{where}: sources must be a list of texts")
    scope = _fields(data["scope"], f"{where}: scope", ("min_age", "max_age"))
    min_age, max_age = _age_range(scope["min_age"], scope["max_age"], f"{where}: scope")
    rules = _rules(data["rules"], where)
    return RuleSet(
        name=name,
        version=version,
        title=_texts(data["title"], f"{where}: title"),
        sources=tuple(sources),
        min_age=min_age,
        max_age=max_age,
        rules=rules,
        fingerprint=data_fingerprint(document),
    )


def _rules(value: object, where: str) -> tuple[Rule, ...]:
    if not isinstance(value, list) or not value:
        raise RuleSetError(f"{where}: rules must be a non-empty list")
    rules = tuple(_rule(item, f"{where}: rules[{index}]") for index, item in enumerate(value))
    seen: set[str] = set()
    for previous, rule in zip((None, *rules), rules, strict=False):
        if rule.id in seen:
            raise RuleSetError(f"{where}: rule id {rule.id} appears twice")
        seen.add(rule.id)
        # The file's order is the order reasons are reported in: most severe first.
        if previous is not None and rule.category.severity > previous.category.severity:
            raise RuleSetError(f"{where}: {rule.id} must come before the {previous.category} rules")
    return rules


def _rule(value: object, path: str) -> Rule:
    data = _fields(value, path, ("id", "category", "ages", "when", "explanation"))
    rule_id = data["id"]
    if not isinstance(rule_id, str) or not _RULE_ID.fullmatch(rule_id):
        raise RuleSetError(f"{path}.id: must be upper-case words joined by hyphens")
    path = f"{path} ({rule_id})"
    category = data["category"]
    if not isinstance(category, str) or category not in RULE_CATEGORIES:
        raise RuleSetError(f"{path}.category: must be one of {sorted(RULE_CATEGORIES)}")
    ages = _fields(data["ages"], f"{path}.ages", ("min", "max"))
    min_age, max_age = _age_range(ages["min"], ages["max"], f"{path}.ages")
    return Rule(
        id=rule_id,
        category=Category(category),
        min_age=min_age,
        max_age=max_age,
        condition=compile_condition(data["when"], f"{path}.when"),
        explanation=_texts(data["explanation"], f"{path}.explanation"),
    )


def _age_range(low: object, high: object, path: str) -> tuple[int, int]:
    if (
        isinstance(low, int)
        and isinstance(high, int)
        and not isinstance(low, bool)
        and not isinstance(high, bool)
        and 0 <= low <= high <= OLDEST_CHILD_AGE
    ):
        return low, high
    raise RuleSetError(f"{path}: ages must be whole numbers, 0 <= min <= max <= 17")


def _texts(value: object, path: str) -> Mapping[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(text, str) and text.strip() for text in value.values()
    ):
        raise RuleSetError(f"{path}: must map language codes to non-empty texts")
    missing = [language for language in LANGUAGES if language not in value]
    if missing:
        raise RuleSetError(f"{path}: missing the {', '.join(missing)} text")
    return MappingProxyType(dict(value))


def _fields(value: object, path: str, names: tuple[str, ...]) -> dict[str, object]:
    if not isinstance(value, dict):
        raise RuleSetError(f"{path}: must be an object with the keys {', '.join(names)}")
    missing = [name for name in names if name not in value]
    unknown = sorted(set(value) - set(names))
    if missing or unknown:
        raise RuleSetError(f"{path}: missing keys {missing}, unknown keys {unknown}")
    return value
