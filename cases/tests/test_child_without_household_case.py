"""A child met on a mine site, family unknown, followed end to end on the case side.

Such a child has no household and belongs to the community where they were met (decision 0009).
The monitoring side was tested when that landed; here the case goes from the site visit to
follow-ups through the services, and the pages show what the agency staff and outsiders see.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import CaseState, PlanStatus, ReferralStatus
from cases.models import FollowUp
from cases.policy import add_months
from cases.services import referrals
from cases.tests.factories import advance, clean_follow_up
from geo.models import SiteKind
from geo.tests.factories import SiteFactory
from monitoring.choices import IdentificationStatus, SchoolStatus, VisitKind
from monitoring.models import Identification
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
from monitoring.tests.factories import make_child

pytestmark = pytest.mark.django_db

# Every persona but the agency's own staff; the facilitator who met the child holds no case right.
OUTSIDERS = [
    "other_agency_case_manager",
    "facilitator",
    "other_facilitator",
    "company_member",
    "auditor",
    "no_role_user",
]


def _text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def met_on_site(world) -> Identification:
    """A girl washing ore at a pit of Kasulo whose family nobody there could name."""
    pit = SiteFactory(name="Shabara pit", area=world.village, kind=SiteKind.ARTISANAL_MINE)
    child = make_child(world.facilitator, None, first_name="Furaha", met_in=world.village)
    visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.SITE,
        visited_on=timezone.localdate(),
        site=pit,
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.NOT_ENROLLED,
                activities=(ActivityInput("washing_ore", 10, ("dust_or_chemicals",)),),
            )
        ],
    )
    return Identification.objects.get(child=child, status=IdentificationStatus.OPEN)


@pytest.fixture
def referral(world, agencies):
    """Routed by the Hub's desk to Agency One."""
    return referrals.referral_create(
        actor=world.hub_admin, identification=met_on_site(world), agency=agencies.one
    )


@pytest.fixture
def case(world, referral):
    return referrals.referral_accept(
        actor=world.case_manager, referral=referral, case_manager=world.case_manager
    )


@pytest.fixture
def following(world, case):
    """The plan agreed, remediation started and a first clean follow-up recorded."""
    return clean_follow_up(
        world.case_manager, advance(case, CaseState.IN_REMEDIATION, world.case_manager)
    ).case


def test_the_referral_waits_in_the_agency_inbox_under_the_community_where_met(
    world, client_for, referral
):
    client = client_for(world.case_manager)

    inbox = _text(client.get(reverse("cases:referral_inbox")))
    detail = _text(client.get(reverse("cases:referral_detail", args=[referral.pk])))

    assert referral.child.code in inbox
    assert world.village.name in inbox.split(referral.child.code, 1)[1].split("</li>", 1)[0]
    assert f'{world.village.name} <span class="muted">{world.village.code}</span>' in detail
    other = client_for(world.other_agency_case_manager)
    assert referral.child.code not in _text(other.get(reverse("cases:referral_inbox")))
    assert other.get(reverse("cases:referral_detail", args=[referral.pk])).status_code == 404


