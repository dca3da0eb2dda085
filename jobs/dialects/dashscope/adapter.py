"""`dashscope`: Alibaba DashScope's native asynchronous image synthesis (wanx models).

Submit with `X-DashScope-Async: enable`, get `output.task_id`, poll `GET /api/v1/tasks/{task_id}`.
Results are per image: `{url}` or `{code, message}`; `usage.image_count` is what is billed.
Edits send the first image as `base_image_url` and the mask as `mask_image_url` (data URIs), with
the `function` DashScope's image-edit models require.
"""

from __future__ import annotations

from dataclasses import replace

from jobs import messages as texts
from jobs.messages import job_text
from jobs.providers.base import Endpoint, ImageRequest, ProviderResult, ResultImage, TaskState
from jobs.providers.classify import classify_error, text_or_none
from jobs.providers.common import data_uri, dict_field, poll_url_path, task_state
from jobs.providers.http import get_json, post_json

TEXT2IMAGE_PATH = "/api/v1/services/aigc/text2image/image-synthesis"
IMAGE2IMAGE_PATH = "/api/v1/services/aigc/image2image/image-synthesis"
DEFAULT_POLL_PATH = "/api/v1/tasks/{task_id}"
ASYNC_HEADERS = {"X-DashScope-Async": "enable"}
SUCCEEDED_WORDS = frozenset({"succeeded"})
# UNKNOWN means the task is gone: expired after 24 h or never existed.
FAILED_WORDS = frozenset({"failed", "canceled", "unknown"})


def submit_body(request: ImageRequest) -> dict[str, object]:
    prompt_input: dict[str, object] = {"prompt": request.prompt}
    if request.operation == "edit":
        prompt_input["function"] = (
            "description_edit_with_mask" if request.mask else "description_edit"
        )
        if request.images:
            prompt_input["base_image_url"] = data_uri(request.images[0])
        if request.mask is not None:
            prompt_input["mask_image_url"] = data_uri(request.mask)
    parameters: dict[str, object] = {"n": request.n}
    size = request.params.get("size")
    if size and size != "auto":
        parameters["size"] = str(size).replace("x", "*")  # DashScope writes sizes as 1024*1024
    return {"model": request.model, "input": prompt_input, "parameters": parameters}


def result_from_answer(answer: dict, endpoint: Endpoint) -> ProviderResult:
    if answer.get("code") and not isinstance(answer.get("output"), dict):
        raise classify_error(
            status=200,
            code=str(answer["code"]),
            message=str(answer.get("message") or ""),
            api_key=endpoint.api_key,
        )
    output = dict_field(answer, "output")
    word = str(output.get("task_status") or "")
    state = task_state(word, succeeded=SUCCEEDED_WORDS, failed=FAILED_WORDS)
    images = tuple(_result_image(entry) for entry in output.get("results") or [])
    result = ProviderResult(
        state=state,
        images=images,
        usage=dict_field(answer, "usage"),
        task_id=text_or_none(output.get("task_id")),
        remote_status=word,
    )
    if state is TaskState.FAILED:
        reason = output.get("message") or output.get("code") or job_text(texts.NO_REASON)
        message = job_text(texts.TASK_REPORTED_AS, word=word, message=reason)
        return replace(result, message=message)
    if state is TaskState.SUCCEEDED and not any(image.url for image in images):
        reasons = [image.error for image in images if image.error] or job_text(texts.NO_IMAGE_URL)
        message = job_text(texts.NO_IMAGE_PRODUCED, problems=reasons)
        return replace(result, state=TaskState.FAILED, message=message)
    return result


def _result_image(entry: object) -> ResultImage:
    if not isinstance(entry, dict):
        return ResultImage(error=job_text(texts.UNREADABLE_ENTRY))
    if entry.get("url"):
        return ResultImage(url=str(entry["url"]), revised_prompt=entry.get("actual_prompt"))
    code = entry.get("code") or job_text(texts.NO_STATUS)
    message = entry.get("message") or job_text(texts.NO_DETAILS)
    return ResultImage(error=job_text(texts.IMAGE_ERROR_CODE, error=message, code=code))


class DashScopeDialect:
    name = "dashscope"
    label = "DashScope asynchronous"

    def submit(self, endpoint: Endpoint, request: ImageRequest) -> ProviderResult:
        path = IMAGE2IMAGE_PATH if request.operation == "edit" else TEXT2IMAGE_PATH
        answer = post_json(endpoint, path, submit_body(request), extra_headers=ASYNC_HEADERS)
        return result_from_answer(answer, endpoint)

    def poll(self, endpoint: Endpoint, task_id: str) -> ProviderResult:
        path = poll_url_path(endpoint.poll_path or DEFAULT_POLL_PATH, task_id)
        result = result_from_answer(get_json(endpoint, path), endpoint)
        return result if result.task_id else replace(result, task_id=task_id)
