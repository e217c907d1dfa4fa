"""Sign-in, sign-out and the second factor."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import CodeForm, RecoveryOrCodeForm
from accounts.models import User
from accounts.services import auth as auth_services
from accounts.services import mfa as mfa_services
from core.errors import DomainError


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        assert isinstance(user, User)
        auth_services.sign_in(request=self.request, user=user)
        response = HttpResponseRedirect(self.get_success_url())
        # A shared field phone keeps the language last picked on it; otherwise use the user's.
        if settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite="Lax",
            )
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        auth_services.sign_in_failed(username=self.request.POST.get("username", ""))
        return super().form_invalid(form)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_services.sign_out(request=request)
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    from django_otp import user_has_device

    if user_has_device(user, confirmed=True) and not mfa_services.session_verified(user):
        return redirect(f"{reverse('accounts:mfa_verify')}?next={_next_url(request)}")
    device = mfa_services.pending_totp_device(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa_services.confirm_totp_device(
                request=request, user=user, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=4, dark="#111", light="#fff"),
            "secret": _base32_secret(device.bin_key),
            "next": _next_url(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = RecoveryOrCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa_services.verify_second_factor(
                request=request, user=user, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            return HttpResponseRedirect(_next_url(request))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth_services.password_change(
            request=request, user=user, new_password=form.cleaned_data["new_password1"]
        )
        messages.success(request, _("Your password is changed."))
        return redirect("core:home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "required": user.must_change_password},
    )


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "accounts/security.html",
        {"recovery_codes_left": mfa_services.recovery_codes_left(user=user)},
    )


@login_required
@require_POST
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not mfa_services.session_verified(user):
        return redirect("accounts:security")
    codes = mfa_services.regenerate_recovery_codes(user=user)
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("core:home")}
    )


def _base32_secret(key: bytes) -> str:
    from base64 import b32encode

    encoded = b32encode(key).decode().rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))
