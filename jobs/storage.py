"""Where every image file is stored: `store_image` is the one way in, `stored_file_response` out.

Files go to Django's default storage (local files, or private S3 objects), under keys made from a
random UUID so two writers can never collide. Each original gets a WebP thumbnail at the same time.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from jobs.models import Image, ImageOrigin

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
THUMBNAIL_SIZE = (384, 384)


class ImageRejected(ValueError):
    """The bytes are not an image we accept; the message says why, for a person."""


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    mode: str


def inspect_image(data: bytes) -> ImageInfo:
    """Check that `data` is a whole PNG, JPEG or WebP image of a sane size, before decoding."""
    return _open_verified(data)[1]


def _open_verified(data: bytes) -> tuple[PILImage.Image, ImageInfo]:
    """The decoded image and its facts; the size is checked from the header before decoding."""
    if not data:
        raise ImageRejected("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            image = PILImage.open(io.BytesIO(data))
            info = ImageInfo(image.format or "", image.width, image.height, image.mode)
            _check_format_and_size(info)
            image.load()  # reads every byte: truncated or corrupt files fail here
    except ImageRejected:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise ImageRejected("The image has too many pixels.") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageRejected("The file is not a readable PNG, JPEG or WebP image.") from error
    return image, info


def _check_format_and_size(info: ImageInfo) -> None:
    if info.format not in ALLOWED_FORMATS:
        raise ImageRejected(
            f"{info.format or 'This'} images are not accepted; use PNG, JPEG or WebP."
        )
    pixels = info.width * info.height
    if pixels > settings.STUDIO_MAX_PIXELS:
        raise ImageRejected(
            f"The image is {info.width}×{info.height} pixels; the most we accept is "
            f"{settings.STUDIO_MAX_PIXELS:,} pixels in all."
        )


def make_thumbnail(image: PILImage.Image) -> bytes:
    thumbnail = image.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE, PILImage.Resampling.BICUBIC)
    if thumbnail.mode not in ("RGB", "RGBA"):
        thumbnail = thumbnail.convert("RGBA" if "A" in thumbnail.getbands() else "RGB")
    out = io.BytesIO()
    thumbnail.save(out, "WEBP", quality=80, method=2)
    return out.getvalue()


def store_image(
    data: bytes,
    *,
    owner,
    origin: ImageOrigin,
    job=None,
    team=None,
    index: int = 0,
    sources: Iterable[Image] = (),
    revised_prompt: str = "",
) -> Image:
    """Verify, hash and store an image and its thumbnail, and record it as an `Image` row."""
    decoded, info = _open_verified(data)
    image = Image(
        owner=owner,
        team=team,
        job=job,
        index=index,
        origin=origin,
        width=info.width,
        height=info.height,
        format=info.format,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        revised_prompt=revised_prompt or "",
    )
    prefix = f"images/{image.id.hex[:2]}/{image.id.hex}"
    saved: list[str] = []
    try:
        saved.append(
            default_storage.save(f"{prefix}.{ALLOWED_FORMATS[info.format]}", ContentFile(data))
        )
        saved.append(
            default_storage.save(f"{prefix}-thumb.webp", ContentFile(make_thumbnail(decoded)))
        )
        image.file.name, image.thumbnail.name = saved
        with transaction.atomic():
            image.save()
            image.sources.set(sources)
    except BaseException:
        for name in saved:  # never leave a file without its row
            default_storage.delete(name)
        raise
    return image


def read_stored_file(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def stored_file_response(name: str, *, content_type: str, download_as: str = "") -> HttpResponse:
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
    url = default_storage.url(
        name,
        parameters={"ResponseContentDisposition": disposition, "ResponseContentType": content_type},
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    return response


def _is_local(storage) -> bool:
    try:
        storage.path("probe")
    except NotImplementedError:
        return False
    return True
