"""The dashscope dialect in the sandbox: Alibaba DashScope's asynchronous image synthesis (wanx
models): a submit with `X-DashScope-Async: enable` answers a task id, whose polls say PENDING,
RUNNING, then SUCCEEDED with one result per image (a URL, or a code and message for an image
that failed), or UNKNOWN for a task it never issued."""

from __future__ import annotations

from functools import partial

from jobs.sandbox import checks
from jobs.sandbox.core import (
    Incoming,
    RemoteTask,
    Reply,
    SandboxError,
    SandboxState,
    json_reply,
    new_id,
    new_task,
    renderer,
)
from jobs.sandbox.directives import Directives, key_echo
from jobs.sandbox.emulation import Emulation, Poll, Submit
from jobs.sandbox.envelopes import Envelope, echoed_key
from jobs.sandbox.images import parse_size

TEXT2IMAGE_PATH = "/api/v1/services/aigc/text2image/image-synthesis"
IMAGE2IMAGE_PATH = "/api/v1/services/aigc/image2image/image-synthesis"
POLL_PREFIX = "/api/v1/tasks/"

WANX_SIZES = frozenset({"1024*1024", "720*1280", "1280*720", "768*1152"})
DASHSCOPE_FUNCTIONS = frozenset(
    {"description_edit", "description_edit_with_mask", "stylization_all", "remove_watermark"}
)


def dashscope_prompt_of(incoming: Incoming) -> str:
    return dashscope_prompt(incoming.json if isinstance(incoming.json, dict) else {})


def dashscope_prompt(fields: object) -> str:
    try:
        prompt = fields["input"]["prompt"]  # type: ignore[index]
    except (KeyError, TypeError):
        return ""
    return prompt if isinstance(prompt, str) else ""


def dashscope_submit(
    state: SandboxState, incoming: Incoming, directives: Directives, *, edit: bool
) -> Reply:
    if (incoming.header("X-DashScope-Async") or "").lower() != "enable":
        raise SandboxError(
            403, "AccessDenied", "current user api does not support synchronous calls"
        )
    fields = checks.json_object(incoming)
    checks.text(fields, "model")
    prompt_input = fields.get("input")
    if not isinstance(prompt_input, dict):
        raise checks.invalid("'input' must be an object.", "input", "InvalidParameter")
    checks.text(prompt_input, "prompt", max_length=800 if fields["model"] == "wanx-v1" else 2000)
    parameters = fields.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise checks.invalid("'parameters' must be an object.", "parameters", "InvalidParameter")
    n = checks.whole_number(parameters, "n", 1, 4)
    if parameters.get("size") is not None and parameters["size"] not in WANX_SIZES:
        raise checks.invalid(
            "size must be one of " + ", ".join(sorted(WANX_SIZES)), "size", "InvalidParameter"
        )
    source, mask = dashscope_images(prompt_input) if edit else (None, None)
    size = parse_size(parameters.get("size")) if parameters.get("size") else None
    task = new_task(state, directives, n, renderer(directives.text, source, mask, size), "png")
    output = {"task_id": task.id, "task_status": "PENDING"}
    return json_reply(200, {"request_id": new_id(), "output": output})


def dashscope_images(prompt_input: dict) -> tuple[bytes | None, bytes | None]:
    function = checks.choice(prompt_input, "function", DASHSCOPE_FUNCTIONS)
    if function is None:
        raise checks.invalid(
            "'input.function' is required for image edits.", "function", "InvalidParameter"
        )
    if "base_image_url" not in prompt_input:
        raise checks.invalid(
            "'input.base_image_url' is required.", "base_image_url", "InvalidParameter"
        )
    source = checks.image_reference(prompt_input["base_image_url"], "base_image_url")
    mask = None
    if function == "description_edit_with_mask":
        if "mask_image_url" not in prompt_input:
            raise checks.invalid(
                "This function needs 'mask_image_url'.", "mask_image_url", "InvalidParameter"
            )
        mask = checks.image_reference(prompt_input["mask_image_url"], "mask_image_url")
    return source, mask


def dashscope_poll(
    state: SandboxState, incoming: Incoming, task: RemoteTask | None, task_id: str
) -> Reply:
    if task is None:  # DashScope answers UNKNOWN for tasks it no longer (or never) knew
        return dashscope_answer({"task_id": task_id, "task_status": "UNKNOWN"})
    directives = task.directives
    output: dict = {"task_id": task.id}
    task.polled()
    if not task.finished():
        default_word = "PENDING" if task.elapsed() < (task.run_seconds or 60) / 2 else "RUNNING"
        output["task_status"] = directives.status_word or default_word
        return dashscope_answer(output)
    if directives.final_word:
        output.update(
            task_status=directives.final_word.upper(),
            code="InternalError",
            message=f"The sandbox was told to end this task as {directives.final_word!r}.",
        )
        if directives.echo_key:
            key = echoed_key(incoming)
            output["message"] += " " + key_echo(key, directives.echo_key)
            return dashscope_answer(output, usage={"image_count": 0, "request_key": key})
        return dashscope_answer(output)
    urls = state.finish_task(task, incoming.base_url)
    reason, usage = "Image generation failed for this item.", {"image_count": len(urls)}
    if directives.echo_key:
        reason += " " + key_echo(echoed_key(incoming), directives.echo_key)
        usage["request_key"] = echoed_key(incoming)
    failed = [{"code": "InternalError.Algo", "message": reason} for _ in range(task.n - len(urls))]
    output.update(
        task_status="SUCCEEDED",
        results=[{"url": url} for url in urls] + failed,
        task_metrics={"TOTAL": task.n, "SUCCEEDED": len(urls), "FAILED": len(failed)},
    )
    return dashscope_answer(output, usage=usage)


def dashscope_answer(output: dict, usage: dict | None = None) -> Reply:
    payload: dict = {"request_id": new_id(), "output": output}
    if usage is not None:
        payload["usage"] = usage
    return json_reply(200, payload)


def error_body(error: SandboxError) -> dict:
    return {"request_id": new_id(), "code": error.code, "message": error.message}


ENVELOPE = Envelope(
    body=error_body,
    named_faults={
        "policy": (200, "DataInspectionFailed", "Input data may contain inappropriate content."),
        "quota": (
            400,
            "Arrearage",
            "Access denied, please make sure your account is in good standing.",
        ),
        "busy": (429, "Throttling.RateQuota", "Requests rate limit exceeded, please try again."),
    },
    status_codes={429: "Throttling", 500: "InternalError"},
)
EMULATION = Emulation(
    envelope=ENVELOPE,
    submits=(
        Submit(TEXT2IMAGE_PATH, partial(dashscope_submit, edit=False), dashscope_prompt_of),
        Submit(IMAGE2IMAGE_PATH, partial(dashscope_submit, edit=True), dashscope_prompt_of),
    ),
    polls=(Poll(POLL_PREFIX, dashscope_poll),),
)
