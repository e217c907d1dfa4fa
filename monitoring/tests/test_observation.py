"""parse_observation: defaults, and a refusal that names the field for every kind of bad input."""

from __future__ import annotations

import pytest

from monitoring.classification import (
    Activity,
    ChildObservation,
    Hazard,
    ObservationError,
    Sector,
    WorstForm,
    parse_observation,
)


def test_a_full_observation_is_parsed_into_typed_values():
    child = parse_observation(
        {
            "age": 13,
            "activities": [
                {
                    "task": "washing ore",
                    "sector": "mining",
                    "hours_per_week": 12.5,
                    "hazards": ["dust_or_chemicals", "heavy_loads"],
                    "night": True,
                },
                {"task": "selling bread", "sector": "trade", "hours_per_week": 4},
            ],
            "household_chores_hours_per_week": 10,
            "worst_forms": ["debt_bondage"],
        }
    )

    assert child == ChildObservation(
        age=13,
        activities=(
            Activity(
                task="washing ore",
                sector=Sector.MINING,
                hours_per_week=12.5,
                hazards=(Hazard.DUST_OR_CHEMICALS, Hazard.HEAVY_LOADS),
                night=True,
            ),
            Activity(task="selling bread", sector=Sector.TRADE, hours_per_week=4),
        ),
        household_chores_hours_per_week=10,
        worst_forms=(WorstForm.DEBT_BONDAGE,),
    )
    assert child.economic_hours_per_week == 16.5


def test_missing_lists_are_empty_numbers_zero_and_night_false():
    child = parse_observation({"age": 9, "activities": [{"sector": "agriculture"}]})

    assert child == ChildObservation(
        age=9,
        activities=(Activity(task="", sector=Sector.AGRICULTURE, hours_per_week=0, night=False),),
        household_chores_hours_per_week=0,
        worst_forms=(),
    )


def test_null_reads_like_a_missing_optional_field():
    child = parse_observation(
        {"age": 9, "activities": None, "household_chores_hours_per_week": None, "worst_forms": None}
    )

    assert child == ChildObservation(age=9)


def test_a_repeated_tag_is_kept_once():
    child = parse_observation(
        {"age": 9, "worst_forms": ["trafficking", "trafficking", "forced_labour"]}
    )

    assert child.worst_forms == (WorstForm.TRAFFICKING, WorstForm.FORCED_LABOUR)


def test_the_refusal_reads_like_the_specification():
    with pytest.raises(ObservationError) as caught:
        parse_observation(
            {
                "age": 12,
                "activities": [
                    {"sector": "trade", "hours_per_week": 3},
                    {"sector": "trade", "hours_per_week": -3},
                ],
            }
        )

    assert str(caught.value) == "activities[1].hours_per_week: must be a number ≥ 0 (got -3)"
    assert caught.value.path == "activities[1].hours_per_week"
    assert caught.value.code == "not_hours"


def _activity(**fields):
    return {"age": 12, "activities": [{"sector": "trade", "hours_per_week": 1, **fields}]}


