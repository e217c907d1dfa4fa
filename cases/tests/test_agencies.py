"""Accreditation, staff clearance, and which agencies may take a child (with the reasons)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Organisation
from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import AccreditationLevel, AccreditationStatus, BackgroundCheckType
from cases.services import agencies as service
from cases.services.referrals import referral_accept, referral_create
from cases.tests.factories import accredit, clear, identify_child, open_case
from core.errors import DomainError
from geo.models import AreaLevel
from geo.tests.factories import make_area

pytestmark = pytest.mark.django_db


def test_accreditation_is_recorded_and_audited(world, agencies):
    accreditation = agencies.one.accreditation
    assert accreditation.is_valid_on(timezone.localdate())
    assert list(accreditation.service_areas.all()) == [world.province]
    event = AuditEvent.objects.filter(action=Action.ACCREDITATION_SET).latest("id")
    assert event.actor == world.hub_admin
    assert event.changes["capacity"] == 10


@pytest.mark.parametrize("persona", ["programme_manager", "supervisor", "case_manager"])
def test_only_the_hub_administration_accredits(world, persona):
    with pytest.raises(DomainError) as refused:
        service.accreditation_set(
            actor=getattr(world, persona),
            agency=Organisation.objects.get(name="Agency One"),
            level=AccreditationLevel.FULL,
            status=AccreditationStatus.ACTIVE,
            valid_from=timezone.localdate(),
            valid_to=timezone.localdate(),
            capacity=5,
            service_areas=[world.province],
            languages=[],
            services_offered=[],
        )
    assert refused.value.code == "accreditation.not_allowed"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"capacity": 0}, "accreditation.capacity"),
        ({"service_areas": []}, "accreditation.areas"),
        ({"languages": ["klingon"]}, "accreditation.language"),
        ({"services_offered": ["magic"]}, "accreditation.service"),
        ({"level": "senior"}, "accreditation.level"),
        ({"valid_to": timezone.localdate() - timedelta(days=400)}, "accreditation.period"),
    ],
)
def test_accreditation_refuses_bad_input(world, overrides, code):
    with pytest.raises(DomainError) as refused:
        accredit(world, Organisation.objects.get(name="Agency One"), **overrides)
    assert refused.value.code == code


def test_a_company_cannot_be_accredited(world):
    with pytest.raises(DomainError) as refused:
        accredit(world, Organisation.objects.get(name="Company One"))
    assert refused.value.code == "accreditation.not_agency"


def _refusal_for_new_case(world, agencies):
    identification = identify_child(world)
    with pytest.raises(DomainError) as refused:
        referral_create(actor=world.hub_admin, identification=identification, agency=agencies.one)
    return refused.value


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": AccreditationStatus.SUSPENDED}, "Agency One's accreditation is suspended."),
        (
            {
                "valid_from": timezone.localdate() - timedelta(days=400),
                "valid_to": timezone.localdate() - timedelta(days=1),
            },
            "Agency One's accreditation expired on "
            f"{(timezone.localdate() - timedelta(days=1)).isoformat()}.",
        ),
        (
            {"status": AccreditationStatus.EXPIRED},
            "Agency One's accreditation expired on "
            f"{(timezone.localdate() + timedelta(days=365)).isoformat()}.",
        ),
        (
            {
                "valid_from": timezone.localdate() + timedelta(days=3),
                "valid_to": timezone.localdate() + timedelta(days=300),
            },
            "Agency One's accreditation only starts on "
            f"{(timezone.localdate() + timedelta(days=3)).isoformat()}.",
        ),
    ],
)
def test_an_agency_without_valid_accreditation_gets_no_case(world, agencies, overrides, message):
    accredit(world, agencies.one, **overrides)
    refused = _refusal_for_new_case(world, agencies)
    assert refused.code == "case.agency_refused"
    assert refused.message == message


def test_an_agency_never_accredited_gets_no_case(world, agencies):
    unaccredited = Organisation.objects.create(name="Agency Three", type="agency")
    identification = identify_child(world)
    with pytest.raises(DomainError) as refused:
        referral_create(actor=world.hub_admin, identification=identification, agency=unaccredited)
    assert refused.value.message == "Agency Three has no accreditation."


def test_an_agency_gets_no_case_outside_its_areas(world, agencies):
    elsewhere = make_area("Haut-Katanga", AreaLevel.PROVINCE, world.country, code="CD-HK")
    accredit(world, agencies.one, service_areas=[elsewhere])
    refused = _refusal_for_new_case(world, agencies)
    assert refused.message == "Agency One does not work in Kasulo."


def test_an_agency_at_capacity_gets_no_case(world, agencies):
    accredit(world, agencies.one, capacity=1)
    open_case(world)
    refused = _refusal_for_new_case(world, agencies)
    assert refused.message == "Agency One is at capacity: 1 open cases for 1 places."


def test_capacity_is_checked_again_at_acceptance(world, agencies):
    referral = referral_create(
        actor=world.hub_admin, identification=identify_child(world), agency=agencies.one
    )
    accredit(world, agencies.one, capacity=1)
    open_case(world, first_name="Joseph")
    with pytest.raises(DomainError) as refused:
        referral_accept(
            actor=world.case_manager, referral=referral, case_manager=world.case_manager
        )
    assert refused.value.message == "Agency One is at capacity: 1 open cases for 1 places."


def test_a_case_manager_whose_check_lapsed_is_not_assigned(world, agencies):
    lapsed_on = timezone.localdate() - timedelta(days=2)
    lapsed = world.supervisor
    lapsed.background_checks.all().delete()
    clear(world, lapsed, expires_on=lapsed_on)
    referral = referral_create(
        actor=world.hub_admin, identification=identify_child(world), agency=agencies.one
    )
    with pytest.raises(DomainError) as refused:
        referral_accept(actor=world.case_manager, referral=referral, case_manager=lapsed)
    assert refused.value.code == "case.staff_not_cleared"
    assert refused.value.message == (
        f"{lapsed.full_name}'s background check lapsed on {lapsed_on.isoformat()}, so they "
        "cannot be assigned a new case until a new check is recorded."
    )


def test_a_case_manager_without_any_check_is_not_assigned(world, agencies):
    world.supervisor.background_checks.all().delete()
    referral = referral_create(
        actor=world.hub_admin, identification=identify_child(world), agency=agencies.one
    )
    with pytest.raises(DomainError) as refused:
        referral_accept(actor=world.case_manager, referral=referral, case_manager=world.supervisor)
    assert refused.value.message == (
        f"{world.supervisor.full_name} has no background check on record, so cannot be "
        "assigned a case."
    )


def test_a_case_manager_of_another_agency_is_not_assigned(world, agencies):
    referral = referral_create(
        actor=world.hub_admin, identification=identify_child(world), agency=agencies.one
    )
    with pytest.raises(DomainError) as refused:
        referral_accept(
            actor=world.case_manager,
            referral=referral,
            case_manager=world.other_agency_case_manager,
        )
    assert "is not a case manager of this agency" in refused.value.message


def test_background_checks_need_a_sensible_period_and_the_hub(world):
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        service.background_check_record(
            actor=world.hub_admin,
            user=world.case_manager,
            type=BackgroundCheckType.CRIMINAL_RECORD,
            checked_on=today,
            expires_on=today,
        )
    assert refused.value.code == "background_check.period"
    with pytest.raises(DomainError) as refused:
        service.background_check_record(
            actor=world.supervisor,
            user=world.case_manager,
            type=BackgroundCheckType.CRIMINAL_RECORD,
            checked_on=today,
            expires_on=today + timedelta(days=30),
        )
    assert refused.value.code == "accreditation.not_allowed"


def test_training_is_recorded_by_the_hub_or_the_agency_supervisor(world, agencies):
    today = timezone.localdate()
    record = service.training_record_add(
        actor=world.supervisor,
        user=world.case_manager,
        course="Child safeguarding",
        completed_on=today,
    )
    assert record.recorded_by == world.supervisor
    with pytest.raises(DomainError) as refused:
        service.training_record_add(
            actor=world.other_agency_case_manager,
            user=world.case_manager,
            course="Child safeguarding",
            completed_on=today,
        )
    assert refused.value.code == "training.not_allowed"
    with pytest.raises(DomainError):
        service.training_record_add(
            actor=world.hub_admin, user=world.case_manager, course="  ", completed_on=today
        )


def test_suggestions_list_eligible_agencies_with_counts_and_say_why_others_are_not(world, agencies):
    open_case(world)
    open_case(world, first_name="Joseph")
    accredit(world, agencies.two, capacity=20)
    Organisation.objects.create(name="Agency Three", type="agency")
    Organisation.objects.create(name="Agency Closed", type="agency", is_active=False)

    first = service.agency_suggestions(area=world.village)
    assert [(o.agency.name, o.open_cases, o.places_left) for o in first.eligible] == [
        ("Agency Two", 0, 20),
        ("Agency One", 2, 8),
    ]
    assert [(e.agency.name, e.reason) for e in first.excluded] == [
        ("Agency Three", "Agency Three has no accreditation.")
    ]

    accredit(world, agencies.two, status=AccreditationStatus.SUSPENDED)
    suggestions = service.agency_suggestions(area=world.village)
    assert [option.agency.name for option in suggestions.eligible] == ["Agency One"]
    assert ("Agency Two", "Agency Two's accreditation is suspended.") in [
        (e.agency.name, e.reason) for e in suggestions.excluded
    ]


def test_suggestions_for_a_future_day_use_that_day(world, agencies):
    accredit(world, agencies.one, valid_to=timezone.localdate() + timedelta(days=10))
    later = service.agency_suggestions(
        area=world.village, on=timezone.localdate() + timedelta(days=11)
    )
    assert [option.agency.name for option in later.eligible] == ["Agency Two"]


def test_suggestions_cost_a_fixed_number_of_queries(world, agencies, django_assert_max_num_queries):
    for number in range(5):
        agency = Organisation.objects.create(name=f"Agency {number + 10}", type="agency")
        accredit(world, agency)
    with django_assert_max_num_queries(5):
        suggestions = service.agency_suggestions(area=world.village)
    # The new agencies have no cleared staff yet: excluded, and the desk is told why.
    assert len(suggestions.eligible) == 2
    assert "Agency 10 has no case manager with a valid background check to take the child." in [
        exclusion.reason for exclusion in suggestions.excluded
    ]
