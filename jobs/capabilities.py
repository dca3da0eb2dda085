"""The one capability table: what each model accepts, what the form shows, what an image costs.

Defaults follow each vendor's published limits per known model (docs/dialects.md); an admin can
override any field per model (from the providers TOML or Django admin) with a dict whose keys are
the field names below. Validation in views and forms is driven from here, never from
`if model == ...` elsewhere.
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, UnidentifiedImageError

from jobs.parameters import (
    BOTH,
    CHOICE_PARAMETERS,
    EDIT,
    GENERATE,
    PARAMETERS,
    PARAMETERS_BY_NAME,
    Parameter,
)

DEFAULT_POLL_DEADLINE_SECONDS = 900

GPT_IMAGE_SIZES = ("auto", "1024x1024", "1536x1024", "1024x1536")
GROK_SIZES = ("960x960", "720x1280", "1280x720", "1168x784", "784x1168")
GROK_ASPECT_RATIOS = (
    "1:1", "3:4", "4:3", "9:16", "16:9", "2:3", "3:2",
    "9:19.5", "19.5:9", "9:20", "20:9", "1:2", "2:1", "auto",
)  # fmt: skip
WANX_SIZES = ("1024x1024", "720x1280", "1280x720", "768x1152")


@dataclass(frozen=True)
class Capabilities:
    """Limits of one model. An empty tuple means the model does not take that field."""

    operations: frozenset[str] = BOTH
    prompt_max: int = 4000
    n_min: int = 1
    n_max: int = 1
    sizes: tuple[str, ...] = ()
    aspect_ratios: tuple[str, ...] = ()
    resolutions: tuple[str, ...] = ()
    qualities: tuple[str, ...] = ()
    output_formats: tuple[str, ...] = ()
    backgrounds: tuple[str, ...] = ()
    moderations: tuple[str, ...] = ()
    input_fidelities: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    max_input_images: int = 1
    mask: bool = False
    # dall-e-2 edits: the image must be a square PNG below this many bytes (None = no such rule).
    edit_square_png_max_bytes: int | None = None
    output_compression: bool = False
    # Partial images streamed while the final one forms (the openai dialect's `partial_images`).
    partial_images_max: int = 0
    credits_per_image: int = 1
    size_credit_multipliers: Mapping[str, float] = field(default_factory=dict)
    quality_credit_multipliers: Mapping[str, float] = field(default_factory=dict)
    poll_deadline_seconds: int = DEFAULT_POLL_DEADLINE_SECONDS
    default_response_format: str | None = "b64_json"
    # What the provider uses when a choice is left out ({"size": "1024x1024"}), so a form's
    # "Default" can say what it means; a field missing here reads as a plain "Default".
    defaults: Mapping[str, str] = field(default_factory=dict)
    # The studio's own API (/v1): the `response_format` values it answers for this model, its
    # default first. OpenAI answers DALL-E (and most relays) with URLs unless asked for base64,
    # and gpt-image models with base64 alone; a value not listed is dropped and named.
    api_response_formats: tuple[str, ...] = ("url", "b64_json")
    # `POST /v1/images/variations` (only dall-e-2 offers them, in the openai dialect).
    variations: bool = False
    # An unsupported `size` on the API is answered with the closest allowed one, not a 400.
    nearest_size: bool = False


GPT_IMAGE = Capabilities(
    prompt_max=32000,
    n_max=10,
    sizes=GPT_IMAGE_SIZES,
    qualities=("low", "medium", "high", "auto"),
    output_formats=("png", "jpeg", "webp"),
    backgrounds=("transparent", "opaque", "auto"),
    moderations=("low", "auto"),
    input_fidelities=("high", "low"),
    max_input_images=16,
    mask=True,
    output_compression=True,
    partial_images_max=3,
    api_response_formats=("b64_json",),
    size_credit_multipliers={"1536x1024": 1.5, "1024x1536": 1.5},
    quality_credit_multipliers={"medium": 2, "high": 4, "auto": 2},
    defaults={"size": "auto", "quality": "auto", "background": "auto", "output_format": "png"},
)
WANX = Capabilities(
    prompt_max=800,
    n_max=4,
    sizes=WANX_SIZES,
    max_input_images=1,
    mask=True,
    defaults={"size": "1024x1024"},
)

MODEL_DEFAULTS: dict[str, Capabilities] = {
    "dall-e-2": Capabilities(
        prompt_max=1000,
        n_max=10,
        sizes=("256x256", "512x512", "1024x1024"),
        mask=True,
        edit_square_png_max_bytes=4 * 2**20,
        defaults={"size": "1024x1024"},
        variations=True,
    ),
    "dall-e-3": Capabilities(
        operations=frozenset({GENERATE}),
        prompt_max=4000,
        sizes=("1024x1024", "1792x1024", "1024x1792"),
        qualities=("standard", "hd"),
        styles=("vivid", "natural"),
        max_input_images=0,
        size_credit_multipliers={"1792x1024": 1.5, "1024x1792": 1.5},
        quality_credit_multipliers={"hd": 2},
        defaults={"size": "1024x1024", "quality": "standard"},
    ),
    "gpt-image-1": GPT_IMAGE,
    "gpt-image-1.5": GPT_IMAGE,
    "grok-3-image": Capabilities(
        prompt_max=1000,
        n_max=10,
        sizes=GROK_SIZES,
        aspect_ratios=GROK_ASPECT_RATIOS,
        resolutions=("1k", "2k"),
        qualities=("low", "medium", "high"),
        max_input_images=1,
        quality_credit_multipliers={"high": 2},
        size_credit_multipliers={},
    ),
    "wanx-v1": WANX,
}
# The same model name can mean less under another dialect.
DIALECT_MODEL_DEFAULTS: dict[tuple[str, str], Capabilities] = {
    # The qwen messages format ignores n and size; wanx-v1 there edits without a mask.
    ("qwen", "wanx-v1"): Capabilities(prompt_max=800, max_input_images=1),
    # Natively wanx-v1 is a text-to-image model; editing is another model family.
    ("dashscope", "wanx-v1"): dataclasses.replace(
        WANX, operations=frozenset({GENERATE}), max_input_images=0, mask=False
    ),
}
DIALECT_DEFAULTS: dict[str, Capabilities] = {
    "openai": Capabilities(n_max=4, sizes=("1024x1024", "1536x1024", "1024x1536"), mask=True),
    "grok": MODEL_DEFAULTS["grok-3-image"],
    "task": GPT_IMAGE,
    "qwen": DIALECT_MODEL_DEFAULTS[("qwen", "wanx-v1")],
    "dashscope": WANX,
}
FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(Capabilities))
STREAMING_DIALECTS = frozenset({"openai"})  # the others have no partial images to stream
VARIATION_DIALECTS = frozenset({"openai"})  # the only API with /images/variations


def capabilities_for(
    dialect: str,
    model_name: str,
    overrides: Mapping[str, object] | None = None,
    credits_per_image: int | None = None,
) -> Capabilities:
    """Defaults for this model in this dialect, with an admin's overrides applied."""
    if dialect not in DIALECT_DEFAULTS:
        raise ValueError(f"Unknown dialect {dialect!r}; known: {', '.join(DIALECT_DEFAULTS)}")
    caps = (
        DIALECT_MODEL_DEFAULTS.get((dialect, model_name))
        or MODEL_DEFAULTS.get(model_name)
        or DIALECT_DEFAULTS[dialect]
    )
    changes: dict[str, Any] = {
        name: _coerce(name, value) for name, value in (overrides or {}).items()
    }
    if credits_per_image is not None:
        changes["credits_per_image"] = _coerce("credits_per_image", credits_per_image)
    if dialect not in STREAMING_DIALECTS:
        changes["partial_images_max"] = 0
    if dialect not in VARIATION_DIALECTS:
        changes["variations"] = False
    return dataclasses.replace(caps, **changes)


