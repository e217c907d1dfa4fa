"""Table tests: every rule of both rule sets, at every age and hour boundary the rules name."""

from __future__ import annotations

import pytest

from monitoring.classification import (
    Category,
    Hazard,
    WorstForm,
    classify,
    load_ruleset,
    parse_observation,
)

NA = Category.NOT_APPLICABLE
NONE = Category.NO_CHILD_LABOUR
CL = Category.CHILD_LABOUR
HAZ = Category.HAZARDOUS_CHILD_LABOUR
WF = Category.WORST_FORMS


def observe(age, *, hours=0, chores=0, sector="trade", hazards=(), night=False, worst_forms=()):
    """One child with (at most) one activity; a light activity in trade unless told otherwise."""
    activity = {"task": "work", "sector": sector, "hours_per_week": hours}
    activity |= {"hazards": list(hazards), "night": night}
    return parse_observation(
        {
            "age": age,
            "activities": [activity],
            "household_chores_hours_per_week": chores,
            "worst_forms": list(worst_forms),
        }
    )


def outcome(child, name):
    result = classify(child, load_ruleset(name))
    return result.category, list(result.reason_ids)


# (age, economic hours, chores hours) -> (ilo-icls outcome, drc outcome)
AGE_AND_HOURS_TABLE = [
    # Under 5 and 18+: out of scope whatever the work, unless a worst form (tested below).
    ((4, 0, 0), (NA, []), (NA, [])),
    ((4, 43, 43), (NA, []), (NA, [])),
    ((18, 43, 43), (NA, []), (NA, [])),
    ((30, 60, 0), (NA, []), (NA, [])),
    # 5-11: any hour of work is child labour; less than one hour is not.
    ((5, 0, 0), (NONE, []), (NONE, [])),
    ((5, 0.5, 0), (NONE, []), (NONE, [])),
    ((5, 1, 0), (CL, ["AGE-5-11-ANY-WORK"]), (CL, ["AGE-5-11-ANY-WORK", "DRC-MIN-AGE-16"])),
    ((11, 0, 0), (NONE, []), (NONE, [])),
    ((11, 1, 0), (CL, ["AGE-5-11-ANY-WORK"]), (CL, ["AGE-5-11-ANY-WORK", "DRC-MIN-AGE-16"])),
    # 12-14: light work under 14 hours is allowed by the ICLS, not by DRC law (minimum age 16).
    ((12, 1, 0), (NONE, []), (CL, ["DRC-MIN-AGE-16"])),
    ((12, 13, 0), (NONE, []), (CL, ["DRC-MIN-AGE-16"])),
    ((12, 14, 0), (CL, ["AGE-12-14-OVER-14H"]), (CL, ["AGE-12-14-OVER-14H", "DRC-MIN-AGE-16"])),
    ((14, 13, 0), (NONE, []), (CL, ["DRC-MIN-AGE-16"])),
    ((14, 14, 0), (CL, ["AGE-12-14-OVER-14H"]), (CL, ["AGE-12-14-OVER-14H", "DRC-MIN-AGE-16"])),
    ((14, 20, 0), (CL, ["AGE-12-14-OVER-14H"]), (CL, ["AGE-12-14-OVER-14H", "DRC-MIN-AGE-16"])),
    # 15: non-hazardous work under 43 hours is allowed by the ICLS; DRC law says 16.
    ((15, 0, 0), (NONE, []), (NONE, [])),
    ((15, 1, 0), (NONE, []), (CL, ["DRC-MIN-AGE-16"])),
    ((15, 14, 0), (NONE, []), (CL, ["DRC-MIN-AGE-16"])),
    ((15, 42, 0), (NONE, []), (CL, ["DRC-MIN-AGE-16"])),
    ((15, 43, 0), (HAZ, ["HAZ-LONG-HOURS"]), (HAZ, ["HAZ-LONG-HOURS", "DRC-MIN-AGE-16"])),
    # 16-17: work is allowed under both, up to 42 hours.
    ((16, 1, 0), (NONE, []), (NONE, [])),
    ((16, 42, 0), (NONE, []), (NONE, [])),
    ((16, 43, 0), (HAZ, ["HAZ-LONG-HOURS"]), (HAZ, ["HAZ-LONG-HOURS"])),
    ((17, 42, 0), (NONE, []), (NONE, [])),
    ((17, 43, 0), (HAZ, ["HAZ-LONG-HOURS"]), (HAZ, ["HAZ-LONG-HOURS"])),
    # Long hours at any age 5-17, listed with the child labour rules that also fired.
    (
        (11, 43, 0),
        (HAZ, ["HAZ-LONG-HOURS", "AGE-5-11-ANY-WORK"]),
        (HAZ, ["HAZ-LONG-HOURS", "AGE-5-11-ANY-WORK", "DRC-MIN-AGE-16"]),
    ),
    # Household chores: 21 hours at 5-14, 43 hours at 15-17.
    ((5, 0, 20), (NONE, []), (NONE, [])),
    ((5, 0, 21), (CL, ["CHORES-21H"]), (CL, ["CHORES-21H"])),
    ((14, 0, 20), (NONE, []), (NONE, [])),
    ((14, 0, 21), (CL, ["CHORES-21H"]), (CL, ["CHORES-21H"])),
    ((15, 0, 21), (NONE, []), (NONE, [])),
    ((15, 0, 42), (NONE, []), (NONE, [])),
    ((15, 0, 43), (CL, ["CHORES-43H"]), (CL, ["CHORES-43H"])),
    ((17, 0, 43), (CL, ["CHORES-43H"]), (CL, ["CHORES-43H"])),
    ((4, 0, 43), (NA, []), (NA, [])),
    (
        (12, 14, 21),
        (CL, ["AGE-12-14-OVER-14H", "CHORES-21H"]),
        (CL, ["AGE-12-14-OVER-14H", "DRC-MIN-AGE-16", "CHORES-21H"]),
    ),
]


