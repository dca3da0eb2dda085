"""Serving a stored image file to a browser: the web side of jobs/storage.py.

Views call this only after `studio/access.py` said the person may see the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from storages.backends.s3 import S3Storage


def stored_file_response(
    name: str, *, content_type: str, download_as: str = ""
) -> HttpResponseBase:
    """Serve a stored file to someone already allowed to see it.

    Local files are streamed; S3 objects are private, so the browser is sent to a presigned URL
    that expires after STUDIO_PRESIGNED_URL_SECONDS.
    """
    disposition = f'attachment; filename="{download_as}"' if download_as else "inline"
    if _is_local(default_storage):
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        response["Content-Disposition"] = disposition
        response["Cache-Control"] = "private, max-age=3600"
        return response
    # Not local, so S3: its url() signs response headers into the link.
    s3_storage = cast("S3Storage", default_storage)
    url = s3_storage.url(
        name,
        parameters={"ResponseContentDisposition": disposition, "ResponseContentType": content_type},
    )
    redirect = HttpResponseRedirect(url)
    redirect["Cache-Control"] = "private, no-store"
    return redirect


def _is_local(storage: Storage) -> bool:
    try:
        storage.path("probe")
    except NotImplementedError:
        return False
    return True