def _coerce(name: str, value: object) -> object:
    """Turn a TOML/admin value into the field's type, or say clearly what is wrong."""
    if name not in FIELD_NAMES:
        known = ", ".join(sorted(FIELD_NAMES))
        raise ValueError(f"Unknown capability {name!r} in the model's limits; known: {known}")
    default = getattr(Capabilities(), name)
    if name == "operations":
        values = frozenset(_string_list(name, value))
        if not values or not values <= BOTH:
            raise ValueError("'operations' must list 'generate' and/or 'edit'")
        return values
    if isinstance(default, tuple):
        return tuple(_string_list(name, value))
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"Capability {name!r} must be true or false, not {value!r}")
        return value
    if name == "defaults":
        if not isinstance(value, Mapping):
            raise ValueError("'defaults' must be a table of field = value")
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(default, Mapping):
        if not isinstance(value, Mapping):
            raise ValueError(f"Capability {name!r} must be a table of name = number")
        return {str(k): float(v) for k, v in value.items()}
    if name == "default_response_format":
        if value not in (None, "url", "b64_json"):
            raise ValueError("'default_response_format' must be 'url' or 'b64_json'")
        return value
    if name == "api_response_formats":
        formats = tuple(_string_list(name, value))
        if not formats or not set(formats) <= {"url", "b64_json"}:
            raise ValueError("'api_response_formats' must list 'url' and/or 'b64_json'")
        return formats
    if value is None and name == "edit_square_png_max_bytes":
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"Capability {name!r} must be a whole number ≥ 0, not {value!r}")
    return value


