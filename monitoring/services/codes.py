"""Human-readable record codes that reveal nothing (no sequence, no name, no place)."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: codes are read aloud over bad phone lines and copied by hand.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(prefix: str) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"
