"""Directives hidden in a prompt that make the sandbox misbehave on purpose.

They live in the prompt so that a person in the browser, a Celery worker and a test in another
process can all ask for the same fault without any side channel. See the package docstring.
"""

from __future__ import annotations

import base64
import re
import threading
from dataclasses import dataclass, field

DIRECTIVE = re.compile(r"\[\[([a-z_]+)(?::([^\]]*))?\]\]")
NAMED_FAULTS = frozenset({"policy", "malformed", "quota", "busy", "plain"})


@dataclass(frozen=True)
class Fault:
    kind: str  # an HTTP status as text ("429", "500") or one of NAMED_FAULTS
    count: int | None  # how many requests with this prompt fail; None = all of them
    retry_after: float = 1.0
    spec: str = ""  # the directive text, which with the prompt keys the counter


@dataclass(frozen=True)
class Directives:
    text: str  # the prompt without directives, for drawing on the image
    faults: tuple[Fault, ...] = ()
    poll_faults: tuple[Fault, ...] = ()
    delay: float = 0.0
    pending: float | None = None  # seconds an async task runs; None = the server default
    never: bool = False
    fewer: int | None = None
    status_word: str | None = None
    final_word: str | None = None
    polls: int | None = None  # an async task ends after this many polls (no real clock needed)
    slow_file: float = 0.0  # result files wait this long before answering
    trickle: float = 0.0  # result files arrive a few bytes at a time over this many seconds
    trickle_answer: float = 0.0  # the submit's own answer arrives so, over this many seconds
    noise: bool = False  # images are random pixels: PNGs as large as real photographs
    # Failure reasons and usage repeat the request's key (a careless relay), in this form:
    # "" (no echo), "whole", "cut", "upper", "base64" or "long:N" (see `key_echo`).
    echo_key: str = ""
    notes: list[str] = field(default_factory=list)  # directives that could not be read


def parse_directives(prompt: str) -> Directives:
    values: dict[str, object] = {"faults": [], "poll_faults": [], "notes": []}
    for match in DIRECTIVE.finditer(prompt):
        name, argument = match.group(1), match.group(2) or ""
        try:
            _apply(values, name, argument, match.group(0))
        except ValueError:
            values["notes"].append(match.group(0))
    text = " ".join(DIRECTIVE.sub(" ", prompt).split())
    values["faults"] = tuple(values["faults"])
    values["poll_faults"] = tuple(values["poll_faults"])
    return Directives(text=text, **values)


def _apply(values: dict, name: str, argument: str, spec: str) -> None:
    if name in ("fault", "pollfault"):
        values["faults" if name == "fault" else "poll_faults"].append(_fault(argument, spec))
    elif name == "delay":
        values["delay"] = max(float(argument), 0.0)
    elif name == "pending":
        values["pending"] = max(float(argument), 0.0)
    elif name == "never":
        values["never"] = True
    elif name == "fewer":
        values["fewer"] = max(int(argument), 0)
    elif name == "status":
        values["status_word"] = argument or "weird"
    elif name == "final":
        values["final_word"] = argument or "failed"
    elif name == "polls":
        values["polls"] = max(int(argument), 1)
    elif name == "slowfile":
        values["slow_file"] = max(float(argument), 0.0)
    elif name == "noise":
        values["noise"] = True
    elif name == "trickle":
        values["trickle"] = max(float(argument), 0.0)
    elif name == "trickleanswer":
        values["trickle_answer"] = max(float(argument), 0.0)
    elif name == "echo_key":
        values["echo_key"] = _echo_form(argument)
    else:
        values["notes"].append(spec)


ECHO_FORMS = frozenset({"whole", "cut", "upper", "base64", "long"})
# What a chatty relay says around an echoed key: long enough to push it across any cut.
RETRY_FILLER = "The upstream service is busy, please retry after a short while. "


def _echo_form(argument: str) -> str:
    form, _, size = (argument or "whole").partition(":")
    if form not in ECHO_FORMS or (form == "long") != size.isdigit():
        raise ValueError(argument)
    return argument or "whole"


def key_echo(key: str, form: str) -> str:
    """A sentence repeating `key` as a careless relay might: whole, cut at either end, in other
    letter cases, base64-encoded (alone and as Basic credentials), or after N characters of a
    retry sentence (`long:N`), so that any length cut of the text falls inside the key."""
    b64 = base64.b64encode
    if form == "cut":
        return f"The key starts {key[:-3]}... and ends ...{key[3:]}"
    if form == "upper":
        return f"KEY={key.upper()} (normalised: {key.lower()})"
    if form == "base64":
        basic = b64(f"api:{key}".encode()).decode()
        return f"Credentials: {b64(key.encode()).decode()} (Basic {basic})"
    if form.startswith("long:"):
        size = int(form.partition(":")[2])
        filler = (RETRY_FILLER * (size // len(RETRY_FILLER) + 1))[:size]
        return f"{filler}key={key}"
    return f"Request headers: Authorization: Bearer {key}; key={key}"


def _fault(argument: str, spec: str) -> Fault:
    kind, *rest = argument.split(":")
    if kind not in NAMED_FAULTS and not (kind.isdigit() and 400 <= int(kind) <= 599):
        raise ValueError(kind)
    # A status fault fires once unless told otherwise; a named fault fires every time.
    default_count = None if kind in NAMED_FAULTS else 1
    count = int(rest[0]) if rest and rest[0] else default_count
    retry_after = float(rest[1]) if len(rest) > 1 and rest[1] else 1.0
    return Fault(kind=kind, count=count, retry_after=retry_after, spec=spec)


class FaultCounter:
    """How many times each (prompt, directive) has fired, so `[[fault:500:2]]` fails twice."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fired: dict[tuple[str, str], int] = {}

    def first_due(self, key: str, faults: tuple[Fault, ...]) -> Fault | None:
        with self._lock:
            for fault in faults:
                fired = self._fired.get((key, fault.spec), 0)
                if fault.count is None or fired < fault.count:
                    self._fired[(key, fault.spec)] = fired + 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._fired.clear()
