"""How one worker process runs hundreds of hops at once without running out of anything.

The worker is a Celery *threads* pool (`-P threads -c STUDIO_WORKER_THREADS`): a hop waiting on a
provider is a thread blocked in a socket read, which costs a little memory and no process. What
threads do share is bounded here:

- `database()`: a hop touches the database in short phases (claim, store, end). In a worker each
  phase takes one of STUDIO_WORKER_DB_CONNECTIONS places and closes its connection after, so 200
  waiting threads hold no connection at all.
- `result_memory()`: reading a large provider body and turning results into stored images takes
  one of STUDIO_WORKER_RESULT_SLOTS places, so at most that many results are in memory at once.
  CPU work (decoding, thumbnails) is bounded by the same places.
- `LeaseKeeper`: every hop in progress holds its job with a short lease; one thread per process
  renews the leases of the hops still running, on the database's clock. A process that dies (or
  freezes) stops renewing, and another worker takes the job within STUDIO_LEASE_SECONDS.
- `hop_scope()`: the threads pool enforces no Celery time limit, so each hop keeps its own
  deadline (STUDIO_TASK_SOFT_TIME_LIMIT from its start): provider answers are cut off at it, and
  the keeper stops renewing its lease then, so a hop stuck past it is treated as a dead one.

Outside a worker (web requests, tests calling the pipeline directly) the phases do nothing
special, so the pipeline is the same code everywhere.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models.functions import Now

from jobs.providers import http
from jobs.providers.deadline import hop_deadline

logger = logging.getLogger(__name__)

_worker_mode = False
_db_places: threading.BoundedSemaphore | None = None
_result_places: threading.BoundedSemaphore | None = None
_held = threading.local()


def enter_worker_mode() -> None:
    """Called once as a worker process starts (see studio.celery)."""
    global _worker_mode, _db_places, _result_places
    _worker_mode = True
    _db_places = threading.BoundedSemaphore(settings.STUDIO_WORKER_DB_CONNECTIONS)
    _result_places = threading.BoundedSemaphore(settings.STUDIO_WORKER_RESULT_SLOTS)
    http.before_large_body = take_result_memory
    lease_keeper.start()


def in_worker() -> bool:
    return _worker_mode


@contextlib.contextmanager
def database() -> Iterator[None]:
    """A short phase of database work; in a worker, bounded and with its connection closed after."""
    if not _worker_mode:
        yield
        return
    if getattr(_held, "database", False):  # nested phase: the outer one already holds a place
        yield
        return
    assert _db_places is not None
    with _db_places:
        _held.database = True
        try:
            close_old_connections()
            yield
        finally:
            _held.database = False
            connection.close()


def take_result_memory() -> None:
    """Take a place for results (unless this thread has one) until `release_result_memory`.

    The HTTP client calls this before reading a large answer; the hop releases the place when it
    ends, so the answer and the images made from it share one place. Never called inside a
    `database()` phase, so a thread waiting here holds no connection others wait for.
    """
    if _worker_mode and not getattr(_held, "result", False):
        assert _result_places is not None
        _result_places.acquire()
        _held.result = True


def release_result_memory() -> None:
    if getattr(_held, "result", False):
        assert _result_places is not None
        _held.result = False
        _result_places.release()


@contextlib.contextmanager
def result_memory() -> Iterator[None]:
    """Hold a place for results for the rest of this `with` (or of the hop, if already held)."""
    already = getattr(_held, "result", False)
    take_result_memory()
    try:
        yield
    finally:
        if not already:
            release_result_memory()


class LeaseKeeper:
    """Renews, every third of a lease, the leases of the hops this process is running, each until
    its deadline: past it the lease lapses as a dead process's would, and the sweep hands the job
    on (a poll is polled again; a sent submit ends Failed and refunded, never sent twice)."""

    def __init__(self) -> None:
        self._deadlines: dict[UUID, float] = {}  # token -> time.monotonic() of its hop's deadline
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():  # a forked child has no thread
            self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    @contextlib.contextmanager
    def holding(self, token: UUID, deadline: float) -> Iterator[None]:
        """Keep `token`'s lease alive during the block, but not past `deadline` (time.monotonic)."""
        with self._lock:
            self._deadlines[token] = deadline
        try:
            yield
        finally:
            with self._lock:
                self._deadlines.pop(token, None)

    def renew_now(self) -> int:
        from jobs.models import Job  # not at the top: the worker start-up hook imports this module

        now = time.monotonic()
        with self._lock:
            tokens = [token for token, deadline in self._deadlines.items() if deadline > now]
        if not tokens:
            return 0
        lease = timedelta(seconds=settings.STUDIO_LEASE_SECONDS)
        return Job.objects.filter(lease_owner__in=tokens).update(lease_until=Now() + lease)

    def _run(self) -> None:
        interval = settings.STUDIO_LEASE_SECONDS / 3
        while not self._stop.wait(interval):
            try:
                with database():
                    self.renew_now()
            except DatabaseError:  # the database is away: leases lapse, another worker resumes
                logger.warning("Could not renew job leases", exc_info=True)


lease_keeper = LeaseKeeper()


@contextlib.contextmanager
def hop_scope(token: UUID, seconds: float) -> Iterator[None]:
    """One hop, holding its job by `token` for at most `seconds` (the soft time limit).

    A threads pool cannot interrupt a thread, so the limit is kept here: the hop's provider
    answers are cut off at the deadline (HopTimeLimitExceeded, which the pipeline ends as a soft
    time limit), and its lease is not renewed past it, so a hop stuck where nothing can cut it
    off (a storage write) loses its job as a dead worker's hop would; its late ending is then
    refused by the lease token. Whatever places it took for results are given back at the end.
    """
    deadline = time.monotonic() + seconds
    try:
        with lease_keeper.holding(token, deadline), hop_deadline(deadline):
            yield
    finally:
        release_result_memory()
