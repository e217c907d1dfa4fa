"""Human-readable record codes that reveal nothing (no sequence, no name, no place)."""

from __future__ import annotations

import secrets

from django.db.models import Model

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


def unused_codes(model: type[Model], prefix: str, count: int) -> list[str]:
    """`count` distinct new codes that no record of `model` has yet.

    31**8 codes make a clash with an existing record rare but, past a million children, no
    longer negligible (about one new record in a million); the unique index would then refuse
    a whole import batch or a facilitator's form. One query, drawing again only for a code
    already taken.
    """
    codes: set[str] = set()
    while len(codes) < count:
        drawn = {new_code(prefix) for _ in range(count - len(codes))} - codes
        taken = set(model._default_manager.filter(code__in=drawn).values_list("code", flat=True))
        codes |= drawn - taken
    return list(codes)
