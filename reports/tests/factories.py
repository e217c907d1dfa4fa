"""Programme data for report tests, written through the monitoring and cases services."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from cases.choices import OPEN_CASE_STATES, CaseState, ClosureReason
from cases.models import Case
from cases.services import closure, transfers
from cases.tests.factories import advance, open_case, working_follow_up
from geo.models import Site
from monitoring.choices import IdentificationStatus, SchoolStatus, Sex, VisitKind
from monitoring.models import Child, Identification
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
from monitoring.tests.factories import make_child, make_household

_NEXT = {
    CaseState.IDENTIFIED: CaseState.IMMEDIATE_PROTECTION,
    CaseState.IMMEDIATE_PROTECTION: CaseState.ASSESSMENT,
    CaseState.ASSESSMENT: CaseState.PLAN_AGREED,
    CaseState.PLAN_AGREED: CaseState.IN_REMEDIATION,
    CaseState.IN_REMEDIATION: CaseState.FOLLOW_UP,
}


def facilitator_for(world, area):
    return world.facilitator if area == world.village else world.other_facilitator


def add_child(world, rng: random.Random, *, working: bool, area=None) -> Child:
    """A new household with one child (in `area`, else either village), seen on a visit some
    days ago."""
    area = area or rng.choice([world.village, world.other_village])
    facilitator = facilitator_for(world, area)
    household = make_household(facilitator, area, head_name=f"Head {rng.random()}")
    age = rng.randint(6, 17)
    today = timezone.localdate()
    child = make_child(
        facilitator,
        household,
        first_name=f"Child{rng.randint(1, 10**6)}",
        birth_date=date(today.year - age, rng.randint(1, 12), rng.randint(1, 28)),
        sex=rng.choice([Sex.FEMALE, Sex.MALE]),
    )
    see(world, child, working=working, days_ago=rng.randint(0, 200))
    return child


def see(world, child: Child, *, working: bool, days_ago: int = 0) -> None:
    assert child.household is not None  # these children are all registered in a household
    area = child.household.area
    facilitator = facilitator_for(world, area)
    activities = (ActivityInput("washing_ore", 10, ("dust_or_chemicals",)),) if working else ()
    visit_record(
        actor=facilitator,
        facilitator=facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=timezone.localdate() - timedelta(days=days_ago),
        household=child.household,
        observations=[
            ObservationInput(
                child=child,
                school_status=(
                    SchoolStatus.NOT_ENROLLED if working else SchoolStatus.ATTENDING_REGULARLY
                ),
                activities=activities,
            )
        ],
    )


def see_at_site(world, rng: random.Random, sites: list[Site], child: Child | None = None) -> None:
    """A child seen working at a mine site, which may lie outside the child's community."""
    children = list(Child.objects.filter(merged_into__isnull=True).order_by("id"))
    if not children:
        return
    child = child or rng.choice(children)
    site = rng.choice(sites)
    facilitator = facilitator_for(world, site.area)
    visit_record(
        actor=facilitator,
        facilitator=facilitator,
        kind=VisitKind.SITE,
        visited_on=timezone.localdate() - timedelta(days=rng.randint(0, 60)),
        site=site,
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.NOT_ENROLLED,
                activities=(ActivityInput("washing_ore", 10, ("dust_or_chemicals",)),),
            )
        ],
    )


def met_at_site(world, rng: random.Random, site: Site) -> Child:
    """A child met working at a mine site whose family is not known yet: registered without a
    household, in the site's community."""
    facilitator = facilitator_for(world, site.area)
    age = rng.randint(8, 17)
    today = timezone.localdate()
    child = make_child(
        facilitator,
        None,
        first_name=f"Met{rng.randint(1, 10**6)}",
        birth_date=date(today.year - age, rng.randint(1, 12), rng.randint(1, 28)),
        sex=rng.choice([Sex.FEMALE, Sex.MALE]),
        met_in=site.area,
    )
    see_at_site(world, rng, [site], child=child)
    return child


def open_a_case(world, rng: random.Random) -> Case | None:
    waiting = list(
        Identification.objects.filter(status=IdentificationStatus.OPEN).order_by("id")[:20]
    )
    if not waiting:
        return None
    return open_case(world, identification=rng.choice(waiting))


def open_cases(rng: random.Random) -> list[Case]:
    return list(Case.objects.filter(state__in=OPEN_CASE_STATES).order_by("id"))


def step_case(world, rng: random.Random) -> None:
    cases = [case for case in open_cases(rng) if case.state in _NEXT]
    if cases:
        case = rng.choice(cases)
        advance(case, _NEXT[CaseState(case.state)], world.case_manager)


def relapse(world, rng: random.Random) -> None:
    cases = [
        case
        for case in open_cases(rng)
        if case.state in (CaseState.IN_REMEDIATION, CaseState.FOLLOW_UP)
    ]
    if cases:
        working_follow_up(world.case_manager, rng.choice(cases))


def sponsor(world, rng: random.Random, company) -> None:
    cases = list(Case.objects.order_by("id"))
    if cases:
        case = rng.choice(cases)
        transfers.case_set_sponsor(
            actor=world.hub_admin,
            case=case,
            expected_version=case.version,
            sponsor=rng.choice([company, None]),
        )


def close(world, rng: random.Random) -> None:
    cases = open_cases(rng)
    if cases:
        case = rng.choice(cases)
        closure.case_close(
            actor=world.case_manager,
            case=case,
            expected_version=case.version,
            reason=ClosureReason.MOVED,
            note="The family moved to Kolwezi.",
        )
