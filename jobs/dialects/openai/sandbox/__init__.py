"""The openai dialect in the sandbox: OpenAI's Images API (generations as JSON or a stream of
server-sent events, edits and variations as multipart), with its models' limits and its error
envelope. The grok and qwen relays answer in the same shapes and use the pieces here."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageFilter

from jobs.capabilities import is_gpt_image
from jobs.sandbox import checks
from jobs.sandbox.core import Incoming, Reply, SandboxError, SandboxState, UploadedFile, json_reply
from jobs.sandbox.directives import Directives
from jobs.sandbox.emulation import Emulation, Submit, form_prompt, json_prompt
from jobs.sandbox.envelopes import Envelope, FaultWords
from jobs.sandbox.images import (
    encode,
    image_size,
    looks_like_image,
    noise_png,
    parse_size,
    render_edit,
    render_generated,
)

GENERATIONS_PATH = "/v1/images/generations"
EDITS_PATH = "/v1/images/edits"
VARIATIONS_PATH = "/v1/images/variations"

GPT_SIZES = frozenset({"auto", "1024x1024", "1536x1024", "1024x1536"})
PARTIAL_SECONDS = 0.8  # between streamed partial images, so a page can show each one
RESPONSE_FORMATS = frozenset({"url", "b64_json"})
GPT_CHOICES = {
    "background": frozenset({"transparent", "opaque", "auto"}),
    "output_format": frozenset({"png", "jpeg", "webp"}),
    "moderation": frozenset({"low", "auto"}),
    "input_fidelity": frozenset({"high", "low"}),
}
EDIT_PNG_MAX_BYTES = 4 * 2**20


@dataclass(frozen=True)
class OpenAIModel:
    prompt_max: int
    n_max: int
    sizes: frozenset[str]  # empty: any WxH
    qualities: frozenset[str] = frozenset()
    edits: bool = True
    gpt: bool = False  # gpt-image: extra fields, several input images
    max_images: int = 1


GPT_IMAGE = OpenAIModel(
    32000, 10, GPT_SIZES, frozenset({"low", "medium", "high", "auto"}), gpt=True, max_images=16
)
OPENAI_MODELS = {
    "dall-e-2": OpenAIModel(1000, 10, frozenset({"256x256", "512x512", "1024x1024"})),
    "dall-e-3": OpenAIModel(
        4000,
        1,
        frozenset({"1024x1024", "1792x1024", "1024x1792"}),
        frozenset({"standard", "hd"}),
        edits=False,
    ),
    "gpt-image-1": GPT_IMAGE,
    "gpt-image-1.5": GPT_IMAGE,
}
ANY_MODEL = OpenAIModel(32000, 10, frozenset(), max_images=16)  # names the sandbox does not know


# ---------------------------------------------------------------------------------------------
# Answers


def image_entries(
    state: SandboxState,
    incoming: Incoming,
    pictures: list[Image.Image],
    *,
    as_base64: bool,
    output_format: str = "png",
) -> list[dict]:
    entries = []
    noise = incoming.directives is not None and incoming.directives.noise
    for picture in pictures:
        if noise:
            data, content_type = noise_png(picture.size), "image/png"
        else:
            data, content_type = encode(picture, output_format)
        if as_base64:
            entries.append({"b64_json": base64.b64encode(data).decode()})
        else:
            entries.append(
                {
                    "url": f"{incoming.base_url}/files/"
                    f"{state.store_file(data, content_type, incoming.directives)}"
                }
            )
    return entries


def produced(n: int, directives: Directives) -> int:
    return n if directives.fewer is None else min(n, directives.fewer)


def token_usage(prompt: str, images_in: int, images_out: int) -> dict:
    text_tokens, image_tokens = len(prompt) // 4 + 1, 323 * images_in
    output_tokens = 1056 * images_out
    return {
        "input_tokens": text_tokens + image_tokens,
        "output_tokens": output_tokens,
        "total_tokens": text_tokens + image_tokens + output_tokens,
        "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": image_tokens},
    }


def openai_answer(entries: list[dict], usage: dict | None) -> Reply:
    payload: dict = {"created": int(time.time()), "data": entries}
    if usage is not None:
        payload["usage"] = usage
    return json_reply(200, payload)


# ---------------------------------------------------------------------------------------------
# openai


def openai_params(model: OpenAIModel, fields: dict, *, from_form: bool, edit: bool) -> int:
    """Validate the shared OpenAI fields; returns n."""
    allowed = {"model", "prompt", "n", "size", "quality", "user"}
    allowed |= (
        {"background", "output_format", "output_compression", "moderation"} if model.gpt else set()
    )
    allowed |= {"stream", "partial_images"} if model.gpt and not edit else set()
    allowed |= {"input_fidelity"} if model.gpt and edit else set()
    allowed |= set() if model.gpt else {"response_format", "style"}
    if model is not ANY_MODEL:  # unknown relay models may take anything
        checks.only_known_keys(fields, allowed)
    checks.text(fields, "prompt", max_length=model.prompt_max)
    n = checks.whole_number(fields, "n", 1, model.n_max, from_form=from_form)
    checks.choice(fields, "size", model.sizes)
    checks.choice(fields, "quality", model.qualities)
    checks.choice(fields, "response_format", RESPONSE_FORMATS)
    for name, allowed_values in GPT_CHOICES.items():
        checks.choice(fields, name, allowed_values)
    if fields.get("output_compression") is not None:
        checks.whole_number(fields, "output_compression", 0, 100, from_form=from_form)
    if fields.get("background") == "transparent" and fields.get("output_format") == "jpeg":
        raise checks.invalid("A transparent background needs png or webp.", "background")
    return n


def openai_model(fields: dict, default: str | None = None) -> tuple[str, OpenAIModel]:
    name = fields.get("model") or default
    if not isinstance(name, str) or not name:
        raise checks.invalid(
            "Missing required parameter: 'model'.", "model", "missing_required_parameter"
        )
    return name, OPENAI_MODELS.get(name, ANY_MODEL)


def openai_reply(
    state: SandboxState, incoming: Incoming, pictures: list[Image.Image], fields: dict,
    name: str, model: OpenAIModel, images_in: int,
) -> Reply:  # fmt: skip
    as_base64 = is_gpt_image(name) or fields.get("response_format") == "b64_json"
    output_format = fields.get("output_format") or "png"
    entries = image_entries(
        state, incoming, pictures, as_base64=as_base64, output_format=output_format
    )
    if model is OPENAI_MODELS["dall-e-3"]:
        for entry in entries:
            entry["revised_prompt"] = f"A detailed rendering of: {fields['prompt']}"
    usage = token_usage(fields["prompt"], images_in, len(pictures)) if model.gpt else None
    return openai_answer(entries, usage)


def openai_generate(state: SandboxState, incoming: Incoming, directives: Directives) -> Reply:
    fields = checks.json_object(incoming)
    name, model = openai_model(fields)
    n = openai_params(model, fields, from_form=False, edit=False)
    size = parse_size(fields.get("size"))
    pictures = [render_generated(directives.text, size, i) for i in range(produced(n, directives))]
    if fields.get("stream") is True:
        partials = checks.whole_number(fields, "partial_images", 0, 3, default=0)
        return openai_stream(pictures, fields, partials)
    return openai_reply(state, incoming, pictures, fields, name, model, 0)


def openai_stream(pictures: list[Image.Image], fields: dict, partials: int) -> Reply:
    """`stream: true`: `partial_images` blurred versions of the first picture, one every
    PARTIAL_SECONDS, then each finished picture, as OpenAI's server-sent events."""
    output_format = fields.get("output_format") or "png"

    def event(kind: str, payload: dict) -> bytes:
        body = json.dumps({"type": f"image_generation.{kind}", **payload})
        return f"event: image_generation.{kind}\ndata: {body}\n\n".encode()

    def b64(picture: Image.Image) -> str:
        return base64.b64encode(encode(picture, output_format)[0]).decode()

    def events() -> Iterator[bytes]:
        for index in range(partials):
            time.sleep(PARTIAL_SECONDS)
            blurred = pictures[0].filter(ImageFilter.GaussianBlur(12 * (partials - index)))
            yield event("partial_image", {"b64_json": b64(blurred), "partial_image_index": index})
        time.sleep(PARTIAL_SECONDS)
        usage = token_usage(fields["prompt"], 0, len(pictures))
        for picture in pictures:
            yield event("completed", {"b64_json": b64(picture), "usage": usage})

    return Reply(200, b"", content_type="text/event-stream", stream=events())


