"""Uploaded import files, encrypted at rest under MEDIA_ROOT/imports/.

An import file holds children's names, so it is never written in clear, not even for a moment:
the upload handler (collect/upload.py) encrypts it chunk by chunk as it arrives. The file is a
sequence of lines, each the Fernet token (core.crypto, rotatable keys) of one base64-encoded
chunk of CHUNK_SIZE plaintext bytes (the last chunk may be shorter). Every full chunk encrypts
to a line of the same length, so a reader can seek to any byte without decrypting what comes
before it: XLSX files are zip archives and are read from their end first.
"""

from __future__ import annotations

import base64
import io
import os
import secrets
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

from core.crypto import decrypt, encrypt

CHUNK_SIZE = 256 * 1024
# Decrypted chunks kept while reading: a zip reader jumps between a few places in the file.
CACHED_CHUNKS = 8
IMPORT_DIRECTORY = "imports"


def import_directory() -> Path:
    directory = Path(settings.MEDIA_ROOT) / IMPORT_DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def path_of(stored_name: str) -> Path:
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name[0] == ".":
        raise ValueError("not a stored import file name")
    return import_directory() / stored_name


def new_stored_name() -> str:
    return f"{secrets.token_hex(16)}.enc"


def delete_stored(stored_name: str) -> None:
    if stored_name:
        path_of(stored_name).unlink(missing_ok=True)


class EncryptedWriter:
    """Writes plaintext bytes to a new encrypted file; memory holds one chunk at most."""

    def __init__(self, stored_name: str) -> None:
        self.stored_name = stored_name
        self.size = 0
        self._buffer = bytearray()
        self._file = open(path_of(stored_name), "xb")  # noqa: SIM115 — closed in close()
        os.chmod(self._file.name, 0o600)

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        while len(self._buffer) >= CHUNK_SIZE:
            self._emit(bytes(self._buffer[:CHUNK_SIZE]))
            del self._buffer[:CHUNK_SIZE]

    def close(self) -> None:
        if self._buffer or self.size == 0:
            self._emit(bytes(self._buffer))
            self._buffer.clear()
        self._file.close()

    def abort(self) -> None:
        self._file.close()
        delete_stored(self.stored_name)

    def _emit(self, chunk: bytes) -> None:
        token = encrypt(base64.b64encode(chunk).decode("ascii"))
        self._file.write(token.encode("ascii") + b"\n")


def write_stored(data: bytes) -> tuple[str, int]:
    """Store `data` encrypted; returns the stored name and size (tests, small files)."""
    writer = EncryptedWriter(new_stored_name())
    writer.write(data)
    writer.close()
    return writer.stored_name, writer.size


class DecryptingReader(io.RawIOBase):
    """A seekable, read-only view of the plaintext of an encrypted import file."""

    def __init__(self, stored_name: str) -> None:
        super().__init__()
        self._file = open(path_of(stored_name), "rb")  # noqa: SIM115 — closed in close()
        first = self._file.readline()
        self._line_length = len(first)  # every full chunk's line has this length
        self._file.seek(0, os.SEEK_END)
        file_length = self._file.tell()
        self._chunks = max(1, -(-file_length // self._line_length)) if first else 0
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        last = self._chunk(self._chunks - 1) if self._chunks else b""
        self._size = (self._chunks - 1) * CHUNK_SIZE + len(last) if self._chunks else 0
        self._position = 0

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._position >= self._size:
            return 0
        index, start = divmod(self._position, CHUNK_SIZE)
        chunk = self._chunk(index)
        piece = chunk[start : start + len(buffer)]
        buffer[: len(piece)] = piece
        self._position += len(piece)
        return len(piece)

    def close(self) -> None:
        self._file.close()
        self._cache.clear()
        super().close()

    def _chunk(self, index: int) -> bytes:
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        self._file.seek(index * self._line_length)
        line = self._file.readline().rstrip(b"\n")
        chunk = base64.b64decode(decrypt(line.decode("ascii")))
        self._cache[index] = chunk
        if len(self._cache) > CACHED_CHUNKS:
            self._cache.popitem(last=False)
        return chunk


def open_stored(stored_name: str) -> io.BufferedReader:
    return io.BufferedReader(DecryptingReader(stored_name), buffer_size=64 * 1024)
