"""Sign-in and sign-out bookkeeping."""

from __future__ import annotations

import time

from django.contrib.auth import login, logout, update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest

from accounts.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT
from accounts.models import User
from audit.actions import Action
from audit.services import record_event


@transaction.atomic
def sign_in(*, request: HttpRequest, user: User) -> None:
    """Start a session for a user whose password was just checked."""
    login(request, user)
    now = time.time()
    request.session[SESSION_AUTH_AT] = now
    request.session[SESSION_SEEN_AT] = now
    record_event(actor=user, action=Action.LOGIN)


@transaction.atomic
def sign_in_failed(*, username: str) -> None:
    record_event(
        actor=None,
        action=Action.LOGIN_FAILED,
        subject_type="accounts.user",
        changes={"attempted_username": username[:150]},
    )


@transaction.atomic
def password_change(*, request: HttpRequest, user: User, new_password: str) -> None:
    """Set a password the user chose (already validated) and keep their session signed in."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    update_session_auth_hash(request, user)
    record_event(actor=user, action=Action.PASSWORD_CHANGE, subject=user)


@transaction.atomic
def sign_out(*, request: HttpRequest) -> None:
    if request.user.is_authenticated:
        record_event(actor=request.user, action=Action.LOGOUT)
    logout(request)
