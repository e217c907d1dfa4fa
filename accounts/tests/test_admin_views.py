"""The hub administrator's pages, as the administrator and as everyone who must not see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, OrganisationType, RoleAssignment, User
from accounts.roles import Role
from accounts.tests.factories import TEST_PASSWORD, RoleAssignmentFactory, UserFactory
from audit.actions import Action
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "programme_manager",
    "facilitator",
    "case_manager",
    "supervisor",
    "other_agency_case_manager",
    "company_member",
    "auditor",
    "no_role_user",
]


def _org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def _admin_urls(world) -> list[str]:
    person = world.facilitator.pk
    assignment = RoleAssignment.objects.get(user=world.facilitator).pk
    organisation = _org("Agency One").pk
    return [
        "/account/admin/users/",
        "/account/admin/users/new/",
        f"/account/admin/users/{person}/",
        f"/account/admin/users/{person}/edit/",
        f"/account/admin/users/{person}/deactivate/",
        f"/account/admin/users/{person}/reactivate/",
        f"/account/admin/users/{person}/second-factor/reset/",
        f"/account/admin/users/{person}/roles/new/",
        f"/account/admin/users/{person}/roles/{assignment}/end/",
        "/account/admin/area-choices/?area_parent=CD-LU-LUB-BAY",
        "/account/admin/organisations/",
        "/account/admin/organisations/new/",
        f"/account/admin/organisations/{organisation}/edit/",
    ]


# Who may enter -------------------------------------------------------------------------------


def test_hub_admin_opens_every_admin_page(world, client_for):
    client = client_for(world.hub_admin)
    for url in _admin_urls(world):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_everyone_else_gets_404_on_every_admin_page(world, client_for, persona):
    client = client_for(getattr(world, persona))
    for url in _admin_urls(world):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_cannot_act_by_posting_either(world, client_for, persona):
    client = client_for(getattr(world, persona))
    target = world.other_facilitator
    base = f"/account/admin/users/{target.pk}"
    assert client.post(f"{base}/deactivate/", {"reason": "x"}).status_code == 404
    assert client.post(f"{base}/unlock/").status_code == 404
    assert client.post(f"{base}/second-factor/reset/", {"reason": "x"}).status_code == 404
    new_user = {"username": "sneaky", "full_name": "Sneaky", "preferred_language": "en"}
    assert client.post("/account/admin/users/new/", new_user).status_code == 404
    target.refresh_from_db()
    assert target.is_active
    assert not User.objects.filter(username="sneaky").exists()


def test_anonymous_visitor_is_sent_to_sign_in(world, client):
    for url in _admin_urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/login/")


def test_menu_shows_users_and_organisations_to_the_hub_admin_only(world, client_for):
    assert "/account/admin/users/" in client_for(world.hub_admin).get("/").content.decode()
    page = client_for(world.programme_manager).get("/").content.decode()
    assert "/account/admin/users/" not in page
    assert "/account/admin/organisations/" not in page


# User list -----------------------------------------------------------------------------------


def _usernames(response) -> set[str]:
    return {user.username for user in response.context["page"].items}


def test_user_list_searches_by_name_username_and_email(world, client_for):
    client = client_for(world.hub_admin)
    world.case_manager.full_name = "Mwamba Kasongo"
    world.case_manager.save()
    response = client.get("/account/admin/users/", {"q": "kasongo"})
    assert _usernames(response) == {"case-manager"}
    assert "Mwamba Kasongo" in response.content.decode()
    assert _usernames(client.get("/account/admin/users/", {"q": "auditor@example"})) == {"auditor"}
    assert "supervisor" in _usernames(client.get("/account/admin/users/", {"q": "SUPERV"}))


def test_user_list_filters_by_role_organisation_and_status(world, client_for):
    client = client_for(world.hub_admin)
    response = client.get("/account/admin/users/", {"role": "case_manager"})
    assert _usernames(response) == {"case-manager", "other-agency-cm"}
    agency = _org("Agency One")
    response = client.get("/account/admin/users/", {"organisation": agency.pk})
    assert _usernames(response) == {"case-manager", "supervisor"}
    response = client.get(
        "/account/admin/users/", {"organisation": agency.pk, "role": "case_supervisor"}
    )
    assert _usernames(response) == {"supervisor"}
    world.auditor.is_active = False
    world.auditor.save()
    assert _usernames(client.get("/account/admin/users/", {"active": "no"})) == {"auditor"}
    assert "auditor" not in _usernames(client.get("/account/admin/users/", {"active": "yes"}))


def test_user_list_empty_result_says_what_to_do(world, client_for):
    page = client_for(world.hub_admin).get("/account/admin/users/", {"q": "nobody-here"})
    assert "No user matches these filters" in page.content.decode()


def test_user_list_pages_with_a_keyset_and_constant_queries(
    world, client_for, django_assert_max_num_queries
):
    agency = _org("Agency One")
    for number in range(60):
        RoleAssignmentFactory(
            user=UserFactory(username=f"staff-{number:02d}"),
            role=Role.CASE_MANAGER,
            organisation=agency,
        )
    client = client_for(world.hub_admin)
    with django_assert_max_num_queries(10):
        first = client.get("/account/admin/users/")
    assert len(first.context["page"].items) == 50
    cursor = first.context["page"].next_cursor
    assert cursor
    second = client.get("/account/admin/users/", {"cursor": cursor})
    first_names = {user.username for user in first.context["page"].items}
    second_names = {user.username for user in second.context["page"].items}
    assert first_names.isdisjoint(second_names)
    assert len(first_names | second_names) == User.objects.count()
    assert "Agency One" in first.content.decode()


def test_damaged_cursor_shows_the_first_page_with_a_message(world, client_for):
    response = client_for(world.hub_admin).get("/account/admin/users/", {"cursor": "bad!"})
    assert response.status_code == 200
    assert "This page link is not valid." in response.content.decode()


def test_filter_change_with_htmx_answers_only_the_results(world, client_for):
    response = client_for(world.hub_admin).get(
        "/account/admin/users/", {"q": "auditor"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.startswith('<div id="user-results"')
    assert "<html" not in page


# User detail ---------------------------------------------------------------------------------


def test_user_detail_shows_roles_mfa_and_lockout(world, client_for):
    person = world.facilitator
    ended = RoleAssignmentFactory(
        user=person,
        role=Role.FACILITATOR,
        organisation=_org("Child Rights Hub"),
        areas=[world.other_village],
        starts_on=timezone.localdate() - timedelta(days=100),
        ends_on=timezone.localdate() - timedelta(days=10),
    )
    device = StaticDevice.objects.create(user=person, name="recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcde12345")
    response = client_for(world.hub_admin).get(f"/account/admin/users/{person.pk}/")
    assert [a.pk for a in response.context["ended_assignments"]] == [ended.pk]
    assert len(response.context["current_assignments"]) == 1
    security = response.context["security"]
    assert security.has_authenticator is False
    assert security.recovery_codes_left == 1
    assert security.locked_out is False
    page = response.content.decode()
    assert "Kasulo" in page  # the current role's community
    assert "Ended roles" in page
    assert "Not locked" in page


def test_unknown_user_is_404(world, client_for):
    assert client_for(world.hub_admin).get("/account/admin/users/999999/").status_code == 404


# Create --------------------------------------------------------------------------------------


def _new_user(**overrides):
    return {
        "username": "new-cm",
        "full_name": "New Case Manager",
        "email": "new-cm@example.org",
        "preferred_language": "fr",
        "password": "",
        "role": "case_manager",
        "organisation": str(_org("Agency One").pk),
        "area_parent": "",
        **overrides,
    }


def test_hub_admin_creates_a_user_with_a_first_role_and_sees_the_password_once(
    world, client_for, client
):
    admin = client_for(world.hub_admin)
    response = admin.post("/account/admin/users/new/", _new_user())
    assert response.status_code == 200
    password = response.context["temporary_password"]
    assert password in response.content.decode()
    user = User.objects.get(username="new-cm")
    assert RoleAssignment.objects.get(user=user).role == "case_manager"
    assert {e.action for e in AuditEvent.objects.filter(actor=world.hub_admin)} >= {
        Action.USER_CREATE,
        Action.ROLE_ASSIGN,
    }
    # The detail page never shows it again.
    assert password not in admin.get(f"/account/admin/users/{user.pk}/").content.decode()
    login = client.post("/account/login/", {"username": "new-cm", "password": password})
    assert login.status_code == 302


def test_create_refuses_a_role_in_the_wrong_kind_of_organisation(world, client_for):
    response = client_for(world.hub_admin).post(
        "/account/admin/users/new/", _new_user(organisation=str(_org("Company One").pk))
    )
    assert response.status_code == 200
    assert "A Case manager works in: Case management agency." in response.content.decode()
    assert not User.objects.filter(username="new-cm").exists()


def test_create_refuses_a_facilitator_without_communities(world, client_for):
    response = client_for(world.hub_admin).post(
        "/account/admin/users/new/",
        _new_user(role="facilitator", organisation=str(_org("Partner One").pk)),
    )
    assert "must be assigned at least one community" in response.content.decode()
    assert not User.objects.filter(username="new-cm").exists()


def test_create_facilitator_picking_villages_without_javascript(world, client_for):
    client = client_for(world.hub_admin)
    values = _new_user(
        role="facilitator", organisation=str(_org("Partner One").pk), area_parent="CD-LU-LUB-BAY"
    )
    shown = client.post("/account/admin/users/new/", {**values, "show_areas": "1"})
    page = shown.content.decode()
    assert "Kasulo" in page
    assert "Kanina" in page
    assert "This field is required" not in page
    assert not User.objects.filter(username="new-cm").exists()
    created = client.post("/account/admin/users/new/", {**values, "areas": [world.village.pk]})
    assert created.status_code == 200
    assignment = RoleAssignment.objects.get(user__username="new-cm")
    assert list(assignment.areas.all()) == [world.village]


def test_area_choices_fragment_for_an_unknown_code_explains(world, client_for):
    response = client_for(world.hub_admin).get(
        "/account/admin/area-choices/", {"area_parent": "NOPE"}
    )
    assert "No area has the code “NOPE”" in response.content.decode()
    empty = client_for(world.hub_admin).get("/account/admin/area-choices/")
    assert "Type an area code" in empty.content.decode()


def test_create_refuses_a_taken_username(world, client_for):
    response = client_for(world.hub_admin).post(
        "/account/admin/users/new/", _new_user(username="Auditor")
    )
    assert "Someone already has this username." in response.content.decode()


# Edit, deactivate, reactivate ----------------------------------------------------------------


def test_hub_admin_edits_a_user(world, client_for):
    person = world.company_member
    response = client_for(world.hub_admin).post(
        f"/account/admin/users/{person.pk}/edit/",
        {"full_name": "Renamed", "email": "renamed@example.org", "preferred_language": "en"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.preferred_language) == ("Renamed", "en")
    event = AuditEvent.objects.get(action=Action.USER_UPDATE)
    assert event.changes["full_name"]["new"] == "Renamed"


def test_deactivated_user_cannot_sign_in_and_loses_their_session(world, client_for, client):
    session = client_for(world.company_member)
    assert session.get("/").status_code == 200
    admin = client_for(world.hub_admin)
    url = f"/account/admin/users/{world.company_member.pk}/deactivate/"
    assert admin.post(url, {"reason": ""}).status_code == 200  # a reason is required
    assert admin.post(url, {"reason": "Left the company"}).status_code == 302
    assert session.get("/").status_code == 302  # signed out at the next request
    login = client.post(
        "/account/login/", {"username": "company-member", "password": TEST_PASSWORD}
    )
    assert login.status_code == 200
    assert "correct username and password" in login.content.decode()
    event = AuditEvent.objects.get(action=Action.USER_DEACTIVATE)
    assert event.reason == "Left the company"
    reactivate = f"/account/admin/users/{world.company_member.pk}/reactivate/"
    assert admin.post(reactivate, {"reason": "Came back"}).status_code == 302
    login = client.post(
        "/account/login/", {"username": "company-member", "password": TEST_PASSWORD}
    )
    assert login.status_code == 302


def test_hub_admin_cannot_deactivate_themself(world, client_for):
    response = client_for(world.hub_admin).post(
        f"/account/admin/users/{world.hub_admin.pk}/deactivate/", {"reason": "Oops"}
    )
    assert response.status_code == 200
    assert "cannot deactivate your own account" in response.content.decode()
    world.hub_admin.refresh_from_db()
    assert world.hub_admin.is_active


# Roles ---------------------------------------------------------------------------------------


def test_hub_admin_gives_and_ends_a_role(world, client_for):
    client = client_for(world.hub_admin)
    person = world.no_role_user
    response = client.post(
        f"/account/admin/users/{person.pk}/roles/new/",
        {"role": "auditor", "organisation": _org("Verifier").pk, "area_parent": ""},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=person)
    assert client_for(person).get("/audit/").status_code == 200
    response = client.post(f"/account/admin/users/{person.pk}/roles/{assignment.pk}/end/", {})
    assert response.status_code == 302, response.context["form"].errors
    assignment.refresh_from_db()
    assert assignment.ends_on == timezone.localdate() - timedelta(days=1)
    assert client_for(person).get("/audit/").status_code == 404
    assert AuditEvent.objects.filter(action=Action.ROLE_END, subject_id=str(assignment.pk))


def test_role_form_shows_the_organisation_type_refusal(world, client_for):
    response = client_for(world.hub_admin).post(
        f"/account/admin/users/{world.no_role_user.pk}/roles/new/",
        {"role": "company_member", "organisation": _org("Agency One").pk},
    )
    assert response.status_code == 200
    assert "A Company member works in: Member company." in response.content.decode()


def test_role_form_refuses_a_facilitator_without_area(world, client_for):
    response = client_for(world.hub_admin).post(
        f"/account/admin/users/{world.no_role_user.pk}/roles/new/",
        {"role": "facilitator", "organisation": _org("Partner One").pk},
    )
    assert "must be assigned at least one community" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=world.no_role_user).exists()


def test_role_of_another_user_cannot_be_ended_through_this_users_url(world, client_for):
    other = RoleAssignment.objects.get(user=world.auditor)
    url = f"/account/admin/users/{world.facilitator.pk}/roles/{other.pk}/end/"
    assert client_for(world.hub_admin).post(url, {}).status_code == 404


# Second factor and lockout -------------------------------------------------------------------


def test_hub_admin_resets_a_second_factor_with_a_reason(world, client_for):
    TOTPDevice.objects.create(user=world.facilitator, name="phone", confirmed=True)
    url = f"/account/admin/users/{world.facilitator.pk}/second-factor/reset/"
    client = client_for(world.hub_admin)
    assert client.post(url, {"reason": "  "}).status_code == 200
    assert TOTPDevice.objects.filter(user=world.facilitator).exists()
    assert client.post(url, {"reason": "Phone stolen"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=world.facilitator).exists()
    assert AuditEvent.objects.get(action=Action.MFA_RESET).reason == "Phone stolen"


def test_unlock_after_a_lockout_lets_the_person_sign_in(world, client_for, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/account/login/", {"username": "company-member", "password": "wrong"})
    assert (
        client.post(
            "/account/login/", {"username": "company-member", "password": TEST_PASSWORD}
        ).status_code
        == 429
    )
    admin = client_for(world.hub_admin)
    detail = admin.get(f"/account/admin/users/{world.company_member.pk}/")
    assert detail.context["security"].locked_out
    assert "Locked out" in detail.content.decode()
    response = admin.post(f"/account/admin/users/{world.company_member.pk}/unlock/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.USER_UNLOCK).exists()
    login = client.post(
        "/account/login/", {"username": "company-member", "password": TEST_PASSWORD}
    )
    assert login.status_code == 302


def test_unlock_needs_post(world, client_for):
    url = f"/account/admin/users/{world.company_member.pk}/unlock/"
    assert client_for(world.hub_admin).get(url).status_code == 405


# Organisations -------------------------------------------------------------------------------


def test_organisation_list_filters_by_type_and_search(world, client_for):
    client = client_for(world.hub_admin)
    response = client.get("/account/admin/organisations/", {"type": "agency"})
    assert [o.name for o in response.context["page"].items] == ["Agency One", "Agency Two"]
    response = client.get("/account/admin/organisations/", {"q": "verif"})
    assert [o.name for o in response.context["page"].items] == ["Verifier"]
    assert response.context["page"].items[0].member_count == 1


def test_organisation_list_queries_do_not_grow_with_rows(
    world, client_for, django_assert_max_num_queries
):
    for number in range(40):
        Organisation.objects.create(name=f"Partner {number:02d}", type=OrganisationType.PARTNER)
    client = client_for(world.hub_admin)
    with django_assert_max_num_queries(8):
        response = client.get("/account/admin/organisations/")
    assert len(response.context["page"].items) == 46


def test_hub_admin_creates_and_edits_an_organisation(world, client_for):
    client = client_for(world.hub_admin)
    response = client.post(
        "/account/admin/organisations/new/",
        {"name": "Agency Three", "short_name": "A3", "type": "agency", "country": "CD"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Agency Three")
    response = client.post(
        f"/account/admin/organisations/{organisation.pk}/edit/",
        {"name": "Agency Three", "short_name": "A-3", "type": "agency", "country": "CD"},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.short_name, organisation.is_active) == ("A-3", False)
    event = AuditEvent.objects.get(action=Action.ORGANISATION_UPDATE)
    assert event.changes["is_active"] == {"old": True, "new": False}


def test_duplicate_organisation_name_is_refused_on_the_form(world, client_for):
    response = client_for(world.hub_admin).post(
        "/account/admin/organisations/new/",
        {"name": "agency one", "type": "agency", "country": "CD"},
    )
    assert response.status_code == 200
    assert "Another organisation already has this name." in response.content.decode()
