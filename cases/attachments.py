"""Case attachments, encrypted at rest under MEDIA_ROOT/case_attachments/.

A case file's attachments are consent forms, certificates and photos of children, so they are
never written in clear: the whole file (at most MAX_ATTACHMENT_BYTES) is encrypted with the
rotatable keys of core.crypto and stored under a random name.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from django.conf import settings

from core.crypto import decrypt, encrypt

ATTACHMENT_DIRECTORY = "case_attachments"
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# What a case file needs: scans, photos and documents. The content is checked, not the name.
ALLOWED_TYPES = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}


def detected_type(head: bytes) -> str | None:
    """The type of a file from its first bytes, or None when it is not one we accept."""
    for content_type, magic in ALLOWED_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def _directory() -> Path:
    directory = Path(settings.MEDIA_ROOT) / ATTACHMENT_DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _path(stored_name: str) -> Path:
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name[0] == ".":
        raise ValueError("not a stored attachment name")
    return _directory() / stored_name


def store(data: bytes) -> str:
    """Encrypt and write `data`; returns the stored name."""
    stored_name = f"{secrets.token_hex(16)}.enc"
    path = _path(stored_name)
    with open(path, "xb") as handle:
        os.chmod(path, 0o600)
        handle.write(encrypt(base64.b64encode(data).decode("ascii")).encode("ascii"))
    return stored_name


def read(stored_name: str) -> bytes:
    return base64.b64decode(decrypt(_path(stored_name).read_text("ascii")))


def delete(stored_name: str) -> None:
    _path(stored_name).unlink(missing_ok=True)
