"""The asynchronous services: the `task` relay and Alibaba DashScope.

A task stays pending/running for the server's `task_seconds` (or the prompt's `[[pending:S]]`),
then its pictures are rendered on the first poll after that and served from `/files/`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from functools import partial

from . import checks
from .core import Incoming, RemoteTask, Reply, SandboxError, SandboxState, json_reply, new_id
from .directives import Directives, key_echo
from .envelopes import echoed_key
from .images import parse_size, render_edit, render_generated

TASK_CHOICES = {
    "background": frozenset({"transparent", "opaque", "auto"}),
    "input_fidelity": frozenset({"high", "low"}),
    "moderation": frozenset({"low", "auto"}),
    "output_format": frozenset({"png", "jpeg", "webp"}),
    "quality": frozenset({"low", "medium", "high", "auto"}),
    "size": frozenset({"auto", "1024x1024", "1536x1024", "1024x1536"}),
}
TASK_KEYS = {"model", "prompt", "images", "mask", "n", "output_compression", "user", *TASK_CHOICES}
WANX_SIZES = frozenset({"1024*1024", "720*1280", "1280*720", "768*1152"})
DASHSCOPE_FUNCTIONS = frozenset(
    {"description_edit", "description_edit_with_mask", "stylization_all", "remove_watermark"}
)
URL_LIFETIME = timedelta(hours=24)


def new_task(
    state: SandboxState, directives: Directives, n: int, render, output_format: str
) -> RemoteTask:
    run_seconds = directives.pending if directives.pending is not None else state.task_seconds
    task = RemoteTask(
        id=new_id(),
        n=n,
        created=time.monotonic(),
        run_seconds=None if directives.never else run_seconds,
        directives=directives,
        render=render,
        output_format=output_format,
    )
    state.add_task(task)
    return task


def renderer(text: str, source: bytes | None, mask: bytes | None, size: tuple[int, int] | None):
    if source is not None:
        return partial(render_edit, source, mask, text, size)
    return partial(render_generated, text, size or (1024, 1024))


def expiry() -> str:
    return (datetime.now(UTC) + URL_LIFETIME).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# task relay


def task_submit(state: SandboxState, incoming: Incoming, directives: Directives) -> Reply:
    fields = checks.json_object(incoming)
    checks.only_known_keys(fields, TASK_KEYS)
    checks.text(fields, "model")
    checks.text(fields, "prompt", max_length=32000)
    n = checks.whole_number(fields, "n", 1, 10)
    for name, allowed in TASK_CHOICES.items():
        checks.choice(fields, name, allowed)
    if fields.get("output_compression") is not None:
        checks.whole_number(fields, "output_compression", 0, 100)
    sources = [task_image(entry, "images") for entry in task_image_list(fields.get("images"))]
    mask = task_image(fields["mask"], "mask") if "mask" in fields else None
    size = parse_size(fields.get("size")) if fields.get("size") not in (None, "auto") else None
    source = next((data for data in sources if data is not None), None)
    render = renderer(directives.text, source, mask, size)
    task = new_task(state, directives, n, render, fields.get("output_format") or "png")
    return task_envelope({"task_id": task.id, "task_status": "submitted"})


def task_image_list(value: object) -> list:
    if value is None:
        return []
    if not isinstance(value, list) or not 1 <= len(value) <= 16:
        raise checks.invalid("'images' must be a list of 1 to 16 entries.", "images")
    return value


def task_image(entry: object, name: str) -> bytes | None:
    if (
        not isinstance(entry, dict)
        or len(entry.keys() & {"image_url", "file_id"}) != 1
        or len(entry) != 1
    ):
        raise checks.invalid(
            f"Each '{name}' entry needs exactly one of image_url or file_id.", name
        )
    if "file_id" in entry:
        return None
    return checks.image_reference(entry["image_url"], name)


def task_envelope(data: dict, *, message: str = "success") -> Reply:
    return json_reply(200, {"code": 0, "message": message, "request_id": new_id(), "data": data})


def task_poll(state: SandboxState, incoming: Incoming, task: RemoteTask) -> Reply:
    directives = task.directives
    data: dict = {"task_id": task.id, "urls": []}
    task.polled()
    if not task.finished():
        data["task_status"] = directives.status_word or (
            "queued" if task.elapsed() < 0.5 else "processing"
        )
        return task_envelope(data)
    if directives.final_word:
        data["task_status"] = directives.final_word
        data["fail_reason"] = f"The sandbox was told to end this task as {directives.final_word!r}."
        if directives.echo_key:
            key = echoed_key(incoming)
            data["fail_reason"] += " " + key_echo(key, directives.echo_key)
            data["usage"] = {"images": 0, "api_key": key, "input_tokens": key}
        return task_envelope(data)
    urls = state.finish_task(task, incoming.base_url)
    data.update(
        task_status="success",
        urls=urls,
        expired=expiry(),
        usage={
            "images": len(urls),
            "seconds": round(task.run_seconds or 0, 2),
            "input_tokens": 50,
            "output_tokens": 1056 * len(urls),
            "total_tokens": 50 + 1056 * len(urls),
        },
    )
    return task_envelope(data)


# ---------------------------------------------------------------------------------------------
# DashScope


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
