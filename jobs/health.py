"""Is the studio ready to work? Database, broker, storage, and a worker that beat recently.

Every worker process writes its hostname and the time into one sorted set in Redis every
HEARTBEAT_SECONDS (a daemon thread started when the worker is ready); readiness asks whether any
worker did so within WORKER_SILENCE_SECONDS. The same set lists the worker hosts on the ops page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import redis
from django.core.files.storage import default_storage
from django.db import connection

from jobs.metrics import broker_redis, namespace

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
WORKER_SILENCE_SECONDS = 45.0
STORAGE_PROBE_NAME = "healthcheck/probe"


def _workers_key() -> str:
    return f"{namespace()}:workers"


# --- the worker's side ---------------------------------------------------------------------------


def beat_once(hostname: str, now: float | None = None) -> None:
    """Say "this worker is alive" (and forget workers silent for an hour)."""
    now = time.time() if now is None else now
    client = broker_redis()
    with client.pipeline(transaction=False) as pipe:
        pipe.zadd(_workers_key(), {hostname: now})
        pipe.zremrangebyscore(_workers_key(), "-inf", now - 3600)
        pipe.execute()


def forget_worker(hostname: str) -> None:
    """A worker that stops cleanly leaves the set at once."""
    try:
        broker_redis().zrem(_workers_key(), hostname)
    except redis.RedisError as error:
        logger.warning("could not remove worker %s from the heartbeat set: %s", hostname, error)


def start_heartbeat(hostname: str, stop: threading.Event) -> threading.Thread:
    """Beat every HEARTBEAT_SECONDS in a daemon thread until `stop` is set."""

    def loop() -> None:
        while not stop.is_set():
            try:
                beat_once(hostname)
            except redis.RedisError as error:  # Redis is down: the worker reconnects by itself
                logger.warning("worker heartbeat not written: %s", error)
            stop.wait(HEARTBEAT_SECONDS)

    thread = threading.Thread(target=loop, name="studio-heartbeat", daemon=True)
    thread.start()
    return thread


def recent_workers(within: float = WORKER_SILENCE_SECONDS) -> dict[str, float]:
    """{hostname: seconds since its last heartbeat} for workers heard within `within` seconds."""
    now = time.time()
    beats = cast(
        list[tuple[bytes, float]],
        broker_redis().zrangebyscore(_workers_key(), now - within, "+inf", withscores=True),
    )
    return {name.decode(): round(now - score, 1) for name, score in beats}


# --- readiness -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_redis() -> str:
    broker_redis().ping()
    return "ok"


def check_storage() -> str:
    # One HEAD (S3) or stat (files) for a name that need not exist: proves reachability and
    # credentials without writing anything.
    default_storage.exists(STORAGE_PROBE_NAME)
    return "ok"


def check_workers() -> str:
    workers = recent_workers()
    if not workers:
        raise RuntimeError(f"no worker sent a heartbeat in the last {WORKER_SILENCE_SECONDS:g} s")
    return f"{len(workers)} answering"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "redis": check_redis,
    "storage": check_storage,
    "workers": check_workers,
}


def readiness() -> list[CheckResult]:
    """Run every check; a failing one says what went wrong, never raises."""
    results = []
    for name, check in CHECKS.items():
        try:
            results.append(CheckResult(name, True, check()))
        except Exception as error:  # any failure of a dependency is "down", whatever its type
            detail = f"{type(error).__name__}: {error}"[:300]
            results.append(CheckResult(name, False, detail))
    return results
