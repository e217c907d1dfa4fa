"""Properties that must hold for every child, not only the ones in the tables.

More work, more danger or an exploitation reported can never make a child's situation look
better; and Congolese law, which adds to the ICLS definition, never judges it milder.
"""

from __future__ import annotations

import dataclasses
import json

from hypothesis import assume, given
from hypothesis import strategies as st

from monitoring.classification import (
    Activity,
    Category,
    ChildObservation,
    Hazard,
    ObservationError,
    Place,
    Sector,
    WorstForm,
    classify,
    load_ruleset,
    parse_observation,
)
from monitoring.classification.observation import HOURS_IN_A_WEEK

RULESETS = [load_ruleset("ilo-icls"), load_ruleset("drc")]

# The thresholds the rules name, plus any other amount.
hours = st.one_of(
    st.sampled_from([0, 0.5, 1, 13, 14, 20, 21, 42, 43]),
    st.floats(min_value=0, max_value=60, allow_nan=False, allow_infinity=False),
)
extra_hours = st.floats(min_value=0, max_value=50, allow_nan=False, allow_infinity=False)
activities = st.builds(
    Activity,
    task=st.just("work"),
    sector=st.sampled_from(Sector),
    hours_per_week=hours,
    hazards=st.lists(st.sampled_from(Hazard), max_size=3, unique=True).map(tuple),
    night=st.booleans(),
)
children = st.builds(
    ChildObservation,
    age=st.integers(min_value=0, max_value=30),
    activities=st.lists(activities, max_size=3).map(tuple),
    household_chores_hours_per_week=hours,
    worst_forms=st.lists(st.sampled_from(WorstForm), max_size=2, unique=True).map(tuple),
    place=st.none() | st.sampled_from(Place),
)
children_who_work = children.filter(lambda child: child.activities)


def within_a_week(child):
    total = child.economic_hours_per_week + child.household_chores_hours_per_week
    return total <= HOURS_IN_A_WEEK


def severity(child, ruleset):
    return classify(child, ruleset).category.severity


def assert_never_milder(before, after):
    assume(within_a_week(after))  # only observations the parser accepts
    for ruleset in RULESETS:
        assert severity(after, ruleset) >= severity(before, ruleset), ruleset.ref


def with_activity(child, index, **changes):
    index %= len(child.activities)
    changed = dataclasses.replace(child.activities[index], **changes)
    activities = (*child.activities[:index], changed, *child.activities[index + 1 :])
    return dataclasses.replace(child, activities=activities)


@given(children_who_work, st.integers(min_value=0), extra_hours)
def test_more_hours_on_an_activity_never_lower_the_category(child, index, extra):
    activity = child.activities[index % len(child.activities)]
    more = with_activity(child, index, hours_per_week=activity.hours_per_week + extra)

    assert_never_milder(child, more)


@given(children, activities)
def test_another_activity_never_lowers_the_category(child, activity):
    assert_never_milder(child, dataclasses.replace(child, activities=(*child.activities, activity)))


@given(children_who_work, st.integers(min_value=0), st.sampled_from(Hazard))
def test_another_hazard_never_lowers_the_category(child, index, hazard):
    hazards = child.activities[index % len(child.activities)].hazards
    assume(hazard not in hazards)

    assert_never_milder(child, with_activity(child, index, hazards=(*hazards, hazard)))


@given(children, st.sampled_from(WorstForm))
def test_another_worst_form_never_lowers_the_category(child, form):
    assume(form not in child.worst_forms)

    more = dataclasses.replace(child, worst_forms=(*child.worst_forms, form))
    assert_never_milder(child, more)


@given(children_who_work, st.integers(min_value=0))
def test_night_work_never_lowers_the_category(child, index):
    assert_never_milder(child, with_activity(child, index, night=True))


@given(children, extra_hours)
def test_more_chores_never_lower_the_category(child, extra):
    chores = child.household_chores_hours_per_week + extra
    assert_never_milder(child, dataclasses.replace(child, household_chores_hours_per_week=chores))


@given(children)
def test_being_met_on_a_mine_site_never_lowers_the_category(child):
    """Wherever else (or nowhere) the child was met, a mine site is never milder."""
    assert_never_milder(child, dataclasses.replace(child, place=Place.MINE_SITE))


@given(children)
def test_the_place_changes_nothing_under_the_ilo_definition(child):
    ilo = RULESETS[0]
    elsewhere = [dataclasses.replace(child, place=place) for place in (None, *Place)]

    assert len({classify(other, ilo).reason_ids for other in elsewhere}) == 1


@given(children)
def test_drc_is_never_milder_than_the_ilo_definition(child):
    ilo, drc = (classify(child, ruleset) for ruleset in RULESETS)

    assert drc.category.severity >= ilo.category.severity
    assert set(ilo.reason_ids) <= set(drc.reason_ids)


@given(children)
def test_the_category_is_that_of_the_most_severe_reason(child):
    for ruleset in RULESETS:
        result = classify(child, ruleset)
        severities = [rule.category.severity for rule in result.reasons]

        assert severities == sorted(severities, reverse=True)
        if result.reasons:
            assert result.category == result.reasons[0].category
        elif 5 <= child.age <= 17:
            assert result.category == Category.NO_CHILD_LABOUR
        else:
            assert result.category == Category.NOT_APPLICABLE


@given(children)
def test_adults_are_never_in_scope(child):
    adult = dataclasses.replace(child, age=max(child.age, 18))

    for ruleset in RULESETS:
        assert classify(adult, ruleset).category == Category.NOT_APPLICABLE


@given(children)
def test_a_valid_observation_survives_a_trip_through_json(child):
    assume(within_a_week(child))
    as_json = json.dumps(dataclasses.asdict(child))

    assert parse_observation(json.loads(as_json)) == child


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
# Shaped like an observation, so the parser gets past the first field more often.
activity_like = st.dictionaries(
    st.sampled_from(["task", "sector", "hours_per_week", "hazards", "night"]),
    scalars | st.lists(st.sampled_from(Hazard) | scalars, max_size=2) | st.sampled_from(Sector),
)
observation_like = st.fixed_dictionaries(
    {"age": st.integers(min_value=-2, max_value=32) | scalars},
    optional={
        "activities": st.lists(activity_like, max_size=3) | scalars,
        "household_chores_hours_per_week": scalars,
        "worst_forms": st.lists(st.sampled_from(WorstForm) | scalars, max_size=2) | scalars,
        "place": st.sampled_from(Place) | scalars,
    },
)


def parse_or_error(data):
    try:
        return parse_observation(data)
    except ObservationError as error:
        return error


@given(json_values | observation_like)
def test_any_input_gives_an_observation_or_an_observation_error(data):
    outcome = parse_or_error(data)

    assert isinstance(outcome, ChildObservation | ObservationError)
    assert str(outcome)
