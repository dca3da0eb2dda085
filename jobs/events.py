"""Push: the pipeline says "this job changed" on Redis pub/sub; job and batch pages listen (SSE).

Publishing never fails a job: push is only a faster way to learn what the job row already says,
and pages fall back to polling when the push channel is down. The channel is the broker's Redis
(REDIS_URL; pub/sub ignores the database number), unless STUDIO_EVENTS_REDIS_URL names another.
Under ASGI the streams of a web process share one subscription (jobs/event_hub.py); under WSGI
each stream subscribes on its own.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from uuid import UUID

import redis
from django.conf import settings

from jobs.event_hub import Listener, hub_for
from jobs.models.job import FINAL_STATUSES

logger = logging.getLogger(__name__)

# A stream ends after this long so it never holds a web thread for good; EventSource reconnects.
STREAM_SECONDS = 55.0
KEEPALIVE_SECONDS = 15.0


def events_redis_url() -> str:
    return settings.STUDIO_EVENTS_REDIS_URL or settings.CELERY_BROKER_URL


def job_channel(job_id: UUID | str) -> str:
    return f"studio:job:{job_id}"


def person_channel(user_id: int | str) -> str:
    """Every change of any of a person's jobs, for their studio page's feed."""
    return f"studio:person:{user_id}"


_clients: dict[str, redis.Redis] = {}


def events_client() -> redis.Redis:
    """One client (and connection pool) per URL for the process; redis-py clients are
    thread-safe, and every publish reusing a connection keeps the pipeline's hooks cheap."""
    url = events_redis_url()
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    return _clients[url]


# A final status is also the kind of the event that announces it.
FINAL_KINDS = frozenset(str(status) for status in FINAL_STATUSES)


def publish_job_event(job_id: UUID | str, kind: str, owner_id: int | None = None) -> None:
    """Tell whoever watches this job (and, given `owner_id`, its owner's feed) that it changed
    (`kind`: running, partial, succeeded, failed, canceled). A job that ended loses its partial
    images here."""
    if kind in FINAL_KINDS:
        discard_partial(job_id)
    payload = json.dumps({"job": str(job_id), "kind": str(kind)})
    try:
        events_client().publish(job_channel(job_id), payload)
        if owner_id is not None:
            events_client().publish(person_channel(owner_id), payload)
    except redis.RedisError as error:
        logger.warning("Could not publish %s for job %s: %s", kind, job_id, error)


def partial_key(job_id: UUID | str) -> str:
    """Where the newest partial image of a running job is kept (see jobs/partials.py)."""
    return f"studio:partial:{job_id}"


def discard_partial(job_id: UUID | str) -> None:
    try:
        events_client().delete(partial_key(job_id))
    except redis.RedisError as error:
        logger.warning("Could not drop the partial image of job %s: %s", job_id, error)


def subscribe(channels: Sequence[str]) -> redis.client.PubSub:
    """A subscription of its own to these channels (WSGI); raises redis.RedisError when Redis is
    down."""
    pubsub = events_client().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(*channels)
    return pubsub


OPENING = b"retry: 2000\n: connected\n\n"


class _Framer:
    """Turns messages into server-sent event frames, with a comment now and then so proxies keep
    a quiet connection, until the stream's time is up."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.last_sent = time.monotonic()

    def open(self) -> bool:
        return time.monotonic() < self.deadline

    def frame(self, data: bytes | None) -> bytes | None:
        now = time.monotonic()
        if data is not None:
            self.last_sent = now
            return b"data: " + data + b"\n\n"
        if now - self.last_sent > KEEPALIVE_SECONDS:
            self.last_sent = now
            return b": keep-alive\n\n"
        return None


def _message_data(message: dict | None) -> bytes | None:
    if not message or message["type"] != "message":
        return None
    data = message["data"]
    return data if isinstance(data, bytes) else data.encode()


def sse_stream(pubsub: redis.client.PubSub, seconds: float = STREAM_SECONDS) -> Iterator[bytes]:
    """Server-sent events from a subscription: one `data:` line per job event, a comment now and
    then so proxies keep the connection, and an end after `seconds` (the browser reconnects)."""
    try:
        yield OPENING
        framer = _Framer(seconds)
        while framer.open():
            frame = framer.frame(_message_data(pubsub.get_message(timeout=1.0)))
            if frame:
                yield frame
    except redis.RedisError as error:
        logger.warning("The push channel broke: %s", error)
    finally:
        pubsub.close()


async def listen(channels: Sequence[str]) -> Listener:
    """A share of this web process's subscription (ASGI); raises redis.RedisError when Redis is
    down. Call `close()` on the listener when its stream ends."""
    return await hub_for(events_redis_url()).listen(channels)


async def sse_stream_async(
    listener: Listener, seconds: float = STREAM_SECONDS
) -> AsyncIterator[bytes]:
    """The same events for an ASGI server (uvicorn), from a listener of the process's hub: the
    wait is on the event loop, with no thread and no Redis connection of its own.

    Django serves a synchronous iterator under ASGI only after consuming all of it, which would
    hold every event back until the stream ended; this one is sent as it comes.
    """
    try:
        yield OPENING
        framer = _Framer(seconds)
        while framer.open():
            try:
                data = await listener.next(timeout=1.0)
            except TimeoutError:
                data = None
            else:
                if data is None:  # the push channel broke: the page reconnects or polls
                    return
            frame = framer.frame(data)
            if frame:
                yield frame
    finally:
        listener.close()
