"""What crosses the boundary between the studio and an image API: plain dataclasses, no ORM.

A dialect turns an `ImageRequest` into HTTP and the answer back into a `ProviderResult`.
Synchronous dialects answer `submit` with images; asynchronous ones answer with a remote
task id and are asked again with `poll` until the task reaches a final state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Literal, Protocol

from jobs.parameters import PARAMETERS_BY_NAME
from jobs.sentences import JobText, as_job_text

Operation = Literal["generate", "edit", "variation"]


class TaskState(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach one provider for one model."""

    base_url: str
    api_key: str = field(repr=False)
    poll_path: str = ""  # dialect default when empty; may contain "{task_id}"
    connect_timeout: float = 10.0
    read_timeout: float = 300.0  # gpt-image at high quality takes minutes


@dataclass(frozen=True)
class InputImage:
    data: bytes = field(repr=False)
    filename: str = "image.png"
    content_type: str = "image/png"


@dataclass(frozen=True)
class ImageRequest:
    """One request to a provider. Its optional settings are the parameter registry's
    (`jobs.parameters.PARAMETERS`), in `params` by name: adding a parameter there needs nothing
    here, and each dialect sends the ones its wire format knows."""

    model: str  # the model id sent to the provider
    prompt: str
    operation: Operation = "generate"
    n: int = 1
    # The registry's parameters that are set ({"size": "1024x1024", "partial_images": 2}); the
    # streaming dialect's `partial_images` asks for that many partial images (0 or none: none).
    params: Mapping[str, str | int] = field(default_factory=dict, hash=False)
    response_format: str | None = None  # "url" | "b64_json"; None = the dialect's choice
    user: str | None = None
    images: tuple[InputImage, ...] = ()
    mask: InputImage | None = None
    # Who receives each partial image as it arrives, as (partial_image_index, base64 data).
    on_partial: Callable[[int, str], None] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.params) - set(PARAMETERS_BY_NAME))
        if unknown:
            raise ValueError(f"Not request parameters: {', '.join(unknown)}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def value(self, name: str) -> object:
        """A registry parameter, or one of the request's own fields (`user`), by name; None
        when it is not set."""
        if name in PARAMETERS_BY_NAME:
            return self.params.get(name)
        return getattr(self, name)


@dataclass(frozen=True)
class ResultImage:
    url: str | None = None
    b64_json: str | None = field(default=None, repr=False)
    revised_prompt: str | None = None
    error: JobText | str | None = None  # a per-image failure (a str: the provider's words)


@dataclass(frozen=True)
class ProviderResult:
    state: TaskState
    images: tuple[ResultImage, ...] = ()
    usage: dict = field(default_factory=dict)
    task_id: str | None = None  # set by asynchronous dialects
    remote_status: str = ""  # the provider's own status word, for the job page
    message: JobText | None = None  # why it failed (jobs/messages.py)


class ProviderError(Exception):
    """A call that did not work. `permanent` says whether trying again could help.

    `text` is the sentence (jobs/messages.py; a str is kept verbatim), `message` its English for
    logs; `code` is the provider's own error code, if it gave one.
    """

    def __init__(
        self,
        message: JobText | str,
        *,
        permanent: bool,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.text = as_job_text(message)
        self.message = str(self.text)
        super().__init__(self.message)
        self.permanent = permanent
        self.status = status
        self.code = code
        self.retry_after = retry_after


class Dialect(Protocol):
    name: str  # what the providers TOML and admin call it
    label: str  # what admin shows beside the name

    def submit(self, endpoint: Endpoint, request: ImageRequest) -> ProviderResult: ...

    def poll(self, endpoint: Endpoint, task_id: str) -> ProviderResult: ...
