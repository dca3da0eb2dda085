"""Each service's error envelope, the faults it can be asked to show, and the common request flow
(authentication, delays, faults, validation errors) every emulated endpoint goes through."""

from __future__ import annotations

import time
from collections.abc import Callable

from .core import Incoming, Reply, SandboxError, SandboxState, json_reply, new_id
from .directives import Directives, Fault, key_echo

OPENAI, TASK, DASHSCOPE = "openai", "task", "dashscope"  # the three error shapes
MALFORMED_BODY = b'{"created": 1, "data": [{"url": "http://'  # cut off mid-string
# What a proxy in front of a relay answers when the relay is down: plain text, no JSON.
PLAIN_GATEWAY_TEXT = "Bad gateway: the relay behind this proxy did not answer."

# (status, code, message) of the named faults, per shape.
NAMED_FAULTS: dict[str, dict[str, tuple[int, str, str]]] = {
    OPENAI: {
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
    TASK: {
        "policy": (200, "1301", "Prompt rejected: it violates the content policy (内容违规)."),
        "quota": (200, "402", "Insufficient account balance."),
        "busy": (200, "429", "System busy, please try again later."),
    },
    DASHSCOPE: {
        "policy": (200, "DataInspectionFailed", "Input data may contain inappropriate content."),
        "quota": (
            400,
            "Arrearage",
            "Access denied, please make sure your account is in good standing.",
        ),
        "busy": (429, "Throttling.RateQuota", "Requests rate limit exceeded, please try again."),
    },
}
STATUS_CODES = {
    OPENAI: {429: "rate_limit_exceeded", 500: "server_error"},
    TASK: {},
    DASHSCOPE: {429: "Throttling", 500: "InternalError"},
}


def error_reply(shape: str, error: SandboxError, headers: dict[str, str] | None = None) -> Reply:
    if shape == TASK:
        payload = {
            "code": _task_code(error.code, error.status),
            "message": error.message,
            "request_id": new_id(),
            "data": None,
        }
    elif shape == DASHSCOPE:
        payload = {"request_id": new_id(), "code": error.code, "message": error.message}
    else:
        kind = "invalid_request_error" if error.status < 500 else "server_error"
        payload = {
            "error": {
                "message": error.message,
                "type": "insufficient_quota" if error.code == "insufficient_quota" else kind,
                "param": error.param,
                "code": error.code,
            }
        }
    return json_reply(error.status, payload, headers)


def _task_code(code: str, status: int) -> int | str:
    return int(code) if code.isdigit() else (status if status != 200 else code)


def fault_reply(shape: str, fault: Fault, *, model: str = "", echo: str = "") -> Reply:
    if fault.kind == "malformed":
        return Reply(200, MALFORMED_BODY)
    if fault.kind == "plain":
        text = f"{PLAIN_GATEWAY_TEXT} {echo}" if echo else PLAIN_GATEWAY_TEXT
        return Reply(502, text.encode(), content_type="text/plain; charset=utf-8")
    if fault.kind in NAMED_FAULTS[shape]:
        status, code, message = NAMED_FAULTS[shape][fault.kind]
        if shape == OPENAI and fault.kind == "policy" and model.startswith("gpt-image"):
            code = "moderation_blocked"  # gpt-image models use their own code for the same refusal
    else:
        status = int(fault.kind)
        code = STATUS_CODES[shape].get(status) or STATUS_CODES[shape].get(
            500 if status >= 500 else 0
        )
        code = code or str(status)
        message = f"The sandbox was asked to fail this request with HTTP {status}."
    if echo:
        message += " " + echo
    headers = {"Retry-After": _seconds(fault.retry_after)} if status in (429, 503) else {}
    return error_reply(shape, SandboxError(status, code, message), headers)


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def echoed_key(incoming: Incoming) -> str:
    """The API key the request came with, for `[[echo_key]]`."""
    return (incoming.header("Authorization") or "").partition(" ")[2].strip()


def check_auth(incoming: Incoming) -> None:
    """Any bearer key works, except keys starting with "sk-bad" (to test 401 handling).
    The refusal echoes the key, as some services do, so tests can prove we redact it."""
    authorization = incoming.header("Authorization") or ""
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise SandboxError(401, "missing_api_key", "You didn't provide an API key.")
    if key.startswith("sk-bad"):
        raise SandboxError(401, "invalid_api_key", f"Incorrect API key provided: {key}.")


def serve(
    state: SandboxState,
    incoming: Incoming,
    *,
    shape: str,
    directives: Directives,
    handler: Callable[[], Reply],
    fault_key: str,
    poll: bool = False,
) -> Reply:
    """Authenticate, honour the prompt's directives, then run the endpoint's own handler.

    Submits see `[[fault:...]]`, `[[delay:S]]` and `[[trickleanswer:S]]`; polls see only
    `[[pollfault:...]]`.
    """
    started = time.monotonic()
    delay = state.delay + (0.0 if poll else directives.delay)
    try:
        check_auth(incoming)
        fault = state.due_fault(fault_key, directives.poll_faults if poll else directives.faults)
        if fault is not None:
            echo = (
                key_echo(echoed_key(incoming), directives.echo_key) if directives.echo_key else ""
            )
            reply = fault_reply(shape, fault, model=_model_of(incoming), echo=echo)
        else:
            # The answer is made first and held until the delay is over, so many requests
            # delayed alike are answered together, as a real provider's would be.
            reply = handler()
    except SandboxError as error:
        reply = error_reply(shape, error)
    remaining = delay - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)
    if not poll and directives.trickle_answer:
        # Headers at once, then the body a few bytes at a time: every read is quick, the whole
        # answer is not (what per-read timeouts alone never catch).
        reply.trickle = directives.trickle_answer
    return reply


def _model_of(incoming: Incoming) -> str:
    if isinstance(incoming.json, dict):
        return str(incoming.json.get("model") or "")
    return incoming.form.get("model", "")
