"""One JSON Lines record in, one JSON result out: the contract of the `classify` command.

It lives here, outside Django, so that any batch tool gives auditors the same answers and the
same error texts as the command. Every input line gets exactly one output object, errors
included, so output line N always answers input line N.
"""

from __future__ import annotations

import json

from monitoring.classification.engine import classify
from monitoring.classification.observation import ObservationError, parse_observation
from monitoring.classification.rules import RuleSet
from monitoring.classification.strict_json import loads_strict

BLANK_LINE_ERROR = "blank line: expected one JSON object describing one child"


def classify_line(line: str, ruleset: RuleSet) -> dict[str, object]:
    """`{"category", "reasons", "ruleset"}` for a valid line, `{"error": ...}` otherwise."""
    # A blank line is an error rather than skipped: skipping would shift every later answer
    # against its question for a caller that pairs lines by position.
    line = line.rstrip("\r\n")  # so that error columns count within the line
    if not line.strip():
        return {"error": BLANK_LINE_ERROR}
    try:
        data = loads_strict(line)
    except json.JSONDecodeError as error:
        return {"error": f"not valid JSON at column {error.colno}: {error.msg}"}
    except RecursionError:
        return {"error": "not valid JSON: nested too deeply"}
    except ValueError as error:  # duplicate keys, NaN, integers too long to read
        return {"error": f"refused JSON: {error}"}
    try:
        child = parse_observation(data)
    except ObservationError as error:
        return {"error": str(error)}
    result = classify(child, ruleset)
    return {
        "category": result.category.value,
        "reasons": list(result.reason_ids),
        "ruleset": result.ruleset_ref,
    }
