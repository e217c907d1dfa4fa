"""Second factor: TOTP authenticator apps, with single-use recovery codes as the fallback."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.actions import Action
from audit.services import record_event
from core.errors import DomainError

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (l/1, o/0)


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up, created on first call."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    return device


@transaction.atomic
def confirm_totp_device(*, request: HttpRequest, user: User, code: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; returns fresh recovery codes."""
    device = pending_totp_device(user=user)
    if not device.verify_token(_digits(code)):
        record_event(actor=user, action=Action.MFA_FAILED, subject=device)
        raise DomainError(
            "mfa.code_refused", _("That code is not right. Try the newest one."), field="code"
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    otp_login(request, device)
    record_event(actor=user, action=Action.MFA_ENROLLED, subject=device)
    return _replace_recovery_codes(user)


@transaction.atomic
def verify_second_factor(*, request: HttpRequest, user: User, code: str) -> None:
    """Check a code from the authenticator or a recovery code and mark the session verified."""
    cleaned = code.strip().replace(" ", "").replace("-", "").lower()
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if cleaned.isdigit() and device.verify_token(cleaned):
            otp_login(request, device)
            record_event(actor=user, action=Action.MFA_VERIFIED, subject=device)
            return
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        if static.verify_token(cleaned):
            otp_login(request, static)
            remaining = static.token_set.count()
            record_event(
                actor=user,
                action=Action.MFA_RECOVERY_USED,
                subject=static,
                changes={"recovery_codes_left": remaining},
            )
            return
    record_event(actor=user, action=Action.MFA_FAILED)
    raise DomainError("mfa.code_refused", _("That code is not right."), field="code")


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    codes = _replace_recovery_codes(user)
    record_event(actor=user, action=Action.MFA_ENROLLED, changes={"recovery_codes": "regenerated"})
    return codes


@transaction.atomic
def reset_second_factor(*, actor: User, user: User, reason: str) -> None:
    """Remove every device of `user` (lost phone); they set one up at next sign-in."""
    if not reason.strip():
        raise DomainError(
            "mfa.reason_required", _("Say why the second factor is reset."), field="reason"
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_event(actor=actor, action=Action.MFA_RESET, subject=user, reason=reason)


def recovery_codes_left(*, user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def session_verified(user: object) -> bool:
    """Whether this session proved a second factor (django-otp sets is_verified on the user)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())
