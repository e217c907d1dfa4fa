"""Session lifetime and the second-factor gate, checked on every signed-in request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.services.mfa import session_verified
from audit.actions import Action
from audit.services import record_event

Handler = Callable[[HttpRequest], HttpResponse]

SESSION_AUTH_AT = "kinga_auth_at"
SESSION_SEEN_AT = "kinga_seen_at"
# Refresh "last seen" at most this often, so that reading pages does not write on every hit.
_SEEN_RESOLUTION_SECONDS = 60


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class SessionExpiryMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT of inactivity or SESSION_ABSOLUTE_TIMEOUT."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and SESSION_AUTH_AT in request.session:
            now = time.time()
            auth_at = float(request.session[SESSION_AUTH_AT])
            seen_at = float(request.session.get(SESSION_SEEN_AT, auth_at))
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if now - seen_at > idle or now - auth_at > absolute:
                record_event(actor=user, action=Action.SESSION_EXPIRED)
                logout(request)
                messages.info(request, _("Your session expired. Please sign in again."))
                login_url = reverse("accounts:login")
                return _redirect(request, f"{login_url}?{urlencode({'next': request.path})}")
            if now - seen_at > _SEEN_RESOLUTION_SECONDS:
                request.session[SESSION_SEEN_AT] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A user whose password an administrator set must choose their own before anything else."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
            and request.path
            not in {reverse("accounts:password_change"), reverse("accounts:logout")}
            and (session_verified(user) or not principal_for(user).requires_mfa)
        ):
            return _redirect(request, reverse("accounts:password_change"))
        return self.get_response(request)


# Pages a signed-in user may reach before proving a second factor.
_MFA_EXEMPT_URL_NAMES = ("accounts:mfa_setup", "accounts:mfa_verify", "accounts:logout")
# /api/ authenticates by bearer token (created after MFA), never by this session cookie.
_MFA_EXEMPT_PREFIXES = ("/static/", "/i18n/", "/api/", "/healthz")


class MfaRequiredMiddleware:
    """Roles that can see identified child data must verify a second factor every session."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not session_verified(user)
            and principal_for(user).requires_mfa
            and not self._exempt(request.path)
        ):
            from django_otp import user_has_device

            target = "accounts:mfa_verify" if user_has_device(user) else "accounts:mfa_setup"
            url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
            return _redirect(request, url)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        if path.startswith(_MFA_EXEMPT_PREFIXES):
            return True
        return any(path == reverse(name) for name in _MFA_EXEMPT_URL_NAMES)
