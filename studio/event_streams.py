"""Event streams for live pages (server-sent events): what every stream view shares.

A stream is a scarce thing: it stays open for up to a minute and listens to Redis. So a person
holds at most STUDIO_MAX_EVENT_STREAMS of them in one web process (more get 429 and their pages
poll, as they do when the push channel is down), a page with nothing left to follow gets 204 at
once (EventSource then stops reconnecting), and under ASGI the streams of a process share one
Redis subscription (jobs/event_hub.py). A stream view only says which channels to follow:

    return stream_response(request, [events.job_channel(job.pk)])
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Sequence

import redis
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse

from jobs import events
from jobs.event_hub import Listener
from studio.http import AuthenticatedHttpRequest


def nothing_to_follow() -> HttpResponse:
    """For a page whose jobs have all ended: no stream, and no reconnecting (204)."""
    return HttpResponse(status=204)


def stream_response(request: AuthenticatedHttpRequest, channels: Sequence[str]) -> HttpResponseBase:
    """The events of these Redis channels as a stream for `request.user`: 429 over their cap,
    503 when Redis is down (the page polls in both cases)."""
    slot = _open_streams.take(request.user.pk)
    if slot is None:
        return HttpResponse("Too many live pages are open; this one polls instead.", status=429)
    try:
        if isinstance(request, ASGIRequest):  # uvicorn: wait on the loop, share its subscription
            listener = async_to_sync(events.listen)(channels)
            stream: _AsyncStream | _SyncStream = _AsyncStream(listener, slot)
        else:
            stream = _SyncStream(events.subscribe(channels), slot)
    except redis.RedisError:
        slot.release()
        return HttpResponse("The push channel is down; the page polls instead.", status=503)
    # An open stream must not hold a database connection for its whole life (a minute per open
    # page would soon use up PostgreSQL's connections): give it back now.
    if not connection.in_atomic_block:
        connection.close()
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


class _Slot:
    """One open stream of one person's, given back exactly once."""

    def __init__(self, streams: _OpenStreams, person: int) -> None:
        self._streams = streams
        self._person = person
        self._held = True

    def release(self) -> None:
        with self._streams.lock:
            if self._held:
                self._held = False
                self._streams.count[self._person] -= 1
                if not self._streams.count[self._person]:
                    del self._streams.count[self._person]


class _OpenStreams:
    """How many streams each person holds open in this process (threads and the loop share it)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count: dict[int, int] = {}

    def take(self, person: int) -> _Slot | None:
        with self.lock:
            if self.count.get(person, 0) >= settings.STUDIO_MAX_EVENT_STREAMS:
                return None
            self.count[person] = self.count.get(person, 0) + 1
        return _Slot(self, person)


_open_streams = _OpenStreams()


class _AsyncStream:
    """A listener's events (ASGI). Django calls `close` when the response ends, from a thread,
    even when it never started the stream (the client left first)."""

    def __init__(self, listener: Listener, slot: _Slot) -> None:
        self._listener = listener
        self._slot = slot

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for frame in events.sse_stream_async(self._listener):
                yield frame
        finally:
            self._slot.release()

    def close(self) -> None:
        self._listener.close_soon()
        self._slot.release()


class _SyncStream:
    """A subscription's events (WSGI), with the same guarantees as _AsyncStream."""

    def __init__(self, pubsub: redis.client.PubSub, slot: _Slot) -> None:
        self._pubsub = pubsub
        self._slot = slot

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from events.sse_stream(self._pubsub)
        finally:
            self._slot.release()

    def close(self) -> None:
        self._pubsub.close()
        self._slot.release()
