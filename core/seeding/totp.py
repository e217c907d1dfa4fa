"""The demo users' authenticator keys: derived from the username, so anyone can compute them.

That is the point in a demo (`make totp USER=demo-manager` prints the current code) and the
reason the seed refuses to run in production. A device counts as a demo device only if its key
is the derived one, so `demo_totp` can never print the code of a real authenticator.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from base64 import b32encode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_DEVICE_NAME = "demo"
_DERIVATION_CONSTANT = b"kinga-demo-totp-v1"  # public on purpose: demo keys are not secrets


def demo_totp_key(username: str) -> str:
    """20 bytes (the RFC 4226 recommendation), hex-encoded as TOTPDevice.key expects."""
    digest = hmac.new(_DERIVATION_CONSTANT, username.encode(), hashlib.sha256).digest()
    return digest[:20].hex()


def is_demo_device(device: TOTPDevice) -> bool:
    return device.name == DEMO_DEVICE_NAME and hmac.compare_digest(
        device.key, demo_totp_key(device.user.get_username())
    )


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an authenticator app shows now, zero-padded to the device's digits."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def base32_key(username: str) -> str:
    """The key as authenticator apps take it when typed in, in groups of four."""
    encoded = b32encode(bytes.fromhex(demo_totp_key(username))).decode().rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))
