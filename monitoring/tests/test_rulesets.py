"""Rule sets as data: loading, strict validation, versioning, explanations, and purity."""

from __future__ import annotations

import ast
import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.classification import (
    RuleSetError,
    UnknownRuleSetError,
    available_rulesets,
    load_ruleset,
    parse_observation,
)
from monitoring.classification import rules as rules_module
from monitoring.classification.conditions import Facts, compile_condition

PACKAGE = Path(rules_module.__file__).parent
ROOT = PACKAGE.parents[1]


def document(name):
    return json.loads((PACKAGE / "rulesets" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def fresh_loader():
    """load_ruleset caches per process; tests that swap the data must not leak into others."""
    load_ruleset.cache_clear()
    yield
    load_ruleset.cache_clear()


def test_the_two_rule_sets_are_available_and_versioned():
    assert available_rulesets() == ("drc", "ilo-icls")
    assert load_ruleset("ilo-icls").ref == "ilo-icls@2026.1"
    assert load_ruleset("drc").ref == "drc@2026.2"


@pytest.mark.parametrize("name", ["ILO-ICLS", "drc.json", "../rulesets/drc", "", "released"])
def test_an_unknown_name_is_refused_with_the_available_names(name):
    with pytest.raises(UnknownRuleSetError) as caught:
        load_ruleset(name)

    assert caught.value.available == ("drc", "ilo-icls")
    assert "available: drc, ilo-icls" in str(caught.value)


SPECIFIED_RULE_IDS = {
    "WFCL-TRAFFICKING",
    "WFCL-FORCED-LABOUR",
    "WFCL-DEBT-BONDAGE",
    "WFCL-SEXUAL-EXPLOITATION",
    "WFCL-ILLICIT-ACTIVITIES",
    "WFCL-ARMED-CONFLICT",
    "HAZ-SECTOR-MINING",
    "HAZ-CONDITION-UNDERGROUND",
    "HAZ-CONDITION-HEAVY-LOADS",
    "HAZ-CONDITION-DUST-OR-CHEMICALS",
    "HAZ-CONDITION-DANGEROUS-TOOLS",
    "HAZ-CONDITION-HEIGHTS",
    "HAZ-CONDITION-EXTREME-TEMPERATURE",
    "HAZ-CONDITION-ABUSE",
    "HAZ-NIGHT",
    "HAZ-LONG-HOURS",
    "AGE-5-11-ANY-WORK",
    "AGE-12-14-OVER-14H",
    "CHORES-21H",
    "CHORES-43H",
}


def test_the_rule_sets_hold_exactly_the_specified_rules():
    assert {rule.id for rule in load_ruleset("ilo-icls").rules} == SPECIFIED_RULE_IDS
    drc_ids = {rule.id for rule in load_ruleset("drc").rules}
    assert drc_ids == SPECIFIED_RULE_IDS | {"DRC-MIN-AGE-16", "DRC-MINE-SITE-ANY-WORK"}


def test_drc_keeps_every_ilo_rule_unchanged_and_in_the_same_order():
    """DRC law adds to the ICLS definition; it never relaxes one of its rules."""
    drc_rules = {rule["id"]: rule for rule in document("drc")["rules"]}
    ilo_rules = document("ilo-icls")["rules"]

    for ilo_rule in ilo_rules:
        drc_rule = drc_rules[ilo_rule["id"]]
        for key in ("category", "ages", "when"):
            assert drc_rule[key] == ilo_rule[key], (ilo_rule["id"], key)
    drc_order = [rule_id for rule_id in drc_rules if not rule_id.startswith("DRC-")]
    assert drc_order == [rule["id"] for rule in ilo_rules]


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
def test_every_rule_is_explained_in_english_and_french(name):
    for rule in load_ruleset(name).rules:
        english, french = rule.explanation["en"], rule.explanation["fr"]
        assert english != french, rule.id
        for text in (english, french):
            assert text.strip(), rule.id
            assert text.endswith("."), rule.id


def _thresholds(condition):
    """Every hour threshold in a condition, however deeply `any` and `all` nest it."""
    for key, value in condition.items():
        if key in {"economic_hours_at_least", "chores_hours_at_least"}:
            yield value
        elif key in {"any", "all"}:
            for inner in value:
                yield from _thresholds(inner)


def _numbers(text):
    return {int(number) for number in re.findall(r"\b\d+\b", text)}


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
def test_explanations_state_the_thresholds_and_ages_of_their_rule(name):
    """A threshold changed in `when` but not in the text would explain the wrong rule."""
    for rule in document(name)["rules"]:
        expected = set(_thresholds(rule["when"]))
        ages = (rule["ages"]["min"], rule["ages"]["max"])
        if ages not in {(0, 17), (5, 17)}:  # the general scope goes without saying
            expected |= set(ages)
        for language in ("en", "fr"):
            assert expected <= _numbers(rule["explanation"][language]), (rule["id"], language)


def test_every_rule_is_listed_in_the_documentation():
    text = (ROOT / "docs" / "classification.md").read_text(encoding="utf-8")
    for name in available_rulesets():
        assert load_ruleset(name).ref in text
        for rule in load_ruleset(name).rules:
            assert f"`{rule.id}`" in text, rule.id


def test_released_fingerprints_match_the_data_files():
    released = json.loads((PACKAGE / "released.json").read_text(encoding="utf-8"))
    for name in available_rulesets():
        ruleset = load_ruleset(name)
        assert released[ruleset.ref] == ruleset.fingerprint


def test_the_fingerprint_ignores_layout_but_not_content():
    data = document("drc")
    reindented = json.loads(json.dumps(data, indent=7))
    changed = copy.deepcopy(data)
    changed["rules"][0]["explanation"]["en"] += " "

    fingerprint = rules_module.data_fingerprint
    assert fingerprint(reindented) == fingerprint(data)
    assert fingerprint(changed) != fingerprint(data)


def _serve(monkeypatch, name, data):
    real_read = rules_module._read
    monkeypatch.setattr(
        rules_module, "_read", lambda wanted: data if wanted == name else real_read(wanted)
    )


@pytest.mark.usefixtures("fresh_loader")
def test_changed_rules_under_the_released_version_are_refused(monkeypatch):
    data = document("drc")
    data["rules"][-1]["when"] = {"chores_hours_at_least": 40}  # tightened, version not bumped
    _serve(monkeypatch, "drc", data)

    with pytest.raises(RuleSetError, match=r"data of drc@2026\.2 differs"):
        load_ruleset("drc")


@pytest.mark.usefixtures("fresh_loader")
def test_a_new_version_loads_once_its_fingerprint_is_recorded(monkeypatch):
    data = document("drc")
    data["rules"][-1]["when"] = {"chores_hours_at_least": 40}
    data["version"] = "2026.3"
    _serve(monkeypatch, "drc", data)

    with pytest.raises(RuleSetError, match=r"drc@2026\.3 has no fingerprint"):
        load_ruleset("drc")

    released = rules_module._released_fingerprints()
    released["drc@2026.3"] = rules_module.data_fingerprint(data)
    monkeypatch.setattr(rules_module, "_released_fingerprints", lambda: released)
    assert load_ruleset("drc").ref == "drc@2026.3"


def test_earlier_released_versions_stay_recorded():
    """A stored `drc@2026.1` result must still say which rules it meant (the file is in git)."""
    released = rules_module._released_fingerprints()

    assert {"drc@2026.1", "drc@2026.2", "ilo-icls@2026.1"} <= set(released)


def _broken(change):
    data = document("ilo-icls")
    change(data)
    return data


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (_set(("name",), "drc"), "name must be 'ilo-icls'"),
        (_set(("version",), "1.0"), "version must look like"),
        (_set(("sources",), "ILO"), "sources must be a list"),
        (_set(("title",), {"en": "Only English"}), "missing the fr text"),
        (_set(("scope", "max_age"), 18), "ages must be whole numbers"),
        (_set(("extra",), 1), "unknown keys ['extra']"),
        (_set(("rules",), []), "rules must be a non-empty list"),
        (_set(("rules", 0, "id"), "wfcl trafficking"), "upper-case words"),
        (_set(("rules", 1, "id"), "WFCL-TRAFFICKING"), "appears twice"),
        (_set(("rules", 0, "category"), "not_applicable"), "category: must be one of"),
        (_set(("rules", 0, "ages"), {"min": 0, "max": 18}), "ages must be whole numbers"),
        (_set(("rules", 0, "ages"), {"min": 9, "max": 5}), "ages must be whole numbers"),
        (_set(("rules", 0, "explanation", "fr"), " "), "non-empty texts"),
        (_set(("rules", 0, "when"), {"worst_form": "slavery"}), "must be one of"),
        (_set(("rules", 0, "when"), {"age_at_least": 5}), "unknown condition 'age_at_least'"),
        (_set(("rules", 0, "when"), {}), "exactly one key"),
        (_set(("rules", 0, "when"), {"any": []}), "non-empty list of conditions"),
        (_set(("rules", 0, "when"), {"all": []}), "non-empty list of conditions"),
        (_set(("rules", 0, "when"), {"all": [{"place": "mine"}]}), "must be one of"),
        (_set(("rules", 0, "when"), {"place": "school"}), "place: can only be mine_site"),
        (_set(("rules", 0, "when"), {"place": "household"}), "place: can only be mine_site"),
        (_set(("rules", 0, "when"), {"activity": {"colour": "red"}}), "keys among"),
        (_set(("rules", 0, "when"), {"activity": {"night": False}}), "night: can only be true"),
        (_set(("rules", 0, "when"), {"economic_hours_at_least": 0}), "above 0"),
        (_set(("rules", 0, "when"), {"chores_hours_at_least": True}), "above 0"),
        (_set(("rules", 0, "category"), "child_labour"), "must come before"),
    ],
)
def test_a_broken_rule_set_is_refused_with_where_and_why(change, complaint):
    with pytest.raises(RuleSetError) as caught:
        rules_module._build("ilo-icls", _broken(change))

    assert complaint in str(caught.value)
    assert str(caught.value).startswith("rulesets/ilo-icls.json")


