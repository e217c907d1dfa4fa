"""One place explains stored results and finds a child's latest observation: the pages, the
desk and the API share it (monitoring.selectors)."""

from __future__ import annotations

from django.utils import translation

from monitoring import api, api_selectors, desk_selectors, selectors
from monitoring.classification import load_ruleset


def test_pages_desk_and_api_share_one_explanation_and_one_subquery():
    # Read through each module's namespace: these are imports, not re-exports.
    assert vars(desk_selectors)["explain_reasons"] is selectors.explain_reasons
    assert vars(api)["explain_reasons"] is selectors.explain_reasons
    assert vars(api_selectors)["latest_observation"] is selectors.latest_observation
    assert vars(api_selectors)["years_before"] is selectors.years_before


def test_reasons_in_the_language_asked_and_never_unexplained():
    ref = load_ruleset("drc").ref
    english, unknown = selectors.explain_reasons(ref, ["HAZ-SECTOR-MINING", "NO-SUCH-RULE"], "en")
    [french] = selectors.explain_reasons(ref, ["HAZ-SECTOR-MINING"], "fr-fr")
    assert english.rule_id == french.rule_id == "HAZ-SECTOR-MINING"
    assert "" not in (english.text, french.text)
    assert english.text != french.text
    assert unknown.text == f"Rule NO-SUCH-RULE of {ref}"
    with translation.override("fr"):  # no language given: the user's
        assert selectors.explain_reasons(ref, ["HAZ-SECTOR-MINING"])[0].text == french.text