def test_the_case_runs_from_the_site_visit_to_follow_ups(world, case):
    child = case.child
    assert (child.household, child.area) == (None, world.village)
    assert case.referral.status == ReferralStatus.ACCEPTED
    assert case.referral.area == world.village
    assert (case.agency.name, case.case_manager) == ("Agency One", world.case_manager)

    case = advance(case, CaseState.IN_REMEDIATION, world.case_manager)
    assert case.plan.status == PlanStatus.AGREED
    assert case.assessments.exists()

    first = clean_follow_up(world.case_manager, case)

    visit = first.observation.visit
    assert (visit.kind, visit.household, visit.site) == (VisitKind.FOLLOW_UP, None, None)
    assert visit.area == world.village  # the community where she was met
    assert first.observation.category == "no_child_labour"
    case = first.case
    assert case.state == CaseState.FOLLOW_UP
    assert case.next_follow_up_due_on == add_months(first.visited_on, 1)
    recorded = AuditEvent.objects.get(action=Action.FOLLOW_UP_RECORD, subject_id=str(first.pk))
    assert recorded.actor == world.case_manager
    assert recorded.changes["relapse"] is False

    # A month on, the next follow-up is recorded and the schedule moves on again.
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        second = clean_follow_up(world.case_manager, case)
    assert second.visited_on == first.visited_on + timedelta(days=31)
    assert second.case.state == CaseState.FOLLOW_UP
    assert second.case.next_follow_up_due_on == add_months(second.visited_on, 1)
    assert second.case.next_follow_up_due_on > case.next_follow_up_due_on
    assert list(case.follow_ups.order_by("visited_on")) == [first, second]
    # A clean follow-up is no new finding: the child keeps the one identification, referred.
    assert list(Identification.objects.filter(child=child).values_list("status", flat=True)) == [
        IdentificationStatus.REFERRED
    ]


@pytest.mark.parametrize("persona", ["case_manager", "supervisor"])
def test_the_agency_staff_see_the_community_where_she_was_met(
    world, client_for, following, persona
):
    client = client_for(getattr(world, persona))

    listing = _text(client.get(reverse("cases:case_list")))
    in_kasulo = _text(client.get(reverse("cases:case_list"), {"area": world.village.code}))
    in_kanina = _text(client.get(reverse("cases:case_list"), {"area": world.other_village.code}))
    page = _text(client.get(reverse("cases:case_detail", args=[following.pk])))

    assert following.number in listing
    row = listing.split(following.number, 1)[1].split("</li>", 1)[0]
    assert following.child.code in row
    assert world.village.name in row
    assert following.number in in_kasulo
    assert following.number not in in_kanina
    facts = page.split('id="case-facts"', 1)[1].split("</section>", 1)[0]
    assert following.child.code in facts
    assert world.village.name in facts
    due = following.next_follow_up_due_on
    assert f'<time datetime="{due.isoformat()}">' in facts  # next follow-up due on
    follow_ups = page.split('id="case-follow-ups"', 1)[1].split("</section>", 1)[0]
    assert "No child labour" in follow_ups


def test_the_case_manager_records_a_follow_up_on_the_page(world, client_for, following):
    later = following.follow_ups.get().visited_on + timedelta(days=30)

    with time_machine.travel(timezone.now() + timedelta(days=30)):
        client = client_for(world.case_manager)
        response = client.post(
            reverse("cases:case_follow_up", args=[following.pk]),
            {
                "version": following.version,
                "visited_on": later.isoformat(),
                "school_status": SchoolStatus.ATTENDING_REGULARLY,
                "household_chores_hours": "2",
                "activities-TOTAL_FORMS": "1",
                "activities-INITIAL_FORMS": "0",
                "activities-MIN_NUM_FORMS": "0",
                "activities-MAX_NUM_FORMS": "3",
            },
            follow=True,
        )

    page = _text(response)
    assert "Follow-up recorded: No child labour." in page
    assert following.follow_ups.count() == 2
    following.refresh_from_db()
    assert following.next_follow_up_due_on == add_months(later, 1)
    assert f'<time datetime="{add_months(later, 1).isoformat()}">' in page


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_nothing_of_the_case(world, client_for, following, persona):
    client = client_for(getattr(world, persona))

    detail = client.get(reverse("cases:case_detail", args=[following.pk]))
    form = client.get(reverse("cases:case_follow_up", args=[following.pk]))
    recorded = client.post(
        reverse("cases:case_follow_up", args=[following.pk]),
        {"version": following.version, "visited_on": timezone.localdate().isoformat()},
    )
    listing = client.get(reverse("cases:case_list"))

    assert (detail.status_code, form.status_code, recorded.status_code) == (404, 404, 404)
    assert listing.status_code in (200, 404)
    assert following.number not in _text(listing)
    assert following.child.code not in _text(listing)
    assert FollowUp.objects.filter(case=following).count() == 1
