"""The sandbox's shared pieces: what a request and a reply look like, and the in-memory state."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

from PIL import Image

from .directives import Directives, Fault, FaultCounter
from .images import encode, render_edit, render_generated

MAX_KEPT_FILES = 500  # a long-running dev sandbox must not grow without bound
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


@dataclass(frozen=True)
class UploadedFile:
    field: str
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass
class Incoming:
    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    base_url: str  # how the client reached us, so URLs we hand out work for it
    json: object = None
    form: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)
    directives: Directives | None = None  # the submit's, so result files can misbehave too

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    def record(self) -> dict:
        full_path = self.path
        if self.query:
            full_path += "?" + "&".join(f"{k}={v}" for k, vs in self.query.items() for v in vs)
        return {
            "method": self.method,
            "path": full_path,
            "headers": dict(self.headers),
            "json": self.json,
            "form": dict(self.form),
            "files": [
                {
                    "field": upload.field,
                    "filename": upload.filename,
                    "content_type": upload.content_type,
                    "size": len(upload.data),
                    "sha256": hashlib.sha256(upload.data).hexdigest(),
                }
                for upload in self.files
            ],
        }


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds over which the body is sent, a few bytes at a time
    # A streamed answer (server-sent events): chunks written as they come, then the connection ends.
    stream: Iterator[bytes] | None = None


def json_reply(status: int, payload: object, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(payload).encode(), headers=headers or {})


class SandboxError(Exception):
    """A request the emulated service refuses; each dialect renders it in its own envelope."""

    def __init__(self, status: int, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.param = status, code, message, param


@dataclass
class RemoteTask:
    """An asynchronous job of the task or dashscope dialect."""

    id: str
    n: int
    created: float
    run_seconds: float | None  # None: never finishes
    directives: Directives
    render: Callable[[int], Image.Image] = field(repr=False)
    output_format: str = "png"
    files: list[str] | None = None  # filled when the task finishes
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    polls: int = 0
    finished_at: float | None = None  # time.time() when it was first seen done (for benchmarks)

    def elapsed(self) -> float:
        return time.monotonic() - self.created

    def polled(self) -> None:
        with self.lock:
            self.polls += 1

    def finished(self) -> bool:
        if self.directives.polls is not None:
            done = self.polls >= self.directives.polls
        else:
            done = self.run_seconds is not None and self.elapsed() >= self.run_seconds
        if done and self.finished_at is None:
            self.finished_at = time.time()
        return done

    def produced(self) -> int:
        fewer = self.directives.fewer
        return self.n if fewer is None else min(self.n, fewer)


class SandboxState:
    def __init__(self, *, delay: float = 0.0, task_seconds: float = 6.0) -> None:
        self.delay = delay
        self.task_seconds = task_seconds
        self.faults = FaultCounter()
        self._lock = threading.Lock()
        self._requests: list[dict] = []
        self._tasks: dict[str, RemoteTask] = {}
        self._files: OrderedDict[str, tuple[bytes, str]] = OrderedDict()

    def record(self, incoming: Incoming) -> None:
        entry = incoming.record()
        with self._lock:
            self._requests.append(entry)

    def requests(self) -> list[dict]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._tasks.clear()
            self._files.clear()
        self.faults.clear()

    def store_file(
        self, data: bytes, content_type: str, directives: Directives | None = None
    ) -> str:
        name = f"{uuid.uuid4().hex}.{EXTENSIONS.get(content_type, 'bin')}"
        behaviour = (directives.slow_file, directives.trickle) if directives else (0.0, 0.0)
        with self._lock:
            self._files[name] = (data, content_type, *behaviour)
            while len(self._files) > MAX_KEPT_FILES:
                self._files.popitem(last=False)
        return name

    def file(self, name: str) -> tuple[bytes, str, float, float] | None:
        """(data, content type, seconds before answering, seconds to trickle the body over)."""
        with self._lock:
            return self._files.get(name)

    def add_task(self, task: RemoteTask) -> None:
        with self._lock:
            self._tasks[task.id] = task

    def task(self, task_id: str) -> RemoteTask | None:
        with self._lock:
            return self._tasks.get(task_id)

    def finish_task(self, task: RemoteTask, base_url: str) -> list[str]:
        """Render the task's images once (on the first poll after it is due); their URLs."""
        with task.lock:  # two polls at once must not render two different sets
            if task.files is None:
                task.files = [
                    self.store_file(
                        *encode(task.render(index), task.output_format), task.directives
                    )
                    for index in range(task.produced())
                ]
        return [f"{base_url}/files/{name}" for name in task.files]

    def due_fault(self, key: str, faults: tuple[Fault, ...]) -> Fault | None:
        return self.faults.first_due(key, faults)


def new_id() -> str:
    return uuid.uuid4().hex


def new_task(
    state: SandboxState,
    directives: Directives,
    n: int,
    render: Callable[[int], Image.Image],
    output_format: str,
) -> RemoteTask:
    """A remote task of an asynchronous service: pending or running for the server's
    `task_seconds` (or the prompt's `[[pending:S]]`), its pictures rendered on the first poll
    after that and served from `/files/`."""
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


def renderer(
    text: str, source: bytes | None, mask: bytes | None, size: tuple[int, int] | None
) -> Callable[[int], Image.Image]:
    """What draws picture number i of a task: an edit of `source` (under `mask`), or a new one."""
    if source is not None:
        return partial(render_edit, source, mask, text, size)
    return partial(render_generated, text, size or (1024, 1024))
