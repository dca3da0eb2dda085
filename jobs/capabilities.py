"""The capability table: what each model accepts and what an image costs.

`Capabilities` lists one model's limits; the rows below are the known models' (from their makers'
documentation, summarised in docs/dialects.md), whichever dialect serves them. Each dialect's
folder adds its own defaults (for a model no row knows, or one that means less in that dialect),
and `jobs.dialects.capabilities_for` puts them together. An admin can override any field per
model (from the providers TOML or Django admin) with a dict whose keys are the field names
below, read by `override_values`. The forms
(`jobs.form_fields`) and the checks (`jobs.request_checks`) are driven from here, never from
`if model == ...` elsewhere.

Plain Python: the dialects read it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jobs.parameters import BOTH, GENERATE

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


BASE64_ONLY = ("b64_json",)


def is_gpt_image(model_name: str) -> bool:
    """OpenAI's gpt-image models, under whichever dialect: the one place that names them.

    They always answer with base64 images: OpenAI refuses `response_format` for them (the openai
    adapter leaves it out), the sandbox answers them so, and their row below offers the studio's
    API nothing else (a test holds the row to this). They also refuse a prompt with their own
    code, `moderation_blocked` (the sandbox's openai envelope).
    """
    return model_name.startswith("gpt-image")


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
    api_response_formats=BASE64_ONLY,  # is_gpt_image
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
FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(Capabilities))


def override_values(
    overrides: Mapping[str, object] | None, credits_per_image: int | None = None
) -> dict[str, Any]:
    """An admin's overrides (and the model's credits per image, when set) as field values, each
    turned into its field's type; ValueError says clearly what is wrong."""
    changes: dict[str, Any] = {
        name: _coerce(name, value) for name, value in (overrides or {}).items()
    }
    if credits_per_image is not None:
        changes["credits_per_image"] = _coerce("credits_per_image", credits_per_image)
    return changes


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
