"""How a service words its failures (`Envelope`: each dialect's emulation brings its own), and
the common request flow (authentication, delays, faults, validation errors) every emulated
endpoint goes through."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .core import Incoming, Reply, SandboxError, SandboxState, json_reply
from .directives import Directives, Fault, key_echo

MALFORMED_BODY = b'{"created": 1, "data": [{"url": "http://'  # cut off mid-string
# What a proxy in front of a relay answers when the relay is down: plain text, no JSON.
PLAIN_GATEWAY_TEXT = "Bad gateway: the relay behind this proxy did not answer."

# What a named fault answers: (HTTP status, the service's error code, its message).
FaultWords = tuple[int, str, str]


@dataclass(frozen=True)
class Envelope:
    """One service's way of failing: the body of an error, what each named fault ("policy",
    "quota", "busy") looks like there, and the code it gives a bare HTTP status."""

    body: Callable[[SandboxError], dict]
    named_faults: Mapping[str, FaultWords]
    # The code of a `[[fault:STATUS]]`; 500 stands for every 5xx; a status not listed is its code.
    status_codes: Mapping[int, str] = field(default_factory=dict)

    def error_reply(self, error: SandboxError, headers: dict[str, str] | None = None) -> Reply:
        return json_reply(error.status, self.body(error), headers)

    def named_fault(self, kind: str, model: str) -> FaultWords | None:
        """What the named fault `kind` answers for a request to `model` (None: not a name)."""
        return self.named_faults.get(kind)


def fault_reply(envelope: Envelope, fault: Fault, *, model: str = "", echo: str = "") -> Reply:
    if fault.kind == "malformed":
        return Reply(200, MALFORMED_BODY)
    if fault.kind == "plain":
        text = f"{PLAIN_GATEWAY_TEXT} {echo}" if echo else PLAIN_GATEWAY_TEXT
        return Reply(502, text.encode(), content_type="text/plain; charset=utf-8")
    named = envelope.named_fault(fault.kind, model)
    if named is not None:
        status, code, message = named
    else:
        status = int(fault.kind)
        codes = envelope.status_codes
        code = codes.get(status) or codes.get(500 if status >= 500 else 0) or str(status)
        message = f"The sandbox was asked to fail this request with HTTP {status}."
    if echo:
        message += " " + echo
    headers = {"Retry-After": _seconds(fault.retry_after)} if status in (429, 503) else {}
    return envelope.error_reply(SandboxError(status, code, message), headers)


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
    envelope: Envelope,
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
            reply = fault_reply(envelope, fault, model=_model_of(incoming), echo=echo)
        else:
            # The answer is made first and held until the delay is over, so many requests
            # delayed alike are answered together, as a real provider's would be.
            reply = handler()
    except SandboxError as error:
        reply = envelope.error_reply(error)
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
