"""Operational figures shared by every process and host: counters and histograms kept in Redis.

Web servers, workers and beat run as many processes on several machines; an in-process Prometheus
registry would show each scrape one process's share. So events are counted in Redis (the broker
every process already talks to), and `/metrics` reads them back together with what the database
and the queue say right now. Recording never raises: a metric lost while Redis is down is better
than a job that fails because of its bookkeeping.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import redis
from celery import current_app

logger = logging.getLogger(__name__)

LABEL_SEPARATOR = "\x1f"
SECONDS_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800)
POLL_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)
ERROR_KINDS = ("rate_limit", "refusal", "timeout", "server_error", "network", "other")


@dataclass(frozen=True)
class Histogram:
    name: str
    help: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...]


@dataclass(frozen=True)
class Counter:
    name: str
    help: str
    labels: tuple[str, ...]


JOB_DURATION = Histogram(
    "studio_job_duration_seconds",
    "From a worker taking the job to the job ending, per provider and model.",
    ("provider", "model", "status"),
    SECONDS_BUCKETS,
)
JOB_QUEUED = Histogram(
    "studio_job_queued_seconds",
    "From submit to a worker first taking the job, per provider and model.",
    ("provider", "model"),
    SECONDS_BUCKETS,
)
POLLS_PER_JOB = Histogram(
    "studio_job_polls",
    "Polls an asynchronous job needed before it ended.",
    ("provider", "model"),
    POLL_BUCKETS,
)
PROVIDER_ERRORS = Counter(
    "studio_provider_errors",
    "Provider failures by kind (rate_limit, refusal, timeout, server_error, network, other).",
    ("provider", "kind"),
)
QUOTA_REFUSALS = Counter(
    "studio_quota_refusals",
    "Submits refused because a quota was used up, per period and unit.",
    ("period", "unit"),
)
HISTOGRAMS = (JOB_DURATION, JOB_QUEUED, POLLS_PER_JOB)
COUNTERS = (PROVIDER_ERRORS, QUOTA_REFUSALS)


# --- the shared Redis ----------------------------------------------------------------------------

_clients: dict[str, redis.Redis] = {}


def broker_redis() -> redis.Redis:
    """A client for the Celery broker's Redis (short timeouts: callers must never hang on it)."""
    url = current_app.conf.broker_url
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30
        )
    return _clients[url]


def namespace() -> str:
    """Keys of one studio: its queue name tells apart two studios (or test runs) on one Redis."""
    return f"studio:{current_app.conf.task_default_queue}"


def _key(metric: Histogram | Counter) -> str:
    return f"{namespace()}:metrics:{metric.name}"


def _field(values: Sequence[str]) -> str:
    return LABEL_SEPARATOR.join(str(value)[:100] for value in values)


# --- recording -----------------------------------------------------------------------------------


def increment(counter: Counter, *values: str) -> None:
    """Add one to `counter` for these label values."""
    try:
        broker_redis().hincrby(_key(counter), _field(values), 1)
    except redis.RedisError as error:
        logger.warning("metric %s not recorded: %s", counter.name, error)


def observe(histogram: Histogram, value: float, *values: str) -> None:
    """Count `value` in its bucket (stored per bucket; `/metrics` makes them cumulative)."""
    bucket = next((le for le in histogram.buckets if value <= le), math.inf)
    labels = _field(values)
    try:
        with broker_redis().pipeline(transaction=False) as pipe:
            pipe.hincrby(_key(histogram), f"{labels}{LABEL_SEPARATOR}{bucket}", 1)
            pipe.hincrbyfloat(_key(histogram), f"{labels}{LABEL_SEPARATOR}sum", value)
            pipe.execute()
    except redis.RedisError as error:
        logger.warning("metric %s not recorded: %s", histogram.name, error)


# --- reading back --------------------------------------------------------------------------------


@dataclass
class HistogramSeries:
    labels: tuple[str, ...]
    cumulative: list[tuple[float, int]]  # (upper bound, count so far), ending with +Inf
    total: float


def read_counter(counter: Counter) -> dict[tuple[str, ...], int]:
    raw = cast(dict[bytes, bytes], broker_redis().hgetall(_key(counter)))
    return {tuple(k.decode().split(LABEL_SEPARATOR)): int(v) for k, v in raw.items()}


def read_histogram(histogram: Histogram) -> list[HistogramSeries]:
    raw = cast(dict[bytes, bytes], broker_redis().hgetall(_key(histogram)))
    counts: dict[tuple[str, ...], dict[float, int]] = defaultdict(dict)
    sums: dict[tuple[str, ...], float] = {}
    for key, value in raw.items():
        *labels, bucket = key.decode().split(LABEL_SEPARATOR)
        if bucket == "sum":
            sums[tuple(labels)] = float(value)
        else:
            counts[tuple(labels)][float(bucket)] = int(value)
    series = []
    for series_labels, by_bucket in sorted(counts.items()):
        running, cumulative = 0, []
        for le in (*histogram.buckets, math.inf):
            running += by_bucket.get(float(le), 0)
            cumulative.append((float(le), running))
        series.append(HistogramSeries(series_labels, cumulative, sums.get(series_labels, 0.0)))
    return series


def served_queues() -> list[str]:
    """The Celery queues of this studio: the default one plus any named in task routes."""
    names = [current_app.conf.task_default_queue]
    for route in (current_app.conf.task_routes or {}).values():
        queue = route.get("queue") if isinstance(route, dict) else None
        if queue and queue not in names:
            names.append(queue)
    return names


def queue_depths(queue_names: Iterable[str]) -> dict[str, int]:
    """Messages waiting in each Celery queue (not counting hops a worker holds with a countdown)."""
    client = broker_redis()
    return {name: int(client.llen(name)) for name in queue_names}


def reserved_messages() -> int:
    """Messages taken by workers but not yet acknowledged (running hops and scheduled polls)."""
    return int(broker_redis().hlen("unacked"))
