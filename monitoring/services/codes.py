"""Human-readable record codes that reveal nothing (no sequence, no name, no place)."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: codes are read aloud over bad phone lines and copied by hand.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_LENGTH = 8


def new_code(prefix: str) -> str:
    # One draw of the whole body (uniform over every code) instead of one per character:
    # imports make a code for each household and child.
    number = secrets.randbelow(len(_ALPHABET) ** _LENGTH)
    body = []
    for _ in range(_LENGTH):
        number, digit = divmod(number, len(_ALPHABET))
        body.append(_ALPHABET[digit])
    return f"{prefix}-{''.join(body[:4])}-{''.join(body[4:])}"
