from __future__ import annotations

import time

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT
from accounts.tests.factories import TEST_PASSWORD
from audit.actions import Action
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _post_login(client, username, password=TEST_PASSWORD):
    return client.post("/account/login/", {"username": username, "password": password})


def test_company_member_signs_in_without_second_factor(world, client):
    response = _post_login(client, "company-member")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=world.company_member).exists()


def test_wrong_password_is_refused_and_audited(world, client):
    response = _post_login(client, "facilitator", "wrong-password")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.changes == {"attempted_username": "facilitator"}


def test_repeated_failures_lock_the_account_even_with_the_right_password(world, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, "facilitator", "wrong-password")
    response = _post_login(client, "facilitator")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert client.get("/").status_code == 302


def test_facilitator_must_set_up_second_factor_before_any_page(world, client):
    _post_login(client, "facilitator")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/mfa/setup/")


def test_second_factor_setup_confirms_and_shows_recovery_codes(world, client):
    _post_login(client, "facilitator")
    client.get("/account/mfa/setup/")
    device = TOTPDevice.objects.get(user=world.facilitator, confirmed=False)
    code = f"{totp(device.bin_key):06d}"
    response = client.post("/account/mfa/setup/", {"code": code, "next": "/"})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.MFA_ENROLLED).exists()


def test_wrong_setup_code_keeps_the_user_on_the_form(world, client):
    _post_login(client, "facilitator")
    client.get("/account/mfa/setup/")
    response = client.post("/account/mfa/setup/", {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/").status_code == 302


def test_recovery_code_works_once(world, client):
    _post_login(client, "facilitator")
    client.get("/account/mfa/setup/")
    device = TOTPDevice.objects.get(user=world.facilitator, confirmed=False)
    codes = client.post("/account/mfa/setup/", {"code": f"{totp(device.bin_key):06d}"}).context[
        "codes"
    ]
    for attempt, expected in ((1, 302), (2, 200)):
        client.post("/account/logout/")
        _post_login(client, "facilitator")
        response = client.post("/account/mfa/verify/", {"code": codes[0], "next": "/"})
        assert response.status_code == expected, f"attempt {attempt}"


def test_idle_session_expires(world, client_for):
    client = client_for(world.hub_admin)
    session = client.session
    session[SESSION_SEEN_AT] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert AuditEvent.objects.filter(action=Action.SESSION_EXPIRED).exists()


def test_session_expires_after_absolute_lifetime_even_when_active(world, client_for):
    client = client_for(world.hub_admin)
    session = client.session
    session[SESSION_AUTH_AT] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() - 5
    session.save()
    assert client.get("/").status_code == 302


def test_logout_needs_post(world, client_for):
    client = client_for(world.hub_admin)
    assert client.get("/account/logout/").status_code == 405
    assert client.post("/account/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_sign_in_uses_the_users_preferred_language_when_the_phone_has_none(world, client):
    world.company_member.preferred_language = "fr"
    world.company_member.save()
    response = _post_login(client, "company-member")
    assert response.cookies["django_language"].value == "fr"


def test_sign_in_keeps_the_language_already_picked_on_the_phone(world, client):
    client.cookies["django_language"] = "en"
    response = _post_login(client, "company-member")
    assert "django_language" not in response.cookies


def test_a_password_set_by_an_administrator_must_be_changed_first(world, client_for):
    world.company_member.must_change_password = True
    world.company_member.save()
    client = client_for(world.company_member)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/account/password/"
    response = client.post(
        "/account/password/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-brand-new-passphrase-42",
            "new_password2": "a-brand-new-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    world.company_member.refresh_from_db()
    assert not world.company_member.must_change_password
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE).exists()


def test_a_wrong_old_password_keeps_the_user_on_the_form(world, client_for):
    client = client_for(world.company_member)
    response = client.post(
        "/account/password/",
        {
            "old_password": "nope",
            "new_password1": "x-long-pass-123",
            "new_password2": "x-long-pass-123",
        },
    )
    assert response.status_code == 200
    assert "old password was entered incorrectly" in response.content.decode()


def test_mfa_roles_prove_their_second_factor_before_the_password_change(world, client_for):
    world.facilitator.must_change_password = True
    world.facilitator.save()
    response = client_for(world.facilitator, verified=False).get("/")
    assert response["Location"].startswith("/account/mfa/")


def test_a_field_error_is_tied_to_its_input_for_screen_readers(world, client):
    client.post("/account/login/", {"username": "facilitator", "password": TEST_PASSWORD})
    client.get("/account/mfa/setup/")
    page = client.post("/account/mfa/setup/", {"code": "000000"}).content.decode()
    assert 'aria-describedby="id_code-error"' in page
    assert 'id="id_code-error"' in page
    assert 'aria-invalid="true"' in page
