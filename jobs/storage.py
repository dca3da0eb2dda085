"""Where every image file is stored: `_write_image_files` is the one way in (pages serve files
through `studio/files.py`).

Files go to Django's default storage (local files, or private S3 objects). Each original gets a
WebP thumbnail at the same time. Two kinds of key:
- uploads (`store_image`): `images/<uuid>`, a random key, so two writers never collide;
- job results (`write_result_files`): `results/<job>/<position>-<attempt token>`, written just
  before the job's ending and recorded by it (`record_result_images`). A key that no row took
  (the ending was lost, or a worker died in between) is removed by `remove_unkept_result_files`,
  which every ending runs after it commits, so storage keeps no orphans.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from jobs import messages as texts
from jobs.messages import JobText, job_text
from jobs.models import Image, ImageOrigin

if TYPE_CHECKING:
    pass

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
THUMBNAIL_SIZE = (384, 384)


class ImageRejected(ValueError):
    """The bytes are not an image we accept; `text` says why, for a person (in English as
    `str()`, in the reader's language through jobs.localized)."""

    def __init__(self, text: JobText) -> None:
        super().__init__(str(text))
        self.text = text


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
        raise ImageRejected(job_text(texts.FILE_EMPTY))
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
        raise ImageRejected(job_text(texts.TOO_MANY_PIXELS)) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageRejected(job_text(texts.NOT_AN_IMAGE)) from error
    return image, info


def _check_format_and_size(info: ImageInfo) -> None:
    if info.format not in ALLOWED_FORMATS:
        if not info.format:
            raise ImageRejected(job_text(texts.UNKNOWN_FORMAT_REFUSED))
        raise ImageRejected(job_text(texts.FORMAT_REFUSED, format=info.format))
    pixels = info.width * info.height
    if pixels > settings.STUDIO_MAX_PIXELS:
        raise ImageRejected(
            job_text(
                texts.PIXELS_OVER_LIMIT,
                width=info.width,
                height=info.height,
                limit=f"{settings.STUDIO_MAX_PIXELS:,}",
            )
        )


def make_thumbnail(image: PILImage.Image) -> bytes:
    thumbnail = image.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE, PILImage.Resampling.BICUBIC)
    if thumbnail.mode not in ("RGB", "RGBA"):
        thumbnail = thumbnail.convert("RGBA" if "A" in thumbnail.getbands() else "RGB")
    out = io.BytesIO()
    thumbnail.save(out, "WEBP", quality=80, method=2)
    return out.getvalue()


@dataclass
class ResultDraft:
    """A result image whose files are written but whose row is not saved yet."""

    index: int
    info: ImageInfo
    data_bytes: int
    sha256: str
    file_name: str
    thumbnail_name: str
    revised_prompt: str = ""


def _write_image_files(data: bytes, prefix: str) -> tuple[ImageInfo, list[str]]:
    """Verify `data` and write it and its thumbnail under `prefix`; (facts, [file, thumbnail])."""
    decoded, info = _open_verified(data)
    saved: list[str] = []
    try:
        saved.append(
            default_storage.save(f"{prefix}.{ALLOWED_FORMATS[info.format]}", ContentFile(data))
        )
        saved.append(
            default_storage.save(f"{prefix}-thumb.webp", ContentFile(make_thumbnail(decoded)))
        )
    except BaseException:
        _delete_files(saved)  # never leave half a pair behind
        raise
    return info, saved


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def result_prefix(job) -> str:
    return f"results/{job.pk.hex}/"


def write_result_files(job, index: int, data: bytes, *, revised_prompt: str = "") -> ResultDraft:
    """Write one result of `job` (position `index`); `record_result_images` makes it a row."""
    token = uuid.uuid4().hex[:12]
    info, (file_name, thumbnail_name) = _write_image_files(
        data, f"{result_prefix(job)}{index}-{token}"
    )
    return ResultDraft(
        index=index,
        info=info,
        data_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=file_name,
        thumbnail_name=thumbnail_name,
        revised_prompt=revised_prompt,
    )


def record_result_images(
    job, drafts: Iterable[ResultDraft], *, sources: Iterable[Image], origin: ImageOrigin
) -> list[Image]:
    """The rows of a job's results; called inside the transaction that ends the job."""
    sources = list(sources)
    images = []
    for draft in drafts:
        image = Image(
            owner_id=job.owner_id,
            team_id=job.team_id,
            job=job,
            index=draft.index,
            origin=origin,
            width=draft.info.width,
            height=draft.info.height,
            format=draft.info.format,
            bytes=draft.data_bytes,
            sha256=draft.sha256,
            revised_prompt=draft.revised_prompt,
        )
        image.file.name, image.thumbnail.name = draft.file_name, draft.thumbnail_name
        image.save()
        if sources:
            image.sources.set(sources)
        images.append(image)
    return images


def discard_result_files(drafts: Iterable[ResultDraft]) -> None:
    """Remove the files of results that no row will take."""
    for draft in drafts:
        _delete_files([draft.file_name, draft.thumbnail_name])


def remove_unkept_result_files(job) -> int:
    """After a job's ending: remove files under its result prefix that no row refers to."""
    prefix = result_prefix(job)
    try:
        _, names = default_storage.listdir(prefix.rstrip("/"))
    except (FileNotFoundError, NotImplementedError):
        return 0
    kept: set[str] = set()
    for file_name, thumbnail_name in Image.objects.filter(job=job).values_list("file", "thumbnail"):
        kept.update((file_name, thumbnail_name))
    unkept = [prefix + name for name in names if prefix + name not in kept]
    _delete_files(unkept)
    return len(unkept)


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
    image = Image(
        owner=owner,
        team=team,
        job=job,
        index=index,
        origin=origin,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        revised_prompt=revised_prompt or "",
    )
    info, saved = _write_image_files(data, f"images/{image.id.hex[:2]}/{image.id.hex}")
    image.width, image.height, image.format = info.width, info.height, info.format
    try:
        image.file.name, image.thumbnail.name = saved
        with transaction.atomic():
            image.save()
            image.sources.set(sources)
    except BaseException:
        _delete_files(saved)  # never leave a file without its row
        raise
    return image


def read_stored_file(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()
