"""The hub administrator's services: users, role assignments, organisations, lockouts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.principal import principal_for
from accounts.models import Organisation, OrganisationType, RoleAssignment, User
from accounts.roles import Permission, Role
from accounts.services import organisations as organisation_services
from accounts.services import users as user_services
from audit.actions import Action
from audit.models import AuditEvent
from core.errors import DomainError

pytestmark = pytest.mark.django_db


def _org(type_: str) -> Organisation:
    return Organisation.objects.get(type=type_, name__in=_WORLD_ORGS)


_WORLD_ORGS = ["Child Rights Hub", "Partner One", "Agency One", "Company One", "Verifier"]


def _create(world, **overrides):
    values = {
        "actor": world.hub_admin,
        "username": "new-person",
        "full_name": "New Person",
        "email": "New@Example.org",
        "preferred_language": "fr",
    }
    return user_services.user_create(**{**values, **overrides})


# Users ---------------------------------------------------------------------------------------


def test_user_create_without_password_returns_a_temporary_one_that_signs_in(world, client):
    created = _create(world)
    assert created.temporary_password
    assert created.user.check_password(created.temporary_password)
    assert created.user.email == "new@example.org"
    event = AuditEvent.objects.get(action=Action.USER_CREATE, subject_id=str(created.user.pk))
    assert event.actor == world.hub_admin
    assert event.changes["username"] == "new-person"
    assert created.temporary_password not in str(event.changes)
    assert created.user.must_change_password


def test_user_create_with_a_chosen_password_returns_none(world):
    created = _create(world, password="a-long-and-unusual-passphrase")
    assert created.temporary_password is None
    assert created.user.check_password("a-long-and-unusual-passphrase")
    assert created.user.must_change_password  # the administrator knows it too


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"username": "hub-admin"}, "user.username_taken", "username"),
        ({"username": "HUB-ADMIN"}, "user.username_taken", "username"),
        ({"username": "  "}, "user.username_required", "username"),
        ({"username": "with space"}, "user.invalid", "username"),
        ({"full_name": " "}, "user.full_name_required", "full_name"),
        ({"email": "not-an-email"}, "user.email_invalid", "email"),
        ({"preferred_language": "de"}, "user.language_unknown", "preferred_language"),
        ({"password": "short"}, "user.password_weak", "password"),
    ],
)
def test_user_create_refuses_bad_input(world, overrides, code, field):
    with pytest.raises(DomainError) as refused:
        _create(world, **overrides)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not User.objects.filter(full_name="New Person").exists()


@pytest.mark.parametrize(
    "persona", ["programme_manager", "facilitator", "case_manager", "auditor", "no_role_user"]
)
def test_only_user_managers_may_create_users(world, persona):
    with pytest.raises(DomainError) as refused:
        _create(world, actor=getattr(world, persona))
    assert refused.value.code == "user.not_allowed"


def test_user_create_with_role_is_all_or_nothing(world):
    with pytest.raises(DomainError) as refused:
        user_services.user_create_with_role(
            actor=world.hub_admin,
            username="new-cm",
            full_name="New Case Manager",
            email="",
            preferred_language="en",
            role=Role.CASE_MANAGER,
            organisation=_org(OrganisationType.COMPANY),
        )
    assert refused.value.code == "role.organisation_type"
    assert not User.objects.filter(username="new-cm").exists()


def test_user_update_records_old_and_new_values(world):
    user_services.user_update(
        actor=world.hub_admin,
        user=world.facilitator,
        full_name="Renamed Facilitator",
        email=world.facilitator.email,
        preferred_language="fr",
    )
    event = AuditEvent.objects.get(action=Action.USER_UPDATE)
    assert event.changes["full_name"]["new"] == "Renamed Facilitator"
    assert "email" not in event.changes
    assert event.changes["preferred_language"] == {"old": "en", "new": "fr"}


def test_user_update_without_change_writes_no_event(world):
    user = world.facilitator
    user_services.user_update(
        actor=world.hub_admin,
        user=user,
        full_name=user.full_name,
        email=user.email,
        preferred_language=user.preferred_language,
    )
    assert not AuditEvent.objects.filter(action=Action.USER_UPDATE).exists()


def test_deactivate_and_reactivate_need_a_reason_and_are_audited(world):
    with pytest.raises(DomainError) as refused:
        user_services.user_deactivate(actor=world.hub_admin, user=world.facilitator, reason=" ")
    assert refused.value.field == "reason"
    user_services.user_deactivate(actor=world.hub_admin, user=world.facilitator, reason="Left")
    world.facilitator.refresh_from_db()
    assert not world.facilitator.is_active
    assert principal_for(world.facilitator).is_anonymous
    event = AuditEvent.objects.get(action=Action.USER_DEACTIVATE)
    assert (event.reason, event.changes) == ("Left", {"is_active": {"old": True, "new": False}})
    user_services.user_reactivate(actor=world.hub_admin, user=world.facilitator, reason="Back")
    world.facilitator.refresh_from_db()
    assert world.facilitator.is_active
    assert AuditEvent.objects.get(action=Action.USER_REACTIVATE).reason == "Back"


def test_nobody_deactivates_themself(world):
    with pytest.raises(DomainError) as refused:
        user_services.user_deactivate(actor=world.hub_admin, user=world.hub_admin, reason="x")
    assert refused.value.code == "user.deactivate_self"


def test_deactivating_twice_is_refused(world):
    user_services.user_deactivate(actor=world.hub_admin, user=world.auditor, reason="Left")
    with pytest.raises(DomainError) as refused:
        user_services.user_deactivate(actor=world.hub_admin, user=world.auditor, reason="Left")
    assert refused.value.code == "user.already_inactive"


def test_reset_mfa_needs_the_permission_and_a_reason(world):
    TOTPDevice.objects.create(user=world.facilitator, name="phone", confirmed=True)
    with pytest.raises(DomainError):
        user_services.user_reset_mfa(
            actor=world.programme_manager, user=world.facilitator, reason="Lost phone"
        )
    with pytest.raises(DomainError):
        user_services.user_reset_mfa(actor=world.hub_admin, user=world.facilitator, reason="")
    user_services.user_reset_mfa(actor=world.hub_admin, user=world.facilitator, reason="Lost")
    assert not TOTPDevice.objects.filter(user=world.facilitator).exists()
    assert AuditEvent.objects.get(action=Action.MFA_RESET).reason == "Lost"


# Role assignments ----------------------------------------------------------------------------


def test_role_assign_gives_the_permissions_at_once(world):
    user = world.no_role_user
    assert not principal_for(user).has(Permission.AUDIT_READ)
    assignment = user_services.role_assign(
        actor=world.hub_admin, user=user, role=Role.AUDITOR, organisation=_org("verifier")
    )
    assert principal_for(user).has(Permission.AUDIT_READ)  # the cached principal was dropped
    event = AuditEvent.objects.get(action=Action.ROLE_ASSIGN)
    assert event.subject_id == str(assignment.pk)
    assert event.changes["role"] == "auditor"
    assert event.changes["user"] == user.pk


@pytest.mark.parametrize(
    ("role", "organisation_type"),
    [
        (Role.CASE_MANAGER, OrganisationType.PARTNER),
        (Role.CASE_SUPERVISOR, OrganisationType.HUB),
        (Role.COMPANY_MEMBER, OrganisationType.AGENCY),
        (Role.HUB_ADMIN, OrganisationType.AGENCY),
        (Role.AUDITOR, OrganisationType.COMPANY),
    ],
)
def test_role_in_the_wrong_kind_of_organisation_is_refused(world, role, organisation_type):
    with pytest.raises(DomainError) as refused:
        user_services.role_assign(
            actor=world.hub_admin,
            user=world.no_role_user,
            role=role,
            organisation=_org(organisation_type),
        )
    assert refused.value.code == "role.organisation_type"
    assert refused.value.field == "organisation"
    assert str(role.label) in refused.value.message
    assert not RoleAssignment.objects.filter(user=world.no_role_user).exists()


def test_case_manager_message_names_the_agency_type(world):
    with pytest.raises(DomainError) as refused:
        user_services.role_assign(
            actor=world.hub_admin,
            user=world.no_role_user,
            role=Role.CASE_MANAGER,
            organisation=_org(OrganisationType.COMPANY),
        )
    assert refused.value.message == (
        "A Case manager works in: Case management agency. Company One is a Member company."
    )


def test_facilitator_without_area_is_refused(world):
    with pytest.raises(DomainError) as refused:
        user_services.role_assign(
            actor=world.hub_admin,
            user=world.no_role_user,
            role=Role.FACILITATOR,
            organisation=_org(OrganisationType.PARTNER),
        )
    assert (refused.value.code, refused.value.field) == ("role.areas_required", "areas")


def test_facilitator_with_an_area_sees_it(world):
    user_services.role_assign(
        actor=world.hub_admin,
        user=world.no_role_user,
        role=Role.FACILITATOR,
        organisation=_org(OrganisationType.PARTNER),
        areas=[world.other_village],
    )
    assert principal_for(world.no_role_user).scoped_area_ids == {world.other_village.pk}


def test_same_role_twice_in_one_organisation_is_refused(world):
    with pytest.raises(DomainError) as refused:
        user_services.role_assign(
            actor=world.hub_admin,
            user=world.auditor,
            role=Role.AUDITOR,
            organisation=_org(OrganisationType.VERIFIER),
        )
    assert refused.value.code == "role.already_held"


def test_reversed_dates_and_unknown_roles_are_refused(world):
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        user_services.role_assign(
            actor=world.hub_admin,
            user=world.no_role_user,
            role=Role.AUDITOR,
            organisation=_org("verifier"),
            starts_on=today,
            ends_on=today - timedelta(days=1),
        )
    assert refused.value.code == "role.dates_reversed"
    with pytest.raises(DomainError) as refused:
        user_services.role_assign(
            actor=world.hub_admin,
            user=world.no_role_user,
            role="superuser",
            organisation=_org("hub"),
        )
    assert refused.value.code == "role.unknown"


def test_only_user_managers_assign_roles(world):
    with pytest.raises(DomainError):
        user_services.role_assign(
            actor=world.programme_manager,
            user=world.programme_manager,
            role=Role.HUB_ADMIN,
            organisation=_org("hub"),
        )
    assert not principal_for(world.programme_manager).has(Permission.USER_MANAGE)


def test_role_end_stops_access_at_once_and_keeps_the_row(world):
    assignment = RoleAssignment.objects.select_related("user").get(user=world.auditor)
    assert principal_for(assignment.user).has(Permission.AUDIT_READ)
    user_services.role_end(actor=world.hub_admin, assignment=assignment)
    assert not principal_for(assignment.user).has(Permission.AUDIT_READ)
    assert not principal_for(User.objects.get(pk=world.auditor.pk)).has(Permission.AUDIT_READ)
    assignment.refresh_from_db()
    assert assignment.ends_on == timezone.localdate() - timedelta(days=1)
    event = AuditEvent.objects.get(action=Action.ROLE_END)
    assert event.changes["ends_on"]["old"] is None
    assert event.changes["ends_on"]["new"] == assignment.ends_on.isoformat()
    with pytest.raises(DomainError) as refused:
        user_services.role_end(actor=world.hub_admin, assignment=assignment)
    assert refused.value.code == "role.already_ended"


def test_role_end_on_a_later_day_is_scheduled(world):
    assignment = RoleAssignment.objects.get(user=world.auditor)
    later = timezone.localdate() + timedelta(days=10)
    user_services.role_end(actor=world.hub_admin, assignment=assignment, ends_on=later)
    assert principal_for(world.auditor).has(Permission.AUDIT_READ)
    assignment.refresh_from_db()
    assert assignment.ends_on == later


def test_administrator_cannot_end_their_own_admin_role(world):
    assignment = RoleAssignment.objects.get(user=world.hub_admin)
    with pytest.raises(DomainError) as refused:
        user_services.role_end(actor=world.hub_admin, assignment=assignment)
    assert refused.value.code == "role.end_own_admin"


# Lockout -------------------------------------------------------------------------------------


def test_unlock_needs_the_permission_and_is_audited(world):
    with pytest.raises(DomainError):
        user_services.unlock_user(actor=world.auditor, user=world.facilitator)
    user_services.unlock_user(actor=world.hub_admin, user=world.facilitator)
    event = AuditEvent.objects.get(action=Action.USER_UNLOCK)
    assert event.subject_id == str(world.facilitator.pk)


# Organisations -------------------------------------------------------------------------------


def test_organisation_create_and_update_are_audited(world):
    organisation = organisation_services.organisation_create(
        actor=world.hub_admin, name=" Agency Three ", type="agency", country="cd"
    )
    assert (organisation.name, organisation.country) == ("Agency Three", "CD")
    assert AuditEvent.objects.get(action=Action.ORGANISATION_CREATE).changes["type"] == "agency"
    organisation_services.organisation_update(
        actor=world.hub_admin,
        organisation=organisation,
        name="Agency Three",
        type="agency",
        short_name="A3",
        country="CD",
        is_active=False,
    )
    event = AuditEvent.objects.get(action=Action.ORGANISATION_UPDATE)
    assert event.changes == {
        "short_name": {"old": "", "new": "A3"},
        "is_active": {"old": True, "new": False},
    }


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"name": "agency one"}, "organisation.name_taken"),
        ({"name": ""}, "organisation.name_required"),
        ({"type": "club"}, "organisation.type_unknown"),
        ({"country": "Congo"}, "organisation.country_invalid"),
    ],
)
def test_organisation_create_refuses_bad_input(world, values, code):
    with pytest.raises(DomainError) as refused:
        organisation_services.organisation_create(
            actor=world.hub_admin, **{"name": "New", "type": "partner", **values}
        )
    assert refused.value.code == code


def test_only_organisation_managers_create_organisations(world):
    with pytest.raises(DomainError) as refused:
        organisation_services.organisation_create(
            actor=world.programme_manager, name="New", type="partner"
        )
    assert refused.value.code == "organisation.not_allowed"


def test_retyping_an_organisation_whose_roles_would_not_fit_is_refused(world):
    agency = _org(OrganisationType.AGENCY)
    with pytest.raises(DomainError) as refused:
        organisation_services.organisation_update(
            actor=world.hub_admin,
            organisation=agency,
            name=agency.name,
            type="company",
            short_name="",
            country="CD",
            is_active=True,
        )
    assert refused.value.code == "organisation.type_conflicts_with_roles"
    assert "Case manager" in refused.value.message


def test_administrator_cannot_deactivate_their_own_organisation(world):
    hub = _org(OrganisationType.HUB)
    with pytest.raises(DomainError) as refused:
        organisation_services.organisation_update(
            actor=world.hub_admin,
            organisation=hub,
            name=hub.name,
            type="hub",
            short_name="",
            country="CD",
            is_active=False,
        )
    assert refused.value.code == "organisation.deactivate_own"
