"""The outcome categories of a classification and their one severity order.

The order is defined here and nowhere else: the engine picks the most severe category that
fired, reasons are listed most severe first, and the property tests check that more work never
means a less severe category.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """Stable strings, stored with every classification. Members are listed from the least
    to the most severe: that listing order *is* the severity order."""

    NOT_APPLICABLE = "not_applicable"
    NO_CHILD_LABOUR = "no_child_labour"
    CHILD_LABOUR = "child_labour"
    HAZARDOUS_CHILD_LABOUR = "hazardous_child_labour"
    WORST_FORMS = "worst_forms"

    @property
    def severity(self) -> int:
        """Higher is more severe. `not_applicable` and `no_child_labour` never compete: the
        first is for ages outside a rule set's scope, the second for ages inside it."""
        return _SEVERITY[self]


_SEVERITY = {category: rank for rank, category in enumerate(Category)}

# Rules may only conclude one of these; the other two are what is left when no rule fired.
RULE_CATEGORIES = frozenset(
    {Category.CHILD_LABOUR, Category.HAZARDOUS_CHILD_LABOUR, Category.WORST_FORMS}
)
