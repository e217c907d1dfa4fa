"""Encryption at rest for personal data, and keyed hashes for finding duplicates.

Names, phone numbers, photos and household coordinates are stored encrypted with Fernet
(AES-128-CBC + HMAC-SHA256). Keys come from KINGA_ENCRYPTION_KEYS, newest first: the first key
encrypts, every key decrypts, so a key can be rotated without downtime (`manage.py rotate_keys`
re-encrypts old rows). A keyed hash (HMAC-SHA256 with KINGA_HASH_KEY) of a normalised value lets
Kinga find "the same name" without ever comparing plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class DecryptionError(Exception):
    """A stored value cannot be read with any configured key (a key was removed too early)."""


@cache
def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in settings.ENCRYPTION_KEYS])
    except ValueError as error:
        raise ValueError(f"KINGA_ENCRYPTION_KEYS holds an invalid Fernet key: {error}") from None


def reset_keys() -> None:
    """Forget cached keys (tests that change settings.ENCRYPTION_KEYS call this)."""
    _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("no configured key decrypts this value") from None


def rotate(token: str) -> str:
    """The same plaintext, re-encrypted with the newest key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("no configured key decrypts this value") from None


def normalise_name(value: str) -> str:
    """Lower case, accents removed, spaces folded: "  Mwamba  KAPEND " → "mwamba kapend"."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    kept = "".join(ch if ch.isalnum() else " " for ch in stripped.casefold())
    return " ".join(kept.split())


def keyed_hash(*parts: str) -> str:
    """HMAC-SHA256 of the parts joined unambiguously; the same input always gives the same hash."""
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as a Fernet token, read back as plaintext. It cannot be filtered or sorted
    on: search through a keyed-hash column beside it instead."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]
        return encrypt(str(value))
