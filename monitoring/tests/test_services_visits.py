"""Recording visits: classification stored with its rule set, identification and deadlines."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError
from monitoring.choices import SchoolStatus, Urgency, VisitKind
from monitoring.models import Identification, Observation, Visit
from monitoring.services.duplicates import duplicate_merge
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db

VISIT_DAY = date(2026, 10, 1)


@pytest.fixture
def household(world):
    return make_household(world.facilitator, world.village)


@pytest.fixture
def child(world, household):
    return make_child(world.facilitator, household, birth_date=date(2013, 3, 1))  # 13 on VISIT_DAY


def _visit(world, household, *observations, external_id=None, day=VISIT_DAY):
    return visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=day,
        household=household,
        observations=list(observations),
        external_id=external_id,
    )


def _seen(child, *activities, **extra):
    return ObservationInput(
        child=child,
        school_status=extra.pop("school_status", SchoolStatus.NOT_ENROLLED),
        activities=tuple(activities),
        **extra,
    )


def test_child_washing_ore_is_hazardous_and_identified_within_72_hours(world, household, child):
    before = timezone.now()
    _visit(world, household, _seen(child, ActivityInput("washing_ore", 10, ("dust_or_chemicals",))))
    observation = Observation.objects.get()
    assert observation.category == "hazardous_child_labour"
    assert "HAZ-SECTOR-MINING" in observation.reasons
    assert observation.ruleset.startswith("drc@")
    assert observation.age_at_visit == 13
    identification = Identification.objects.get()
    assert identification.urgency == Urgency.HIGH
    assert identification.deadline_at - before <= timedelta(hours=72, seconds=5)


def test_child_in_school_with_light_chores_is_not_identified(world, household, child):
    _visit(
        world,
        household,
        _seen(child, school_status=SchoolStatus.ATTENDING_REGULARLY, household_chores_hours=5),
    )
    assert Observation.objects.get().category == "no_child_labour"
    assert not Identification.objects.exists()


def test_immediate_danger_means_24_hours_even_for_child_labour(world, household, child):
    _visit(
        world, household, _seen(child, ActivityInput("market_vending", 5), immediate_danger=True)
    )
    assert Identification.objects.get().urgency == Urgency.IMMEDIATE


def test_a_second_finding_updates_the_open_identification(world, household, child):
    _visit(world, household, _seen(child, ActivityInput("market_vending", 5)))
    first = Identification.objects.get()
    assert first.urgency == Urgency.STANDARD
    _visit(
        world,
        household,
        _seen(child, ActivityInput("digging", 20), worst_forms=("debt_bondage",)),
        day=VISIT_DAY + timedelta(days=1),
    )
    again = Identification.objects.get()
    assert again.pk == first.pk
    assert again.category == "worst_forms"
    assert again.urgency == Urgency.IMMEDIATE
    assert again.deadline_at < first.deadline_at


def test_a_visit_entered_late_keeps_the_deadline_of_its_day_and_shows_overdue(
    world, household, child
):
    three_days_ago = timezone.localdate() - timedelta(days=3)
    _visit(
        world,
        household,
        _seen(child, ActivityInput("digging", 20), worst_forms=("trafficking",)),
        day=three_days_ago,
    )
    identification = Identification.objects.get()
    end_of_visit_day = timezone.make_aware(
        datetime.combine(three_days_ago + timedelta(days=1), time.min)
    )
    # The 24 hours ran from the visit, not from the data entry: already overdue.
    assert identification.deadline_at == end_of_visit_day + timedelta(hours=24)
    assert identification.deadline_at < timezone.now()
    assert identification.identified_at > identification.deadline_at


def test_a_visit_entered_on_its_day_gets_the_full_window(world, household, child):
    before = timezone.now()
    _visit(
        world,
        household,
        _seen(child, ActivityInput("digging", 20), worst_forms=("trafficking",)),
        day=timezone.localdate(),
    )
    deadline = Identification.objects.get().deadline_at
    assert before + timedelta(hours=24) <= deadline <= timezone.now() + timedelta(hours=24)


def test_the_same_submission_twice_records_one_visit(world, household, child):
    seen = _seen(child, ActivityInput("digging", 4))
    first = _visit(world, household, seen, external_id="uuid:1")
    again = _visit(world, household, seen, external_id="uuid:1")
    assert first.pk == again.pk
    assert Visit.objects.count() == 1
    assert Observation.objects.count() == 1


@pytest.mark.parametrize(
    ("observation", "field"),
    [
        (
            lambda c: _seen(c, ActivityInput("digging", -1)),
            "children[0].activities[0].hours_per_week",
        ),
        (
            lambda c: _seen(c, ActivityInput("digging", "lots")),
            "children[0].activities[0].hours_per_week",
        ),
        (lambda c: _seen(c, ActivityInput("no_such_task", 3)), "children[0].activities[0].task"),
        (
            lambda c: _seen(c, ActivityInput("digging", 3, ("lava",))),
            "children[0].activities[0].hazards",
        ),
        (
            lambda c: _seen(c, ActivityInput("digging", 100), household_chores_hours=100),
            "children[0].activities",
        ),
        (lambda c: _seen(c, school_status="maybe"), "children[0].school_status"),
        (lambda c: _seen(c, worst_forms=("piracy",)), "children[0].worst_forms"),
    ],
)
def test_bad_visit_input_names_the_field_and_saves_nothing(
    world, household, child, observation, field
):
    with pytest.raises(DomainError) as refused:
        _visit(world, household, observation(child))
    assert refused.value.field == field
    assert not Visit.objects.exists()


def test_a_visit_in_the_future_is_refused(world, household, child):
    with pytest.raises(DomainError) as refused:
        _visit(world, household, _seen(child), day=timezone.localdate() + timedelta(days=1))
    assert refused.value.field == "visited_on"


def test_a_child_of_another_household_is_refused(world, household):
    other = make_household(world.facilitator, world.village, head_name="Someone Else")
    stranger = make_child(world.facilitator, other, first_name="Joseph")
    with pytest.raises(DomainError) as refused:
        _visit(world, household, _seen(stranger))
    assert refused.value.code == "visit.child_elsewhere"


def test_merging_duplicates_keeps_every_visit_and_one_open_identification(world, household):
    first = make_child(world.facilitator, household, birth_date=date(2013, 3, 1))
    second = make_child(
        world.facilitator, household, first_name="Amany", birth_date=date(2013, 3, 1)
    )
    second.first_name_hash = first.first_name_hash
    second.save()
    from monitoring.services.duplicates import find_candidates

    [candidate] = find_candidates(second)
    _visit(world, household, _seen(first, ActivityInput("digging", 5)))
    _visit(
        world,
        household,
        _seen(second, ActivityInput("market_vending", 2)),
        day=VISIT_DAY + timedelta(days=3),
    )
    assert Identification.objects.filter(status="open").count() == 2
    duplicate_merge(actor=world.hub_admin, candidate=candidate, keep=first)
    assert Observation.objects.filter(child=first).count() == 2
    assert Identification.objects.filter(status="open").count() == 1
    second.refresh_from_db()
    assert second.merged_into_id == first.pk


def test_a_facilitator_cannot_merge(world, household):
    first = make_child(world.facilitator, household)
    second = make_child(
        world.facilitator, household, first_name="Amani", birth_date=date(2014, 3, 1)
    )
    from monitoring.models import DuplicateCandidate

    candidate = DuplicateCandidate.objects.get()
    with pytest.raises(DomainError):
        duplicate_merge(actor=world.facilitator, candidate=candidate, keep=first)
    assert second.merged_into_id is None


def _site_visit(world, site, *observations):
    return visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.SITE,
        visited_on=VISIT_DAY,
        site=site,
        observations=list(observations),
    )


def test_a_child_selling_food_on_a_mine_site_is_hazardous_and_due_within_72_hours(world, child):
    from geo.tests.factories import SiteFactory

    mine = SiteFactory(area=world.village, kind="artisanal_mine")
    _site_visit(world, mine, _seen(child, ActivityInput("market_vending", 6)))

    observation = Observation.objects.get()
    assert observation.category == "hazardous_child_labour"
    assert observation.reasons == ["DRC-MINE-SITE-ANY-WORK", "DRC-MIN-AGE-16"]
    assert Identification.objects.get(child=child).urgency == Urgency.HIGH


@pytest.mark.parametrize("kind", ["trading_depot", "farm", "school"])
def test_selling_food_at_other_sites_is_judged_by_the_work_alone(world, child, kind):
    from geo.tests.factories import SiteFactory

    site = SiteFactory(area=world.village, kind=kind)
    _site_visit(world, site, _seen(child, ActivityInput("market_vending", 6)))

    observation = Observation.objects.get()
    assert (observation.category, observation.reasons) == ("child_labour", ["DRC-MIN-AGE-16"])
