"""`task`: an asynchronous task relay for gpt-image-1.5 (`POST /api/v1/image/generation`).

Every answer is the envelope `{code, message, request_id, data: {task_id, task_status, urls, usage,
expired}}`; `code != 0` is an error even under HTTP 200. The status query is not published, so its
path is configurable per provider (`Endpoint.poll_path`, `{task_id}` filled in).
"""

from __future__ import annotations

from dataclasses import replace

from jobs import messages as texts
from jobs.messages import job_text
from jobs.providers.base import (
    Endpoint,
    ImageRequest,
    ProviderError,
    ProviderResult,
    ResultImage,
    TaskState,
)
from jobs.providers.classify import classify_error, text_or_none
from jobs.providers.common import (
    OPENAI_STYLE_FIELDS,
    data_uri,
    dict_field,
    poll_url_path,
    set_fields,
    task_state,
)
from jobs.providers.http import get_json, post_json

SUBMIT_PATH = "/api/v1/image/generation"
DEFAULT_POLL_PATH = "/api/v1/image/generation/{task_id}"
# Relays disagree on words; only these are final. Anything else keeps the task running.
SUCCEEDED_WORDS = frozenset({"success", "succeeded", "succeed", "completed", "done"})
FAILED_WORDS = frozenset(
    {"failed", "failure", "fail", "error", "canceled", "cancelled", "expired", "unknown"}
)


def submit_body(request: ImageRequest) -> dict[str, object]:
    body: dict[str, object] = {"model": request.model, "prompt": request.prompt, "n": request.n}
    body.update(set_fields(request, OPENAI_STYLE_FIELDS))
    if request.images:
        body["images"] = [{"image_url": data_uri(image)} for image in request.images]
    if request.mask is not None:
        body["mask"] = {"image_url": data_uri(request.mask)}
    return body


def result_from_envelope(envelope: dict, endpoint: Endpoint) -> ProviderResult:
    code = envelope.get("code", 0)
    if code not in (0, "0", None):
        raise classify_error(
            status=200,
            code=str(code),
            message=str(envelope.get("message") or ""),
            api_key=endpoint.api_key,
        )
    data = dict_field(envelope, "data")
    word = str(data.get("task_status") or "")
    state = task_state(word, succeeded=SUCCEEDED_WORDS, failed=FAILED_WORDS)
    urls = [url for url in data.get("urls") or [] if isinstance(url, str) and url]
    result = ProviderResult(
        state=state,
        task_id=text_or_none(data.get("task_id")),
        remote_status=word,
        usage=dict_field(data, "usage"),
    )
    if state is TaskState.SUCCEEDED and not urls:
        message = job_text(texts.SUCCESS_WITHOUT_URL)
        return replace(result, state=TaskState.FAILED, message=message)
    if state is TaskState.FAILED:
        reason = data.get("fail_reason") or data.get("error") or envelope.get("message") or word
        message = job_text(texts.TASK_REPORTED_AS, word=word, message=reason)
        return replace(result, message=message)
    images = tuple(ResultImage(url=url) for url in urls) if state is TaskState.SUCCEEDED else ()
    return replace(result, images=images)


class TaskDialect:
    name = "task"
    label = "Asynchronous task relay"

    def submit(self, endpoint: Endpoint, request: ImageRequest) -> ProviderResult:
        result = result_from_envelope(
            post_json(endpoint, SUBMIT_PATH, submit_body(request)), endpoint
        )
        if result.task_id is None and result.state is TaskState.RUNNING:
            raise ProviderError(job_text(texts.NO_TASK_ID), permanent=True)
        return result

    def poll(self, endpoint: Endpoint, task_id: str) -> ProviderResult:
        path = poll_url_path(endpoint.poll_path or DEFAULT_POLL_PATH, task_id)
        result = result_from_envelope(get_json(endpoint, path), endpoint)
        return result if result.task_id else replace(result, task_id=task_id)