def openai_edit(state: SandboxState, incoming: Incoming, directives: Directives) -> Reply:
    checks.require_multipart(incoming)
    checks.no_text_part_named(incoming, ("image", "image[]", "mask"))
    fields = dict(incoming.form)
    name, model = openai_model(fields, default="dall-e-2")  # OpenAI's default for edits
    if not model.edits:
        raise checks.invalid(f"{name} does not support image edits.", "model")
    n = openai_params(model, fields, from_form=True, edit=True)
    images, mask = edit_uploads(incoming, max_images=model.max_images)
    check_edit_images(images, mask, png_square=not model.gpt and model is not ANY_MODEL)
    size = parse_size(fields.get("size"), default=None) if fields.get("size") != "auto" else None
    mask_data = mask.data if mask else None
    pictures = [
        render_edit(images[0].data, mask_data, directives.text, size, i)
        for i in range(produced(n, directives))
    ]
    return openai_reply(state, incoming, pictures, fields, name, model, len(images))


def openai_variation(state: SandboxState, incoming: Incoming, directives: Directives) -> Reply:
    """dall-e-2's variations: one square PNG under 4 MB, no prompt; each picture a re-rendering
    of the image (as an edit with an empty prompt)."""
    checks.require_multipart(incoming)
    checks.no_text_part_named(incoming, ("image",))
    fields = dict(incoming.form)
    name, model = openai_model(fields, default="dall-e-2")
    if model is not OPENAI_MODELS["dall-e-2"] and model is not ANY_MODEL:
        raise checks.invalid(f"{name} does not support image variations.", "model")
    checks.only_known_keys(fields, {"model", "n", "size", "response_format", "user"})
    n = checks.whole_number(fields, "n", 1, model.n_max, from_form=True)
    checks.choice(fields, "size", model.sizes)
    checks.choice(fields, "response_format", RESPONSE_FORMATS)
    images, mask = edit_uploads(incoming, max_images=1)
    if mask is not None:
        raise checks.invalid("Unknown file field: 'mask'.", "mask", "unknown_parameter")
    check_edit_images(images, None, png_square=True)
    size = parse_size(fields.get("size"))
    pictures = [render_edit(images[0].data, None, "", size, i) for i in range(n)]
    return openai_reply(state, incoming, pictures, {**fields, "prompt": ""}, name, model, 1)


