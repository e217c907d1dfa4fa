"""classify(): one observation, one rule set, one explained result."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.classification.categories import Category
from monitoring.classification.conditions import Facts
from monitoring.classification.observation import ChildObservation
from monitoring.classification.rules import Rule, RuleSet


@dataclass(frozen=True, eq=False)
class Classification:
    """The category, every rule that fired (most severe first), and `name@version` of the
    rule set, which is what a stored result must keep to be explained or re-run later."""

    category: Category
    reasons: tuple[Rule, ...]
    ruleset_ref: str

    @property
    def reason_ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.reasons)


def classify(child: ChildObservation, ruleset: RuleSet) -> Classification:
    """Apply every rule; the most severe category that fired wins.

    When nothing fires the child is in `no_child_labour` if the rule set speaks about their
    age and `not_applicable` otherwise. Rules may reach outside that age scope (worst forms
    apply from birth): protection comes first.
    """
    # The loader guarantees the rules are ordered most severe first, so the first one to fire
    # decides the category and the list is already in reporting order.
    facts = Facts.of(child)
    reasons = tuple(
        rule for rule in ruleset.rules_for_age(child.age) if rule.condition.holds(facts)
    )
    if reasons:
        category = reasons[0].category
    elif ruleset.min_age <= child.age <= ruleset.max_age:
        category = Category.NO_CHILD_LABOUR
    else:
        category = Category.NOT_APPLICABLE
    return Classification(category=category, reasons=reasons, ruleset_ref=ruleset.ref)
