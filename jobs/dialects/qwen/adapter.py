"""`qwen`: Qwen wanx-v1 in the DGrid "messages" JSON format, on `POST /v1/images/edits`.

The one message's `content` is always a list of parts, the DashScope multimodal shape:
`[{"text": prompt}, {"image": "data:image/png;base64,..."}, ...]` (text first, then each source
image as a data URI, so we never need a public URL of our own). Generations send the text part
only. `n` and `response_format` are ignored by the service, so they are not sent. The answer is
OpenAI-shaped.
"""

from __future__ import annotations

from jobs.providers.base import Endpoint, ImageRequest, ProviderResult
from jobs.providers.common import data_uri, openai_result
from jobs.providers.http import post_json

EDITS_PATH = "/v1/images/edits"


def message_content(request: ImageRequest) -> list[dict[str, str]]:
    parts = [{"text": request.prompt}]
    parts.extend({"image": data_uri(image)} for image in request.images)
    return parts


def request_body(request: ImageRequest) -> dict[str, object]:
    message = {"role": "user", "content": message_content(request)}
    return {"model": request.model, "input": {"messages": [message]}}


class QwenDialect:
    name = "qwen"
    label = "Qwen wanx-v1 messages"

    def submit(self, endpoint: Endpoint, request: ImageRequest) -> ProviderResult:
        return openai_result(post_json(endpoint, EDITS_PATH, request_body(request)), endpoint)

    def poll(self, endpoint: Endpoint, task_id: str) -> ProviderResult:
        raise NotImplementedError("qwen is synchronous: submit returns the images")
