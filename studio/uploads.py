"""An upload handler that stops keeping a file once it is over STUDIO_UPLOAD_MAX_BYTES.

Django spools uploads to memory or disk before any form sees them. Placed first, this handler keeps
counting a file's bytes but passes none past the limit to the handlers behind it, and hands the
form a stand-in with the real size and no content, so the form refuses it with its usual message
("… is 25.0 MB; the largest file we accept is 20.0 MB") without a copy of the rest on disk.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """What the form gets for a file over the limit: its name and size, without its content."""

    def __init__(self, name: str | None, content_type: str | None, size: int) -> None:
        super().__init__(io.BytesIO(), name, content_type, size)


class SizeLimitedUploadHandler(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.over_limit = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > settings.STUDIO_UPLOAD_MAX_BYTES:
            self.over_limit = True
            return None  # the handlers behind this one receive nothing more of this file
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.over_limit:
            return OversizedUpload(self.file_name, self.content_type, file_size)
        return None  # the next handler (memory or temporary file) completes it
