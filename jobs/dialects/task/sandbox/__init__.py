"""The task dialect in the sandbox: an asynchronous relay for gpt-image models. Every answer is
the envelope `{code, message, request_id, data}` (`code != 0` is an error, under HTTP 200 too);
a submit answers a task id, whose polls say queued, processing, then success with result URLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
from jobs.sandbox.emulation import Emulation, Poll, Submit, json_prompt
from jobs.sandbox.envelopes import Envelope, echoed_key
from jobs.sandbox.images import parse_size

SUBMIT_PATH = "/api/v1/image/generation"
POLL_PREFIX = "/api/v1/image/generation/"

TASK_CHOICES = {
    "background": frozenset({"transparent", "opaque", "auto"}),
    "input_fidelity": frozenset({"high", "low"}),
    "moderation": frozenset({"low", "auto"}),
    "output_format": frozenset({"png", "jpeg", "webp"}),
    "quality": frozenset({"low", "medium", "high", "auto"}),
    "size": frozenset({"auto", "1024x1024", "1536x1024", "1024x1536"}),
}
TASK_KEYS = {"model", "prompt", "images", "mask", "n", "output_compression", "user", *TASK_CHOICES}
URL_LIFETIME = timedelta(hours=24)


def expiry() -> str:
    return (datetime.now(UTC) + URL_LIFETIME).isoformat(timespec="seconds")


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


def task_poll(
    state: SandboxState, incoming: Incoming, task: RemoteTask | None, task_id: str
) -> Reply:
    assert task is not None  # unknown ids are answered by `unknown_task`
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


def error_body(error: SandboxError) -> dict:
    return {
        "code": _task_code(error.code, error.status),
        "message": error.message,
        "request_id": new_id(),
        "data": None,
    }


def _task_code(code: str, status: int) -> int | str:
    return int(code) if code.isdigit() else (status if status != 200 else code)


ENVELOPE = Envelope(
    body=error_body,
    named_faults={
        "policy": (200, "1301", "Prompt rejected: it violates the content policy (内容违规)."),
        "quota": (200, "402", "Insufficient account balance."),
        "busy": (200, "429", "System busy, please try again later."),
    },
)


def unknown_task(task_id: str) -> Reply:
    return ENVELOPE.error_reply(SandboxError(404, "404", f"Task {task_id} not found."))


EMULATION = Emulation(
    envelope=ENVELOPE,
    submits=(Submit(SUBMIT_PATH, task_submit, json_prompt),),
    polls=(Poll(POLL_PREFIX, task_poll, unknown_task=unknown_task),),
)