@pytest.mark.parametrize(("given", "ilo", "drc"), AGE_AND_HOURS_TABLE)
def test_age_and_hours_boundaries(given, ilo, drc):
    age, hours, chores = given
    child = observe(age, hours=hours, chores=chores)

    assert outcome(child, "ilo-icls") == ilo
    assert outcome(child, "drc") == drc


HAZARD_RULES = [
    ({"hazards": [Hazard.UNDERGROUND]}, "HAZ-CONDITION-UNDERGROUND"),
    ({"hazards": [Hazard.HEAVY_LOADS]}, "HAZ-CONDITION-HEAVY-LOADS"),
    ({"hazards": [Hazard.DUST_OR_CHEMICALS]}, "HAZ-CONDITION-DUST-OR-CHEMICALS"),
    ({"hazards": [Hazard.DANGEROUS_TOOLS]}, "HAZ-CONDITION-DANGEROUS-TOOLS"),
    ({"hazards": [Hazard.HEIGHTS]}, "HAZ-CONDITION-HEIGHTS"),
    ({"hazards": [Hazard.EXTREME_TEMPERATURE]}, "HAZ-CONDITION-EXTREME-TEMPERATURE"),
    ({"hazards": [Hazard.ABUSE]}, "HAZ-CONDITION-ABUSE"),
    ({"hazards": [Hazard.NIGHT_WORK]}, "HAZ-NIGHT"),
    ({"night": True}, "HAZ-NIGHT"),
    ({"sector": "mining"}, "HAZ-SECTOR-MINING"),
]


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
@pytest.mark.parametrize(("activity", "rule_id"), HAZARD_RULES)
def test_each_hazardous_rule_fires_for_an_old_enough_child_doing_light_work(
    name, activity, rule_id
):
    # At 16 no other rule of either set fires for 5 hours of work.
    assert outcome(observe(16, hours=5, **activity), name) == (HAZ, [rule_id])


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
@pytest.mark.parametrize(("activity", "rule_id"), HAZARD_RULES)
@pytest.mark.parametrize("age", [5, 17])
def test_hazardous_rules_cover_ages_5_to_17(name, activity, rule_id, age):
    category, reasons = outcome(observe(age, hours=1, **activity), name)

    assert category == HAZ
    assert reasons[0] == rule_id


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
@pytest.mark.parametrize(("activity", "_rule_id"), HAZARD_RULES)
@pytest.mark.parametrize("age", [4, 18])
def test_hazardous_work_outside_ages_5_to_17_is_not_applicable(name, activity, _rule_id, age):
    assert outcome(observe(age, hours=10, **activity), name) == (NA, [])


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
def test_an_activity_with_zero_hours_was_not_done_and_fires_nothing(name):
    child = observe(10, hours=0, sector="mining", hazards=list(Hazard), night=True)

    assert outcome(child, name) == (NONE, [])


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
def test_the_night_work_tag_and_the_night_flag_give_one_reason(name):
    child = observe(16, hours=5, hazards=[Hazard.NIGHT_WORK], night=True)

    assert outcome(child, name) == (HAZ, ["HAZ-NIGHT"])


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
def test_hours_of_all_activities_are_summed(name):
    two_halves = parse_observation(
        {
            "age": 16,
            "activities": [
                {"sector": "trade", "hours_per_week": 21.5},
                {"sector": "agriculture", "hours_per_week": 21.5},
            ],
        }
    )

    assert outcome(two_halves, name) == (HAZ, ["HAZ-LONG-HOURS"])


def test_light_work_split_across_activities_still_counts_at_12_to_14():
    child = parse_observation(
        {
            "age": 13,
            "activities": [
                {"sector": "trade", "hours_per_week": 7},
                {"sector": "agriculture", "hours_per_week": 7},
            ],
        }
    )

    assert outcome(child, "ilo-icls") == (CL, ["AGE-12-14-OVER-14H"])