def _string_list(name: str, value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence | frozenset | set):
        raise ValueError(f"Capability {name!r} must be a list of strings, not {value!r}")
    return [str(item) for item in value]


# ---------------------------------------------------------------------------------------------
# Credits


# An admin's price table for one model: {(quality, tier): credits per image}, where a tier is a
# size ("1536x1024") or a resolution ("2k") and "" matches any quality or any tier.
PriceTable = Mapping[tuple[str, str], int]


def credits_for(
    caps: Capabilities,
    n: int,
    size: str | None,
    quality: str | None,
    resolution: str | None = None,
    prices: PriceTable | None = None,
) -> int:
    """Credits for n images; each image is priced (and rounded up) on its own so refunds per image
    are exact. The admins' price table wins; the model's default multipliers are the fallback."""
    per_image = price_from_table(prices or {}, quality, size, resolution)
    if per_image is None:
        per_image = math.ceil(
            caps.credits_per_image
            * caps.size_credit_multipliers.get(size or "", 1)
            * caps.quality_credit_multipliers.get(quality or "", 1)
        )
    return n * per_image


def price_from_table(
    prices: PriceTable, quality: str | None, size: str | None, resolution: str | None
) -> int | None:
    """The most specific row that matches: quality and tier, then quality alone, then tier alone,
    then the model's catch-all row. None when the table has nothing for this request."""
    tiers = [tier for tier in (size, resolution) if tier] + [""]
    for wanted_quality in ([quality] if quality else []) + [""]:
        for tier in tiers:
            if (wanted_quality, tier) in prices:
                return prices[(wanted_quality, tier)]
    return None


# ---------------------------------------------------------------------------------------------
# What the form shows and accepts

COMPRESSIBLE_FORMATS = ("jpeg", "webp")
TRANSPARENT_FORMATS = ("png", "webp")


def visible_fields(caps: Capabilities, operation: str) -> list[str]:
    """The form fields this model supports for this operation, in display order."""
    fields = []
    if operation == EDIT:
        fields.append("image")
        if caps.mask:
            fields.append("mask")
    fields.append("prompt")
    if caps.n_max > caps.n_min:
        fields.append("n")
    fields.extend(
        parameter.name
        for parameter in PARAMETERS
        if operation in parameter.operations and _model_takes(caps, parameter)
    )
    return fields


def model_takes(caps: Capabilities, operation: str, name: str) -> bool:
    """Whether this model takes the registry parameter `name` for this operation."""
    parameter = PARAMETERS_BY_NAME[name]
    return operation in parameter.operations and _model_takes(caps, parameter)


def _model_takes(caps: Capabilities, parameter: Parameter) -> bool:
    if parameter.kind == "choice":
        return bool(getattr(caps, parameter.choices_from))
    if parameter.name == "output_compression":
        return caps.output_compression
    return parameter.name == "partial_images" and caps.partial_images_max > 0


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
    label = str(parameter.label).lower()
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