@pytest.mark.parametrize(
    ("data", "path", "code"),
    [
        ([{"age": 12}], "", "not_object"),
        ("age=12", "", "not_object"),
        ({}, "age", "required"),
        ({"age": None}, "age", "required"),
        ({"age": True}, "age", "not_integer"),
        ({"age": 12.0}, "age", "not_integer"),
        ({"age": "12"}, "age", "not_integer"),
        ({"age": -1}, "age", "out_of_range"),
        ({"age": 31}, "age", "out_of_range"),
        ({"age": 12, "name": "Amani"}, "name", "unknown_field"),
        ({"age": 12, "worst_form": ["trafficking"]}, "worst_form", "unknown_field"),
        ({"age": 12, "activities": {"sector": "trade"}}, "activities", "not_list"),
        ({"age": 12, "activities": ["digging"]}, "activities[0]", "not_object"),
        ({"age": 12, "activities": [{}]}, "activities[0].sector", "required"),
        (_activity(sector="Mining"), "activities[0].sector", "unknown_value"),
        (_activity(sector=3), "activities[0].sector", "unknown_value"),
        (_activity(hours=3), "activities[0].hours", "unknown_field"),
        (_activity(task=7), "activities[0].task", "not_text"),
        (_activity(hours_per_week="3"), "activities[0].hours_per_week", "not_hours"),
        (_activity(hours_per_week=True), "activities[0].hours_per_week", "not_hours"),
        (_activity(hours_per_week=float("nan")), "activities[0].hours_per_week", "not_hours"),
        (_activity(hours_per_week=float("inf")), "activities[0].hours_per_week", "not_hours"),
        (_activity(hours_per_week=168.5), "activities[0].hours_per_week", "more_than_a_week"),
        (_activity(hours_per_week=10**400), "activities[0].hours_per_week", "more_than_a_week"),
        (_activity(hazards="heights"), "activities[0].hazards", "not_list"),
        (_activity(hazards=["heights", "fire"]), "activities[0].hazards[1]", "unknown_value"),
        (_activity(night="yes"), "activities[0].night", "not_boolean"),
        (_activity(night=1), "activities[0].night", "not_boolean"),
        ({"age": 12, "worst_forms": ["slavery"]}, "worst_forms[0]", "unknown_value"),
        ({"age": 12, "worst_forms": "trafficking"}, "worst_forms", "not_list"),
        ({"age": 12, "place": "mine"}, "place", "unknown_value"),
        ({"age": 12, "place": ["mine_site"]}, "place", "unknown_value"),
        ({"age": 12, "place": True}, "place", "unknown_value"),
        (
            {"age": 12, "household_chores_hours_per_week": -1},
            "household_chores_hours_per_week",
            "not_hours",
        ),
        (
            {"age": 12, "household_chores_hours_per_week": 169},
            "household_chores_hours_per_week",
            "more_than_a_week",
        ),
    ],
)
def test_each_kind_of_bad_input_is_refused_with_its_field(data, path, code):
    with pytest.raises(ObservationError) as caught:
        parse_observation(data)

    assert (caught.value.path, caught.value.code) == (path, code)
    assert str(caught.value).startswith(f"{path}: " if path else "the observation must be")


def test_an_unknown_value_lists_the_accepted_ones():
    with pytest.raises(ObservationError) as caught:
        parse_observation(_activity(sector="mine"))

    assert str(caught.value) == (
        "activities[0].sector: unknown value 'mine' (expected one of: mining, agriculture, "
        "manufacturing, domestic_service, trade, services, other)"
    )


def test_a_week_of_activities_cannot_pass_168_hours():
    activities = [
        {"sector": "trade", "hours_per_week": 84},
        {"sector": "mining", "hours_per_week": 84.5},
    ]

    with pytest.raises(ObservationError) as caught:
        parse_observation({"age": 15, "activities": activities})

    assert str(caught.value) == (
        "activities: the activities add up to 168.5 hours per week, "
        "more than the 168 hours in a week"
    )


def test_exactly_168_hours_of_activities_is_accepted():
    activities = [
        {"sector": "trade", "hours_per_week": 84},
        {"sector": "mining", "hours_per_week": 84},
    ]

    assert parse_observation({"age": 15, "activities": activities}).economic_hours_per_week == 168


def test_activities_and_chores_together_cannot_pass_168_hours():
    with pytest.raises(ObservationError) as caught:
        parse_observation(
            {
                "age": 15,
                "activities": [{"sector": "trade", "hours_per_week": 100}],
                "household_chores_hours_per_week": 70,
            }
        )

    assert caught.value.path == "household_chores_hours_per_week"
    assert "adds up to 170 hours" in str(caught.value)


def test_a_long_bad_value_is_shortened_in_the_message():
    with pytest.raises(ObservationError) as caught:
        parse_observation(_activity(sector="x" * 10_000))

    assert len(str(caught.value)) < 250


@pytest.mark.parametrize("place", ["household", "mine_site", "school", "other"])
def test_the_place_where_the_child_was_met_is_read(place):
    assert parse_observation({"age": 12, "place": place}).place == place


@pytest.mark.parametrize("data", [{"age": 12}, {"age": 12, "place": None}])
def test_a_missing_place_is_unknown(data):
    assert parse_observation(data).place is None