def edit_uploads(
    incoming: Incoming, *, max_images: int
) -> tuple[list[UploadedFile], UploadedFile | None]:
    images = [f for f in incoming.files if f.field in ("image", "image[]")]
    masks = [f for f in incoming.files if f.field == "mask"]
    others = [f.field for f in incoming.files if f.field not in ("image", "image[]", "mask")]
    if others:
        raise checks.invalid(f"Unknown file field: '{others[0]}'.", others[0], "unknown_parameter")
    if not images:
        raise checks.invalid(
            "Missing required parameter: 'image'.", "image", "missing_required_parameter"
        )
    if len(images) > max_images or len(masks) > 1:
        raise checks.invalid(f"Too many images: at most {max_images} and one mask.", "image")
    return images, masks[0] if masks else None


def check_edit_images(
    images: list[UploadedFile], mask: UploadedFile | None, *, png_square: bool
) -> None:
    for upload in images:
        image_format = looks_like_image(upload.data)
        if image_format is None:
            raise checks.invalid(
                f"'{upload.filename}' is not a valid image.", "image", "invalid_image"
            )
        if png_square:
            width, height = image_size(upload.data)
            if image_format != "PNG" or width != height or len(upload.data) >= EDIT_PNG_MAX_BYTES:
                raise checks.invalid(
                    "Uploaded image must be a PNG, square, and less than 4 MB.",
                    "image",
                    "invalid_image",
                )
    if mask is not None:
        if looks_like_image(mask.data) != "PNG":
            raise checks.invalid("The mask must be a PNG image.", "mask", "invalid_image")
        if image_size(mask.data) != image_size(images[0].data):
            raise checks.invalid(
                "The mask must have the same size as the image.", "mask", "invalid_image"
            )


# ---------------------------------------------------------------------------------------------
# Errors, and the endpoints


def error_body(error: SandboxError) -> dict:
    kind = "invalid_request_error" if error.status < 500 else "server_error"
    return {
        "error": {
            "message": error.message,
            "type": "insufficient_quota" if error.code == "insufficient_quota" else kind,
            "param": error.param,
            "code": error.code,
        }
    }


class OpenAIEnvelope(Envelope):
    def named_fault(self, kind: str, model: str) -> FaultWords | None:
        named = super().named_fault(kind, model)
        if named is not None and kind == "policy" and is_gpt_image(model):
            status, _code, message = named  # gpt-image models use their own code for it
            return status, "moderation_blocked", message
        return named


# OpenAI's error shape, which the OpenAI-style relays (grok, qwen) answer in too.
ENVELOPE = OpenAIEnvelope(
    body=error_body,
    named_faults={
        "policy": (
            400,
            "content_policy_violation",
            "Your request was rejected as a result of our safety system.",
        ),
        "quota": (
            429,
            "insufficient_quota",
            "You exceeded your current quota, please check your plan and billing details.",
        ),
        "busy": (503, "server_overloaded", "The server is overloaded, please try again later."),
    },
    status_codes={429: "rate_limit_exceeded", 500: "server_error"},
)
EMULATION = Emulation(
    envelope=ENVELOPE,
    submits=(
        Submit(GENERATIONS_PATH, openai_generate, json_prompt),
        Submit(EDITS_PATH, openai_edit, form_prompt),
        Submit(VARIATIONS_PATH, openai_variation, lambda incoming: ""),
    ),
)
