"""`openai`: the OpenAI Images API (generations as JSON, edits as multipart/form-data)."""

from __future__ import annotations

from jobs.capabilities import is_gpt_image
from jobs.parameters import VARIATION_FIELDS
from jobs.providers.base import Endpoint, ImageRequest, InputImage, ProviderResult
from jobs.providers.common import OPENAI_STYLE_FIELDS, form_fields, openai_result, set_fields
from jobs.providers.http import post_json, post_json_events, post_multipart

GENERATIONS_PATH = "/v1/images/generations"
EDITS_PATH = "/v1/images/edits"
VARIATIONS_PATH = "/v1/images/variations"


def response_format_for(request: ImageRequest) -> str | None:
    """gpt-image models always answer base64 and reject the field; DALL-E defaults to base64
    so that nothing depends on a provider URL that expires within the hour."""
    if is_gpt_image(request.model):
        return None
    if request.model.startswith("dall-e"):
        return request.response_format or "b64_json"
    return request.response_format


def openai_fields(request: ImageRequest) -> dict[str, object]:
    fields: dict[str, object] = {"model": request.model, "prompt": request.prompt, "n": request.n}
    fields.update(set_fields(request, OPENAI_STYLE_FIELDS))
    response_format = response_format_for(request)
    if response_format:
        fields["response_format"] = response_format
    return fields


def image_parts(images: tuple[InputImage, ...], mask: InputImage | None) -> list:
    """One image goes as `image`; several as repeated `image[]` parts, as OpenAI documents."""
    name = "image" if len(images) == 1 else "image[]"
    parts = [(name, image) for image in images]
    if mask is not None:
        parts.append(("mask", mask))
    return parts


class OpenAIDialect:
    name = "openai"
    label = "OpenAI Images API"

    def submit(self, endpoint: Endpoint, request: ImageRequest) -> ProviderResult:
        fields = openai_fields(request)
        if request.operation == "edit":
            files = image_parts(request.images, request.mask)
            body = post_multipart(endpoint, EDITS_PATH, form_fields(fields), files)
        elif request.operation == "variation":
            variation = {name: fields[name] for name in VARIATION_FIELDS if name in fields}
            files = [("image", request.images[0])]
            body = post_multipart(endpoint, VARIATIONS_PATH, form_fields(variation), files)
        elif partial_images := request.params.get("partial_images"):
            fields.update(stream=True, partial_images=partial_images)
            body = collect_stream(post_json_events(endpoint, GENERATIONS_PATH, fields), request)
        else:
            body = post_json(endpoint, GENERATIONS_PATH, fields)
        return openai_result(body, endpoint)

    def poll(self, endpoint: Endpoint, task_id: str) -> ProviderResult:
        raise NotImplementedError("openai is synchronous: submit returns the images")


def collect_stream(events, request: ImageRequest) -> dict:
    """Hand each partial image to `request.on_partial` as it arrives; return the completed images
    shaped as the non-streaming answer, `{data: [{b64_json}], usage}`."""
    data: list[dict] = []
    usage: dict = {}
    for event in events:
        kind = str(event.get("type", ""))
        if kind.endswith(".partial_image") and request.on_partial and event.get("b64_json"):
            request.on_partial(int(event.get("partial_image_index") or 0), event["b64_json"])
        elif kind.endswith(".completed"):
            data.append({"b64_json": event.get("b64_json")})
            usage = event.get("usage") if isinstance(event.get("usage"), dict) else usage
        elif "data" in event or "error" in event:
            return event  # a whole answer (a relay that ignored `stream`) or an error envelope
    return {"data": data, "usage": usage}
