"""The images and mask of an edit: checked against the model in the form, converted in the job.

`check_edit_inputs` is plain Python over bytes that a form calls while validating: only checks,
nothing slow. What a dialect needs converted (dall-e-2: square RGBA PNGs under 4 MB, shrunk with
their mask when too large) is done by `inputs_for_model` where the job builds its request, so a
large upload costs the worker, not the web request. `submit_edit` stores the inputs as sent.

Order matters: the pipeline sends a job's source images oldest first and the provider fits the mask
to the first one sent. Callers therefore pass already-stored images first (oldest first), then
new uploads in the order given; stored uploads are newer than every existing image.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image as PILImage

from jobs import messages as texts
from jobs.capabilities import Capabilities
from jobs.localized import localize
from jobs.messages import JobText, job_text
from jobs.providers import InputImage, ProviderError
from jobs.request_checks import check_edit_images
from jobs.storage import ImageInfo, ImageRejected, inspect_image

# Smaller square sides tried, largest first, when a PNG is over a model's byte limit.
SHRINK_SIDES = (1024, 512, 256)
# dall-e-2 answers at 1024x1024 at most, so a larger input is first brought down to that: trying
# to compress a 16 Mpx PNG under 4 MB only costs a worker a minute and never fits.
LARGEST_SIDE = SHRINK_SIDES[0]


class InputRejected(ValueError):
    """An input the model cannot take and we cannot convert; `field` is where to say so.

    `message` is for the form that is open; `text`, when set, is the same sentence by its code,
    for a job that meets it while its request is built (inputs_for_model).
    """

    def __init__(self, field: str, message: str, text: JobText | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.text = text


@dataclass(frozen=True)
class EditInputs:
    """What the person sent: images (the mask fits the first) and the mask."""

    images: list[bytes]
    mask: bytes | None


def check_edit_inputs(
    caps: Capabilities, images: Sequence[bytes], mask: bytes | None
) -> EditInputs:
    """Check the images and mask against the model, or raise InputRejected. Converts nothing.

    Every image has already passed `inspect_image`; the mask has not.
    """
    if mask is not None and images:
        check_mask(mask, inspect_image(images[0]))
    if caps.edit_square_png_max_bytes is not None:
        for data in images:
            _require_square(data)
    # The capability table has the last word, so the form never passes what a dialect refuses;
    # only the PNG format and byte rule is left to the conversion in the job.
    unconverted = dataclasses.replace(caps, edit_square_png_max_bytes=None)
    for field, message in check_edit_images(unconverted, images, mask).items():
        raise InputRejected(field, message)
    return EditInputs(list(images), mask)


def inputs_for_model(
    caps: Capabilities, images: tuple[InputImage, ...], mask: InputImage | None
) -> tuple[tuple[InputImage, ...], InputImage | None]:
    """The job's images and mask as its model takes them (called where the request is built).

    A conversion that cannot succeed is a ProviderError(permanent), so the job fails with its
    message, as any request the provider could not take.
    """
    limit = caps.edit_square_png_max_bytes
    if limit is None:
        return images, mask
    try:
        pngs, converted, mask_png = _to_square_pngs(
            [image.data for image in images], mask.data if mask else None, limit
        )
    except InputRejected as refusal:
        raise ProviderError(refusal.text or refusal.message, permanent=True) from refusal
    fitted = tuple(
        InputImage(png, f"image-{position}.png", "image/png") if converted[position] else original
        for position, (original, png) in enumerate(zip(images, pngs, strict=True))
    )
    if mask is not None and mask_png is not None and mask_png is not mask.data:
        mask = InputImage(mask_png, mask.filename, "image/png")
    return fitted, mask


def check_mask(mask: bytes, image: ImageInfo) -> None:
    """A mask is a PNG with transparency (the area to change), exactly the image's size."""
    try:
        info = inspect_image(mask)
    except ImageRejected as refusal:
        problem = localize(refusal.text)
        raise InputRejected(
            "mask", _("The mask cannot be used: %(problem)s") % {"problem": problem}
        ) from refusal
    if info.format != "PNG":
        raise InputRejected(
            "mask", _("The mask must be a PNG image whose transparent part is the area to change.")
        )
    width, height = image.width, image.height
    if (info.width, info.height) != (width, height):
        raise InputRejected(
            "mask",
            _(
                "The mask is %(mask)s but the image is %(image)s; "
                "the mask must be exactly the size of the image."
            )
            % {"mask": dimensions(info.width, info.height), "image": dimensions(width, height)},
        )
    with PILImage.open(io.BytesIO(mask)) as opened:
        if not opened.has_transparency_data:
            raise InputRejected(
                "mask",
                _(
                    "The mask has no transparent pixels; "
                    "paint (make transparent) the area to change."
                ),
            )


def dimensions(width: int, height: int) -> str:
    return f"{width}\N{MULTIPLICATION SIGN}{height}"


def _require_square(data: bytes) -> None:
    with PILImage.open(io.BytesIO(data)) as opened:  # the header is enough: no decoding
        width, height = opened.size
    if width != height:
        text = job_text(texts.NOT_SQUARE, size=dimensions(width, height))
        raise InputRejected("image", localize(text), text)


def _to_square_pngs(
    images: list[bytes], mask: bytes | None, max_bytes: int
) -> tuple[list[bytes], list[bool], bytes | None]:
    """dall-e-2's rule: each image a square PNG (RGBA) under `max_bytes`; shrink both image and
    mask when the PNG is too large, since the mask must keep the first image's size.
    Returns the images, which of them changed, and the mask."""
    pngs, converted = [], []
    for position, data in enumerate(images):
        with PILImage.open(io.BytesIO(data)) as opened:
            opened.load()
            if opened.width != opened.height:
                _require_square(data)
            # OpenAI refuses dall-e-2 edit images in RGB or palette modes, so those convert too.
            fits = opened.format == "PNG" and opened.mode in ("RGBA", "LA", "L")
            if fits and len(data) < max_bytes:
                pngs.append(data)
                converted.append(False)
                continue
            png, side = _square_png_under(opened, max_bytes)
        if position == 0 and mask is not None and side != opened.width:
            mask = _resized_png(mask, side)
        pngs.append(png)
        converted.append(True)
    return pngs, converted, mask


def _square_png_under(image: PILImage.Image, max_bytes: int) -> tuple[bytes, int]:
    """The image as an RGBA PNG under `max_bytes`, at its own side (up to LARGEST_SIDE) or the
    largest smaller one."""
    rgba = image.convert("RGBA")
    own = [image.width] if image.width <= LARGEST_SIDE else []
    for side in (*own, *(s for s in SHRINK_SIDES if s < image.width)):
        resized = (
            rgba if side == image.width else rgba.resize((side, side), PILImage.Resampling.LANCZOS)
        )
        png = _png_bytes(resized)
        if len(png) < max_bytes:
            return png, side
    text = job_text(texts.NO_PNG_UNDER, size=max_bytes // 2**20)
    raise InputRejected("image", localize(text), text)


def _resized_png(data: bytes, side: int) -> bytes:
    with PILImage.open(io.BytesIO(data)) as mask:
        # NEAREST keeps the mask's edge hard: a pixel is either edited or kept.
        return _png_bytes(mask.convert("RGBA").resize((side, side), PILImage.Resampling.NEAREST))


def _png_bytes(image: PILImage.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")  # optimize=True: ~10% smaller for ten times the time
    return out.getvalue()
