"""Whether a request fits its model: every limit of the capability table, checked before a job is
made (forms, the API and the services ask here), each broken limit as a sentence for its field."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, UnidentifiedImageError

from jobs.capabilities import Capabilities
from jobs.parameters import CHOICE_PARAMETERS, EDIT, GENERATE, Parameter

COMPRESSIBLE_FORMATS = ("jpeg", "webp")
TRANSPARENT_FORMATS = ("png", "webp")


def check_request(
    caps: Capabilities,
    operation: str,
    params: Mapping[str, object],
    images_count: int,
    has_mask: bool,
) -> dict[str, str]:
    """{form field: message} for every limit the request breaks; empty when it is fine."""
    errors: dict[str, str] = {}
    if operation not in caps.operations:
        field_name = "image" if operation == EDIT else "prompt"
        errors[field_name] = (
            _("This model cannot edit images.")
            if operation == EDIT
            else _("This model cannot generate images.")
        )
        return errors
    _check_prompt(caps, params.get("prompt"), errors)
    _check_n(caps, params.get("n"), errors)
    for parameter in CHOICE_PARAMETERS:
        allowed = getattr(caps, parameter.choices_from)
        _check_choice(parameter, _value(params, parameter.name), allowed, errors)
    _check_output_options(caps, params, errors)
    _check_partial_images(caps, operation, _value(params, "partial_images"), errors)
    if operation == EDIT:
        _check_inputs(caps, images_count, has_mask, errors)
    return errors


def _value(params: Mapping[str, object], name: str) -> object:
    value = params.get(name)
    return None if value in ("", None) else value


def _check_prompt(caps: Capabilities, prompt: object, errors: dict[str, str]) -> None:
    text = str(prompt or "").strip()
    if not text:
        errors["prompt"] = _("Enter a prompt.")
    elif len(text) > caps.prompt_max:
        errors["prompt"] = _(
            "The prompt is %(length)s characters long; this model accepts at most %(limit)s."
        ) % {"length": len(text), "limit": caps.prompt_max}


def _check_n(caps: Capabilities, n: object, errors: dict[str, str]) -> None:
    if n in (None, ""):
        return
    try:
        count = int(str(n))
    except ValueError:
        errors["n"] = _("The number of images must be a whole number.")
        return
    if not caps.n_min <= count <= caps.n_max:
        if caps.n_min == caps.n_max:
            errors["n"] = ngettext(
                "This model makes exactly %(count)s image per request.",
                "This model makes exactly %(count)s images per request.",
                caps.n_min,
            ) % {"count": caps.n_min}
        else:
            errors["n"] = _("Choose between %(min)s and %(max)s images.") % {
                "min": caps.n_min,
                "max": caps.n_max,
            }


def _check_choice(
    parameter: Parameter, value: object, allowed: tuple[str, ...], errors: dict[str, str]
) -> None:
    if value is None:
        return
    name = parameter.name
    # Inside a sentence: "a choice of aspect ratio" (lower() leaves Chinese as it is).
    label = _(parameter.label).lower()
    if not allowed:
        errors[name] = _("This model does not offer a choice of %(label)s.") % {"label": label}
    elif str(value) not in allowed:
        errors[name] = _(
            "This model does not offer the %(label)s %(value)s; choose one of: %(allowed)s"
        ) % {"label": label, "value": repr(value), "allowed": ", ".join(allowed)}


def _check_output_options(
    caps: Capabilities, params: Mapping[str, object], errors: dict[str, str]
) -> None:
    output_format = _value(params, "output_format")
    if _value(params, "background") == "transparent" and output_format not in (
        None,
        *TRANSPARENT_FORMATS,
    ):
        errors.setdefault("background", _("A transparent background needs PNG or WebP output."))
    compression = _value(params, "output_compression")
    if compression is None:
        return
    if not caps.output_compression:
        errors["output_compression"] = _("This model does not take a compression level.")
        return
    try:
        level = int(str(compression))
    except ValueError:
        level = -1
    if not 0 <= level <= 100:
        errors["output_compression"] = _("The compression level must be between 0 and 100.")
    elif output_format not in COMPRESSIBLE_FORMATS:
        errors["output_compression"] = _("Compression applies only to JPEG or WebP output.")


def _check_partial_images(
    caps: Capabilities, operation: str, value: object, errors: dict[str, str]
) -> None:
    if value is None or str(value) == "0":
        return
    if not caps.partial_images_max or operation != GENERATE:
        errors["partial_images"] = _("This model does not show partial images while it works.")
        return
    try:
        count = int(str(value))
    except ValueError:
        count = -1
    if not 0 <= count <= caps.partial_images_max:
        errors["partial_images"] = _("Choose between 0 and %(max)s partial previews.") % {
            "max": caps.partial_images_max
        }


def _check_inputs(
    caps: Capabilities, images_count: int, has_mask: bool, errors: dict[str, str]
) -> None:
    if images_count < 1:
        errors["image"] = _("Upload an image to edit.")
    elif images_count > caps.max_input_images:
        errors["image"] = ngettext(
            "This model accepts at most %(count)s image.",
            "This model accepts at most %(count)s images.",
            caps.max_input_images,
        ) % {"count": caps.max_input_images}
    if has_mask and not caps.mask:
        errors["mask"] = _("This model does not take a mask.")


def check_edit_images(
    caps: Capabilities, images: Sequence[bytes], mask: bytes | None
) -> dict[str, str]:
    """Checks that need the uploaded bytes: readable images, dall-e-2's square PNG rule, and
    a mask of the same size as the first image (OpenAI refuses any other)."""
    errors: dict[str, str] = {}
    sizes = []
    for data in images:
        opened = _open_image(data)
        if opened is None:
            errors["image"] = _("One of the uploaded files is not an image.")
            return errors
        sizes.append(opened.size)
        limit = caps.edit_square_png_max_bytes
        if limit is not None and not _is_square_png(opened, data, limit):
            errors["image"] = _("This model edits only square PNG images under %(size)s MB.") % {
                "size": limit // 2**20
            }
    if mask is not None:
        opened_mask = _open_image(mask)
        if opened_mask is None or opened_mask.format != "PNG":
            errors["mask"] = _("The mask must be a PNG image.")
        elif sizes and opened_mask.size != sizes[0]:
            errors["mask"] = _("The mask must have the same size as the image.")
    return errors


def _open_image(data: bytes) -> Image.Image | None:
    try:
        image = Image.open(io.BytesIO(data))
        image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return image


def _is_square_png(image: Image.Image, data: bytes, max_bytes: int) -> bool:
    width, height = image.size
    return image.format == "PNG" and width == height and len(data) < max_bytes
