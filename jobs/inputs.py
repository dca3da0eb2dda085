"""The images and mask of an edit: checked against the model, converted to what it takes, stored.

`fit_edit_inputs` is plain Python over bytes (a form calls it while validating); `submit_edit`
stores the new input images and submits the job, and removes what it stored when the submit is
refused (over quota), so a refused edit leaves nothing behind.

Order matters: the pipeline sends a job's source images oldest first and the provider fits the mask
to the first one sent. Callers therefore pass already-stored images first (oldest first), then
new uploads in the order given; stored uploads are newer than every existing image.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image as PILImage

from jobs.capabilities import Capabilities, check_edit_images
from jobs.storage import ImageInfo, ImageRejected, inspect_image

# Smaller square sides tried, largest first, when a PNG is over a model's byte limit.
SHRINK_SIDES = (1024, 512, 256)


class InputRejected(ValueError):
    """An input the model cannot take and we cannot convert; `field` is where to say so."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class EditInputs:
    """What will be sent: images (the mask fits the first), the mask, and which images changed."""

    images: list[bytes]
    mask: bytes | None
    converted: list[bool]


def fit_edit_inputs(caps: Capabilities, images: Sequence[bytes], mask: bytes | None) -> EditInputs:
    """Check the mask against the first image, convert images for the model, or raise InputRejected.

    Every image has already passed `inspect_image`; the mask has not.
    """
    if mask is not None and images:
        check_mask(mask, inspect_image(images[0]))
    inputs = EditInputs(list(images), mask, [False] * len(images))
    if caps.edit_square_png_max_bytes is not None:
        inputs = _to_square_pngs(inputs, caps.edit_square_png_max_bytes)
    # The capability table has the last word, so the form never passes what a dialect refuses.
    problems = check_edit_images(caps, inputs.images, inputs.mask)
    for field, message in problems.items():
        raise InputRejected(field, message)
    return inputs


def check_mask(mask: bytes, image: ImageInfo) -> None:
    """A mask is a PNG with transparency (the area to change), exactly the image's size."""
    try:
        info = inspect_image(mask)
    except ImageRejected as refusal:
        raise InputRejected("mask", f"The mask cannot be used: {refusal}") from refusal
    if info.format != "PNG":
        raise InputRejected(
            "mask", "The mask must be a PNG image whose transparent part is the area to change."
        )
    width, height = image.width, image.height
    if (info.width, info.height) != (width, height):
        raise InputRejected(
            "mask",
            f"The mask is {dimensions(info.width, info.height)} but the image is "
            f"{dimensions(width, height)}; "
            "the mask must be exactly the size of the image.",
        )
    with PILImage.open(io.BytesIO(mask)) as opened:
        if not opened.has_transparency_data:
            raise InputRejected(
                "mask",
                "The mask has no transparent pixels; paint (make transparent) the area to change.",
            )


def dimensions(width: int, height: int) -> str:
    return f"{width}\N{MULTIPLICATION SIGN}{height}"


def _to_square_pngs(inputs: EditInputs, max_bytes: int) -> EditInputs:
    """dall-e-2's rule: each image a square PNG (RGBA) under `max_bytes`; shrink both image and
    mask when the PNG is too large, since the mask must keep the first image's size."""
    images, converted, mask = [], [], inputs.mask
    for position, data in enumerate(inputs.images):
        with PILImage.open(io.BytesIO(data)) as opened:
            opened.load()
            if opened.width != opened.height:
                raise InputRejected(
                    "image",
                    f"This model edits only square images; this one is "
                    f"{dimensions(*opened.size)}. Crop it to a square or choose another model.",
                )
            # OpenAI refuses dall-e-2 edit images in RGB or palette modes, so those convert too.
            fits = opened.format == "PNG" and opened.mode in ("RGBA", "LA", "L")
            if fits and len(data) < max_bytes:
                images.append(data)
                converted.append(False)
                continue
            png, side = _square_png_under(opened, max_bytes)
        if position == 0 and mask is not None and side != opened.width:
            mask = _resized_png(mask, side)
        images.append(png)
        converted.append(True)
    return dataclasses.replace(inputs, images=images, mask=mask, converted=converted)


def _square_png_under(image: PILImage.Image, max_bytes: int) -> tuple[bytes, int]:
    """The image as an RGBA PNG under `max_bytes`, at its own side or the largest smaller one."""
    rgba = image.convert("RGBA")
    for side in (image.width, *(s for s in SHRINK_SIDES if s < image.width)):
        resized = rgba if side == image.width else rgba.resize((side, side), PILImage.LANCZOS)
        png = _png_bytes(resized)
        if len(png) < max_bytes:
            return png, side
    raise InputRejected(
        "image", f"This image cannot be made into a PNG under {max_bytes // 2**20} MB."
    )


def _resized_png(data: bytes, side: int) -> bytes:
    with PILImage.open(io.BytesIO(data)) as mask:
        # NEAREST keeps the mask's edge hard: a pixel is either edited or kept.
        return _png_bytes(mask.convert("RGBA").resize((side, side), PILImage.NEAREST))


def _png_bytes(image: PILImage.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
