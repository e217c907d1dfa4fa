"""A cool-down for phone credentials guessed again and again, by name and by address.

A phone's secret has 192 random bits, so guessing it is hopeless; the cool-down is there so
that a script hammering the endpoints is told to stop (429 with `Retry-After`) and a person
sees it in the audit log (one event per lockout, not one per attempt). The name limit is low,
because a real phone never fails repeatedly with the right secret; the address limit is high,
because a whole field office shares one carrier-NAT address and a single phone with a revoked
credential retries on its own. The right secret is never paused (views._signed_in_device):
otherwise anyone who knows a credential's name could keep that phone's forms from arriving.

Counters live in Django's cache (Redis in production, shared by every process; process memory
in the demo): a failed attempt costs one read of two keys and two writes; a signed-in phone
costs nothing here.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from audit.actions import Action
from audit.services import record_event

_PREFIX = "openrosa:lockout"


@dataclass(frozen=True)
class _Scope:
    kind: str  # "name" or "address"
    value: str
    limit: int

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.value.encode()).hexdigest()[:32]  # any text, safe key
        return f"{_PREFIX}:{self.kind}:{digest}"

    @property
    def failures_key(self) -> str:
        return f"{self.key}:failures"

    @property
    def locked_key(self) -> str:
        return f"{self.key}:until"


def _cool_off_seconds() -> int:
    return int(settings.KINGA_COLLECT_COOLOFF_MINUTES) * 60


def _scopes(name: str, ip_address: str | None) -> list[_Scope]:
    scopes = [_Scope("name", name, int(settings.KINGA_COLLECT_FAILURE_LIMIT))]
    if ip_address:
        scopes.append(_Scope("address", ip_address, int(settings.KINGA_COLLECT_IP_FAILURE_LIMIT)))
    return scopes


def seconds_locked(name: str, ip_address: str | None) -> int:
    """How long the credential name or the address stays locked (0: not locked)."""
    scopes = _scopes(name, ip_address)
    until = cache.get_many([scope.locked_key for scope in scopes]).values()
    remaining = max((float(moment) - time.time() for moment in until), default=0)
    return max(0, int(remaining + 0.999))


def _count(scope: _Scope) -> int:
    """One more failure in the scope's window (the window starts at its first failure)."""
    if cache.add(scope.failures_key, 1, timeout=_cool_off_seconds()):
        return 1
    try:
        return int(cache.incr(scope.failures_key))
    except ValueError:  # the window ended between the two calls
        cache.add(scope.failures_key, 1, timeout=_cool_off_seconds())
        return 1


@transaction.atomic
def credential_failure_record(*, name: str, ip_address: str | None) -> None:
    """Count a failed sign-in of a phone; at the limit, lock for the cool-down and audit it.

    Only the request whose failure reaches the limit exactly writes the event, so a lockout
    is audited once however many attempts follow.
    """
    for scope in _scopes(name, ip_address):
        if _count(scope) != scope.limit:
            continue
        cool_off = _cool_off_seconds()
        cache.set(scope.locked_key, time.time() + cool_off, timeout=cool_off)
        cache.delete(scope.failures_key)  # a fresh window once the cool-down ends
        record_event(
            actor=None,
            action=Action.DEVICE_CREDENTIAL_LOCKOUT,
            subject_type="accounts.devicecredential",
            changes={
                "locked": scope.kind,
                # The name a phone typed is not a secret; the address is in the event already.
                "name": name[:150],
                "failures": scope.limit,
                "minutes": cool_off // 60,
            },
        )
