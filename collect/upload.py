"""An upload handler that encrypts the import file as it arrives.

Django's default handlers keep an upload in memory or in a clear temporary file; an import file
holds children's names, so this handler writes it straight to its encrypted store
(collect/storage.py), chunk by chunk, and stops at the size limit.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from collect.storage import EncryptedWriter, new_stored_name

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
FILE_FIELD = "file"


def max_upload_bytes() -> int:
    return int(getattr(settings, "KINGA_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


class EncryptedUpload(UploadedFile):
    """What the form receives: the stored (encrypted) file's name, not its content."""

    def __init__(self, stored_name: str, name: str, size: int, content_type: str) -> None:
        # The content is on disk, encrypted; this object only carries its name.
        super().__init__(file=io.BytesIO(), name=name, content_type=content_type, size=size)
        self.stored_name = stored_name


class EncryptingUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.too_large = False
        self.kept = ""  # the stored file that became a job's; any other is deleted
        self._writer: EncryptedWriter | None = None
        self._files: list[str] = []

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        if content_length > max_upload_bytes() + 64 * 1024:
            self.too_large = True  # refused before reading a byte of it

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        if field_name == FILE_FIELD and not self.too_large and self._writer is None:
            self._writer = EncryptedWriter(new_stored_name())

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.field_name != FILE_FIELD or self._writer is None:
            return None
        if start + len(raw_data) > max_upload_bytes():
            self.too_large = True
            self._writer.abort()
            self._writer = None
            raise StopUpload(connection_reset=False)
        self._writer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.field_name != FILE_FIELD or self._writer is None:
            return None
        writer, self._writer = self._writer, None
        writer.close()
        self._files.append(writer.stored_name)
        return EncryptedUpload(
            writer.stored_name, self.file_name or "", writer.size, self.content_type or ""
        )

    def upload_interrupted(self) -> None:
        if self._writer is not None:
            self._writer.abort()
            self._writer = None

    @property
    def stored_names(self) -> list[str]:
        return list(self._files)
