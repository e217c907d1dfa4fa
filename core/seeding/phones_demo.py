"""The demo facilitator's phone credential: derived from the username, so the banner can print it.

Like the demo authenticator keys (core/seeding/totp.py), a public derivation is the point in
a demo, where a real phone on the same network is pointed at the laptop, and the reason the
seed refuses to run in production. Only the hash is stored, as for every credential.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from accounts.models import DeviceCredential

if TYPE_CHECKING:
    from core.seeding.demo import DemoContext

DEMO_PHONE_USERNAME = "demo-facilitator"
DEMO_PHONE_NAME = "phone-demo"
DEMO_PHONE_LABEL = "Demo phone"
_DERIVATION_CONSTANT = b"kinga-demo-phone-v1"  # public on purpose: demo credentials


def demo_phone_secret(username: str = DEMO_PHONE_USERNAME) -> str:
    return hmac.new(_DERIVATION_CONSTANT, username.encode(), hashlib.sha256).hexdigest()[:24]


def demo_phone_credential() -> tuple[str, str] | None:
    """`(name, secret)` of the demo phone while it exists, is usable and has the derived secret."""
    row = DeviceCredential.objects.filter(
        name=DEMO_PHONE_NAME, revoked_at__isnull=True, user__username=DEMO_PHONE_USERNAME
    ).first()
    secret = demo_phone_secret()
    if row is None or not hmac.compare_digest(
        row.secret_hash, hashlib.sha256(secret.encode()).hexdigest()
    ):
        return None
    return row.name, secret


def seed_demo_phone(context: DemoContext) -> None:
    user = context.users.get(DEMO_PHONE_USERNAME)
    if user is None or DeviceCredential.objects.filter(name=DEMO_PHONE_NAME).exists():
        return
    DeviceCredential.objects.create(
        user=user,
        label=DEMO_PHONE_LABEL,
        name=DEMO_PHONE_NAME,
        secret_hash=hashlib.sha256(demo_phone_secret().encode()).hexdigest(),
        created_by=user,
    )
    context.created["phone credentials"] += 1
