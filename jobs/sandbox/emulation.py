"""What a dialect's emulation offers the sandbox, and how the sandbox finds them all.

Each registered dialect has its emulation in its own folder, `jobs/dialects/<name>/sandbox/`,
whose `EMULATION` lists its endpoints and its error envelope. The server routes a request to the
endpoint that claims it; nothing here knows a dialect by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from jobs.dialects import REGISTRY

from .core import Incoming, RemoteTask, Reply, SandboxState
from .directives import Directives
from .envelopes import Envelope

SubmitHandler = Callable[[SandboxState, Incoming, Directives], Reply]
PollHandler = Callable[[SandboxState, Incoming, RemoteTask | None, str], Reply]


@dataclass(frozen=True)
class Submit:
    """A POST to `path` that starts work (and reads its directives from `prompt`)."""

    path: str
    handler: SubmitHandler
    prompt: Callable[[Incoming], str]
    # Whether this service takes the request, when several share the path (by model name, by
    # body); None: the path's own service, which takes what no other one claims.
    accepts: Callable[[Incoming], bool] | None = None


@dataclass(frozen=True)
class Poll:
    """A GET of `prefix` + a task id: the task (None when unknown) and its id to the handler."""

    prefix: str
    handler: PollHandler
    # How the service answers a task id it never issued, before anything else is looked at
    # (None: the handler answers it, with the request's key checked and faults applied).
    unknown_task: Callable[[str], Reply] | None = None


@dataclass(frozen=True)
class Emulation:
    envelope: Envelope
    submits: tuple[Submit, ...] = ()
    polls: tuple[Poll, ...] = ()


def json_prompt(incoming: Incoming) -> str:
    """The prompt of a JSON body (`{"prompt": ...}`), "" when there is none."""
    body = incoming.json if isinstance(incoming.json, dict) else {}
    return str(body.get("prompt") or "")


def form_prompt(incoming: Incoming) -> str:
    """The prompt of a multipart/form-data body."""
    return incoming.form.get("prompt", "")


def json_model(incoming: Incoming) -> str:
    body = incoming.json if isinstance(incoming.json, dict) else {}
    return str(body.get("model", ""))


@cache
def emulations() -> tuple[Emulation, ...]:
    """Every registered dialect's emulation, in the registry's order (imported on first use:
    each imports this module)."""
    return tuple(import_module(f"{entry.package}.sandbox").EMULATION for entry in REGISTRY)


def find_submit(incoming: Incoming) -> tuple[Submit, Envelope] | None:
    """The endpoint that takes this POST: one that claims it, else the path's own service."""
    own = None
    for emulation in emulations():
        for submit in emulation.submits:
            if submit.path != incoming.path:
                continue
            if submit.accepts is None:
                own = own or (submit, emulation.envelope)
            elif submit.accepts(incoming):
                return submit, emulation.envelope
    return own


def find_poll(path: str) -> tuple[Poll, Envelope] | None:
    for emulation in emulations():
        for poll in emulation.polls:
            if path.startswith(poll.prefix):
                return poll, emulation.envelope
    return None
