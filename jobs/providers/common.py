"""Small pieces several dialects share: data URIs, OpenAI-shaped answers, status words."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from jobs import messages as texts
from jobs.messages import job_text

from .base import Endpoint, ImageRequest, InputImage, ProviderResult, ResultImage, TaskState
from .classify import classify_error, error_details
from .http import provider_url

# The optional request fields that every OpenAI-style dialect sends the same way, when set, in
# the order they go on the wire: registry parameters (jobs.parameters) and the request's `user`.
OPENAI_STYLE_FIELDS = (
    "size",
    "quality",
    "background",
    "output_format",
    "output_compression",
    "moderation",
    "input_fidelity",
    "style",
    "user",
)


def dict_field(source: Mapping[str, Any], key: str) -> dict[str, Any]:
    """`source[key]` when it is a JSON object, else an empty one (relays omit it or send null)."""
    value = source.get(key)
    return value if isinstance(value, dict) else {}


def data_uri(image: InputImage) -> str:
    encoded = base64.b64encode(image.data).decode("ascii")
    return f"data:{image.content_type};base64,{encoded}"


def set_fields(request: ImageRequest, names: Iterable[str]) -> dict[str, object]:
    """The named request values that are set (not None), in the order given."""
    values = {name: request.value(name) for name in names}
    return {name: value for name, value in values.items() if value is not None}


def form_fields(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """Multipart text parts: every value a string, as the services expect (n="2")."""
    return [(name, str(value)) for name, value in values.items() if value is not None]


def openai_result(body: dict, endpoint: Endpoint) -> ProviderResult:
    """A synchronous OpenAI-shaped answer: `{data: [{url|b64_json, revised_prompt}], usage}`."""
    if "data" not in body and body.get("error"):
        # Some relays answer HTTP 200 with an error envelope.
        code, message = error_details(body)
        raise classify_error(status=200, code=code, message=message, api_key=endpoint.api_key)
    entries = body.get("data") or []
    images = tuple(_openai_image(entry) for entry in entries if isinstance(entry, dict))
    usage = dict_field(body, "usage")
    usable = [image for image in images if image.url or image.b64_json]
    if not usable:
        return ProviderResult(
            state=TaskState.FAILED,
            images=images,
            usage=usage,
            message=job_text(texts.NO_IMAGE_IN_ANSWER),
        )
    return ProviderResult(state=TaskState.SUCCEEDED, images=images, usage=usage)


def _openai_image(entry: dict) -> ResultImage:
    # Relays send `"b64_json": ""` beside a url; an empty string is no image.
    return ResultImage(
        url=entry.get("url") or None,
        b64_json=entry.get("b64_json") or None,
        revised_prompt=entry.get("revised_prompt") or None,
        error=entry.get("error") if isinstance(entry.get("error"), str) else None,
    )


def task_state(
    word: str,
    *,
    succeeded: frozenset[str],
    failed: frozenset[str],
) -> TaskState:
    """Map a provider's status word; anything not known to be final is still running."""
    word = (word or "").strip().lower()
    if word in succeeded:
        return TaskState.SUCCEEDED
    if word in failed:
        return TaskState.FAILED
    return TaskState.RUNNING


def poll_url_path(template: str, task_id: str) -> str:
    """The poll path for a task: `{task_id}` is filled in, or the id is appended."""
    safe_id = quote(task_id, safe="")
    if "{task_id}" in template:
        return template.replace("{task_id}", safe_id)
    return template.rstrip("/") + "/" + safe_id


def check_poll_path(base_url: str, template: str) -> None:
    """ValueError when the poll path `template` is not a path on the provider at `base_url`
    (admin and the providers TOML check it as it is written; every request checks it again)."""
    if template:
        provider_url(base_url, poll_url_path(template, "task-id"))
