"""Kinga's child labour classification engine: pure Python, explainable, versioned.

Nothing in this package imports Django (a test checks it), so it runs the same in the web app,
in the `classify` command, in a notebook or in a court-appointed expert's hands.

    from monitoring.classification import classify, load_ruleset, parse_observation

    child = parse_observation({"age": 13, "activities": [...]})
    result = classify(child, load_ruleset("drc"))
    result.category, result.reason_ids, result.ruleset_ref

See docs/classification.md for the rule sets and the choices behind them.
"""

from __future__ import annotations

from monitoring.classification.categories import Category
from monitoring.classification.conditions import RuleSetError
from monitoring.classification.engine import Classification, classify
from monitoring.classification.observation import (
    Activity,
    ChildObservation,
    Hazard,
    ObservationError,
    Place,
    Sector,
    WorstForm,
    parse_observation,
)
from monitoring.classification.rules import (
    Rule,
    RuleSet,
    UnknownRuleSetError,
    available_rulesets,
    load_ruleset,
)

__all__ = [
    "Activity",
    "Category",
    "ChildObservation",
    "Classification",
    "Hazard",
    "ObservationError",
    "Place",
    "Rule",
    "RuleSet",
    "RuleSetError",
    "Sector",
    "UnknownRuleSetError",
    "WorstForm",
    "available_rulesets",
    "classify",
    "load_ruleset",
    "parse_observation",
]
