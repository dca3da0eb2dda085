"""One wall clock for reading an answer, whatever the per-read timeouts say.

A read timeout applies to each socket read, so a server that sends a byte a second keeps a read
going for ever. `cut_off_at` shuts the response's socket when a deadline passes. Every reader
(a provider's JSON answer, its event stream, a result download) also honours the deadline of the
hop in progress on its thread, set by the pipeline with `hop_deadline`: Celery's threads pool
enforces no task time limit, so this is what stops a hop whose provider trickles its answer.
Plain Python, like the rest of `jobs.providers`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import requests

MIN_READ_TIMEOUT = 0.01  # requests refuses a timeout of 0; this one fails at the first read

_local = threading.local()


class HopTimeLimitExceeded(Exception):
    """The hop in progress ran past its deadline; the pipeline ends the job as a soft time limit.

    Not a ProviderError on purpose: a transient provider error sends a submit again, and a hop
    out of time must end instead (the provider may already be working on the request).
    """


@contextlib.contextmanager
def hop_deadline(deadline: float) -> Iterator[None]:
    """On this thread, inside the block, answers are read until `deadline` (time.monotonic)."""
    outer = getattr(_local, "deadline", None)
    _local.deadline = deadline
    try:
        yield
    finally:
        _local.deadline = outer


def _hop() -> float | None:
    return getattr(_local, "deadline", None)


def check_hop_deadline() -> None:
    """Raise HopTimeLimitExceeded once the hop's deadline has passed (after a read was cut off,
    or timed out, this tells the hop's deadline apart from a provider's own failure)."""
    hop = _hop()
    if hop is not None and time.monotonic() >= hop:
        raise HopTimeLimitExceeded()


def read_timeout(seconds: float) -> float:
    """A per-read timeout that does not outlast the hop: it bounds the wait for the headers,
    which `cut_off_at` cannot (no socket is known before the response)."""
    hop = _hop()
    if hop is None:
        return seconds
    return max(min(seconds, hop - time.monotonic()), MIN_READ_TIMEOUT)


@contextlib.contextmanager
def cut_off_at(deadline: float | None, response: requests.Response) -> Iterator[None]:
    """Shut the response's socket when `deadline` or the hop's deadline passes, whichever first.

    The reader then fails (or sees the answer end early) and checks which deadline it was.
    """
    deadlines = [d for d in (deadline, _hop()) if d is not None]
    if not deadlines:
        yield
        return
    timer = threading.Timer(max(min(deadlines) - time.monotonic(), 0), _shut_socket, (response,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _shut_socket(response: requests.Response) -> None:
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