def test_duplicate_keys_in_a_rule_set_file_are_refused(monkeypatch):
    monkeypatch.setattr(
        rules_module, "files", lambda _package: _FakeFolder('{"name": "a", "name": "b"}')
    )

    with pytest.raises(RuleSetError, match="appears twice"):
        rules_module._read("ilo-icls")


class _FakeFolder:
    def __init__(self, text):
        self.text = text

    def __truediv__(self, _name):
        return self

    def read_text(self, encoding):
        return self.text


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""


def test_the_package_source_imports_nothing_from_django():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) >= 5
    for path in sources:
        for module in _imported_modules(path):
            assert not module.startswith("django"), f"{path.name} imports {module}"


def test_the_package_loads_and_classifies_without_django_in_the_process():
    script = (
        "import sys\n"
        "from monitoring.classification import classify, load_ruleset, parse_observation\n"
        "child = parse_observation({'age': 9, 'worst_forms': ['trafficking']})\n"
        "print(classify(child, load_ruleset('drc')).category)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    completed = subprocess.run(  # noqa: S603 — a fixed script run by this very interpreter
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )

    assert completed.stdout.splitlines() == ["worst_forms", "[]"]


def test_an_activity_condition_with_several_keys_needs_them_on_one_activity():
    condition = compile_condition(
        {"activity": {"sector": "mining", "hazard": "heights", "night": True}}, "when"
    )

    def holds(*activities):
        return condition.holds(Facts.of(parse_observation({"age": 12, "activities": activities})))

    spread = (
        {"sector": "mining", "hours_per_week": 2},
        {"sector": "trade", "hours_per_week": 2, "hazards": ["heights"], "night": True},
    )
    together = ({"sector": "mining", "hours_per_week": 2, "hazards": ["heights"], "night": True},)
    not_done = ({"sector": "mining", "hours_per_week": 0, "hazards": ["heights"], "night": True},)
    assert not holds(*spread)
    assert holds(*together)
    assert not holds(*not_done)
