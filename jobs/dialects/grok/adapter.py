"""`grok`: grok-3-image through OpenAI-style relays.

The relay's quirk: `aspect_ratio`, `quality` and `resolution` travel as arrays whose length equals
`n`, one entry per image, `null` meaning "the default". Edits are multipart with exactly one image.
"""

from __future__ import annotations

from jobs import messages as texts
from jobs.messages import job_text
from jobs.providers.base import Endpoint, ImageRequest, ProviderError, ProviderResult
from jobs.providers.common import form_fields, openai_result, set_fields
from jobs.providers.http import post_json, post_multipart

GENERATIONS_PATH = "/v1/images/generations"
EDITS_PATH = "/v1/images/edits"
PER_IMAGE_FIELDS = ("aspect_ratio", "quality", "resolution")


def generation_body(request: ImageRequest) -> dict[str, object]:
    body: dict[str, object] = {"model": request.model, "prompt": request.prompt, "n": request.n}
    body.update(set_fields(request, ("size", "response_format", "user")))
    per_image = set_fields(request, PER_IMAGE_FIELDS)
    if per_image:
        # The relay checks that all three arrays have length n once any of them is sent.
        for name in PER_IMAGE_FIELDS:
            body[name] = [per_image.get(name)] * request.n
    return body


def edit_fields(request: ImageRequest) -> dict[str, object]:
    fields: dict[str, object] = {"model": request.model, "prompt": request.prompt, "n": request.n}
    fields.update(set_fields(request, (*PER_IMAGE_FIELDS, "response_format", "user")))
    return fields


class GrokDialect:
    name = "grok"
    label = "grok-3-image relay"

    def submit(self, endpoint: Endpoint, request: ImageRequest) -> ProviderResult:
        if request.operation != "edit":
            return openai_result(
                post_json(endpoint, GENERATIONS_PATH, generation_body(request)), endpoint
            )
        if len(request.images) != 1 or request.mask is not None:
            raise ProviderError(
                job_text(texts.GROK_EDIT_INPUTS),
                permanent=True,
                code="invalid_request",
            )
        files = [("image", request.images[0])]
        body = post_multipart(endpoint, EDITS_PATH, form_fields(edit_fields(request)), files)
        return openai_result(body, endpoint)

    def poll(self, endpoint: Endpoint, task_id: str) -> ProviderResult:
        raise NotImplementedError("grok is synchronous: submit returns the images")
