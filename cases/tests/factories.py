"""Agencies, identified children and cases built through the services, as production builds them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Organisation
from cases.choices import (
    AccreditationLevel,
    AccreditationStatus,
    BackgroundCheckType,
    CaseState,
    Currency,
    NeedLevel,
    PlanItemKind,
    RootCause,
)
from cases.services import agencies, follow_ups, lifecycle, plans, referrals
from monitoring.choices import ConsentKind, IdentificationStatus, SchoolStatus, VisitKind
from monitoring.models import Identification
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
from monitoring.tests.factories import make_child, make_household


def accredit(world, agency: Organisation, **overrides):
    today = timezone.localdate()
    values: dict[str, Any] = {
        "level": AccreditationLevel.FULL,
        "status": AccreditationStatus.ACTIVE,
        "valid_from": today - timedelta(days=365),
        "valid_to": today + timedelta(days=365),
        "capacity": 10,
        "service_areas": [world.province],
        "languages": ["fr", "sw"],
        "services_offered": [PlanItemKind.SCHOOL_REINTEGRATION, PlanItemKind.MONTHLY_STIPEND],
    }
    values.update(overrides)
    return agencies.accreditation_set(actor=world.hub_admin, agency=agency, **values)


def clear(world, user, *, level=AccreditationLevel.FULL, expires_on: date | None = None):
    """A background check valid today and a level, as the Hub records them."""
    today = timezone.localdate()
    expires = expires_on or today + timedelta(days=365)
    agencies.background_check_record(
        actor=world.hub_admin,
        user=user,
        type=BackgroundCheckType.CRIMINAL_RECORD,
        checked_on=min(today, expires - timedelta(days=365)),
        expires_on=expires,
    )
    agencies.caseworker_level_set(actor=world.hub_admin, user=user, level=level)


def identify_child(world, *, birth_date=date(2013, 3, 1), first_name="Amani", area=None):
    """A child found washing ore (hazardous child labour): an open identification."""
    area = area or world.village
    facilitator = world.facilitator if area == world.village else world.other_facilitator
    household = make_household(facilitator, area, head_name=f"Head of {first_name}")
    child = make_child(facilitator, household, first_name=first_name, birth_date=birth_date)
    visit_record(
        actor=facilitator,
        facilitator=facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=timezone.localdate(),
        household=household,
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.NOT_ENROLLED,
                activities=(ActivityInput("washing_ore", 10, ("dust_or_chemicals",)),),
            )
        ],
    )
    return Identification.objects.get(child=child, status=IdentificationStatus.OPEN)


def open_case(world, *, identification=None, agency=None, case_manager=None, **child):
    identification = identification or identify_child(world, **child)
    agency = agency or Organisation.objects.get(name="Agency One")
    referral = referrals.referral_create(
        actor=world.hub_admin, identification=identification, agency=agency
    )
    case_manager = case_manager or world.case_manager
    return referrals.referral_accept(
        actor=case_manager, referral=referral, case_manager=case_manager
    )


def record_assessment(actor, case):
    return plans.assessment_record(
        actor=actor,
        case=case,
        education_need=NeedLevel.HIGH,
        health_need=NeedLevel.LOW,
        family_income_need=NeedLevel.HIGH,
        safety_need=NeedLevel.MEDIUM,
        psychosocial_need=NeedLevel.LOW,
        root_causes=[RootCause.POVERTY, RootCause.SCHOOL_COSTS],
        risks="Returns to the washing pools when the family has no food.",
        child_views="I want to go back to school and become a nurse.",
    )


def add_item(actor, case, kind=PlanItemKind.SCHOOL_REINTEGRATION, **extra):
    today = timezone.localdate()
    values: dict[str, Any] = {
        "responsible_party": "Agency One",
        "budget_amount": Decimal("120.00"),
        "currency": Currency.USD,
        "starts_on": today,
        "ends_on": today + timedelta(days=300),
    }
    values.update(extra)
    return plans.plan_item_add(actor=actor, case=case, kind=kind, **values)


def record_consents(actor, case, *, caregiver=True, child=True):
    today = timezone.localdate()
    if caregiver:
        plans.case_consent_record(
            actor=actor,
            case=case,
            kind=ConsentKind.CAREGIVER_CONSENT,
            given=True,
            obtained_on=today,
        )
    if child:
        plans.case_consent_record(
            actor=actor, case=case, kind=ConsentKind.CHILD_ASSENT, given=True, obtained_on=today
        )


def clean_follow_up(actor, case, **extra):
    values: dict[str, Any] = {
        "visited_on": timezone.localdate(),
        "school_status": SchoolStatus.ATTENDING_REGULARLY,
    }
    values.update(extra)
    return follow_ups.case_record_follow_up(
        actor=actor, case=case, expected_version=case.version, **values
    )


def working_follow_up(actor, case, **extra):
    extra.setdefault("activities", (ActivityInput("washing_ore", 10, ("dust_or_chemicals",)),))
    extra.setdefault("school_status", SchoolStatus.DROPPED_OUT)
    return clean_follow_up(actor, case, **extra)


_ORDER = [
    CaseState.IDENTIFIED,
    CaseState.IMMEDIATE_PROTECTION,
    CaseState.ASSESSMENT,
    CaseState.PLAN_AGREED,
    CaseState.IN_REMEDIATION,
    CaseState.FOLLOW_UP,
]


def advance(case, to_state, actor, *, item_kind=PlanItemKind.SCHOOL_REINTEGRATION):
    """Drive `case` forward through the services until it reaches `to_state`."""
    while _ORDER.index(case.state) < _ORDER.index(to_state):
        if case.state == CaseState.IDENTIFIED:
            case = lifecycle.case_start_protection(
                actor=actor,
                case=case,
                expected_version=case.version,
                note="Taken away from the washing pools.",
            )
        elif case.state == CaseState.IMMEDIATE_PROTECTION:
            case = lifecycle.case_start_assessment(
                actor=actor, case=case, expected_version=case.version
            )
        elif case.state == CaseState.ASSESSMENT:
            record_assessment(actor, case)
            add_item(actor, case, kind=item_kind)
            record_consents(actor, case)
            case = lifecycle.case_agree_plan(actor=actor, case=case, expected_version=case.version)
        elif case.state == CaseState.PLAN_AGREED:
            case = lifecycle.case_start_remediation(
                actor=actor, case=case, expected_version=case.version
            )
        elif case.state == CaseState.IN_REMEDIATION:
            case = clean_follow_up(actor, case).case
    return case