WORST_FORM_RULES = [
    (WorstForm.TRAFFICKING, "WFCL-TRAFFICKING"),
    (WorstForm.FORCED_LABOUR, "WFCL-FORCED-LABOUR"),
    (WorstForm.DEBT_BONDAGE, "WFCL-DEBT-BONDAGE"),
    (WorstForm.SEXUAL_EXPLOITATION, "WFCL-SEXUAL-EXPLOITATION"),
    (WorstForm.ILLICIT_ACTIVITIES, "WFCL-ILLICIT-ACTIVITIES"),
    (WorstForm.ARMED_CONFLICT, "WFCL-ARMED-CONFLICT"),
]


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
@pytest.mark.parametrize(("form", "rule_id"), WORST_FORM_RULES)
@pytest.mark.parametrize("age", [0, 4, 5, 11, 15, 17])
def test_a_worst_form_at_any_age_under_18_is_worst_forms(name, form, rule_id, age):
    # Protection first: a trafficked 4-year-old is in scope, although work at 4 is not.
    assert outcome(observe(age, worst_forms=[form]), name) == (WF, [rule_id])


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
@pytest.mark.parametrize(("form", "_rule_id"), WORST_FORM_RULES)
def test_a_worst_form_at_18_is_not_applicable(name, form, _rule_id):
    assert outcome(observe(18, worst_forms=[form]), name) == (NA, [])


@pytest.mark.parametrize("name", ["ilo-icls", "drc"])
def test_reasons_follow_the_rule_set_order_not_the_input_order(name):
    child = observe(16, worst_forms=[WorstForm.ARMED_CONFLICT, WorstForm.TRAFFICKING])

    assert outcome(child, name) == (WF, ["WFCL-TRAFFICKING", "WFCL-ARMED-CONFLICT"])


def test_every_rule_that_fired_is_listed_most_severe_category_first():
    child = observe(
        9,
        hours=43,
        chores=22,
        sector="mining",
        hazards=[Hazard.ABUSE, Hazard.UNDERGROUND],
        night=True,
        worst_forms=[WorstForm.DEBT_BONDAGE],
    )

    assert outcome(child, "drc") == (
        WF,
        [
            "WFCL-DEBT-BONDAGE",
            "HAZ-SECTOR-MINING",
            "HAZ-CONDITION-UNDERGROUND",
            "HAZ-CONDITION-ABUSE",
            "HAZ-NIGHT",
            "HAZ-LONG-HOURS",
            "AGE-5-11-ANY-WORK",
            "DRC-MIN-AGE-16",
            "CHORES-21H",
        ],
    )


def test_the_result_names_the_rule_set_version_and_explains_each_reason():
    result = classify(observe(13, hours=2), load_ruleset("drc"))

    assert result.ruleset_ref == "drc@2026.2"
    (reason,) = result.reasons
    assert reason.id == "DRC-MIN-AGE-16"
    assert reason.category == CL
    assert "16" in reason.explanation["en"]
    assert "16 ans" in reason.explanation["fr"]


def met_at(place, age, **activity):
    activities = [{"task": "work", "sector": "trade", **activity}] if activity else []
    return parse_observation({"age": age, "activities": activities, "place": place})


@pytest.mark.parametrize("age", [5, 11, 12, 15, 16, 17])
def test_any_work_by_a_child_met_on_a_mine_site_is_hazardous_under_drc(age):
    """Selling food on a mine site (sector `trade`) is work on a mine site under Congolese law."""
    result = classify(met_at("mine_site", age, hours_per_week=1), load_ruleset("drc"))

    assert result.category == HAZ
    assert result.reason_ids[0] == "DRC-MINE-SITE-ANY-WORK"
    assert "HAZ-SECTOR-MINING" not in result.reason_ids


@pytest.mark.parametrize(
    ("child", "expected"),
    [
        (met_at("mine_site", 12, hours_per_week=0.5), NONE),  # under the 1-hour threshold
        (met_at("mine_site", 12, hours_per_week=0), NONE),  # listed but not done this week
        (met_at("mine_site", 12), NONE),  # met there, did no work at all
        (met_at("mine_site", 4, hours_per_week=20), NA),  # work rules start at 5
        (met_at("mine_site", 18, hours_per_week=20), NA),
        (met_at("household", 16, hours_per_week=6), NONE),
        (met_at("school", 16, hours_per_week=6), NONE),
        (met_at("other", 16, hours_per_week=6), NONE),
        (met_at(None, 16, hours_per_week=6), NONE),
    ],
)
def test_the_mine_site_rule_needs_the_place_some_work_and_a_child_of_5_to_17(child, expected):
    assert classify(child, load_ruleset("drc")).category == expected


def test_the_ilo_definition_does_not_look_at_the_place():
    """ICLS judges hazardous work by industry, occupation and conditions, not by where a child
    was met: the same trader is `no_child_labour` at 16 wherever the facilitator found them."""
    ilo = load_ruleset("ilo-icls")
    places = ("mine_site", "household", "school", "other", None)

    results = {classify(met_at(place, 16, hours_per_week=6), ilo).category for place in places}

    assert results == {NONE}
