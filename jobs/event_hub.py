"""One Redis pub/sub connection per web process, fanned out to every event stream it serves.

Under ASGI (uvicorn) each open page's stream used to hold a Redis connection of its own for its
whole minute, also for jobs long finished; sixty tabs were sixty connections to the broker's
Redis. Here the process's event loop keeps one subscription: a stream asks for the channels it
wants, the hub subscribes to those nobody listens to yet, hands every message to the streams of
its channel, and unsubscribes a channel (or closes the connection) when its last stream leaves.
Channels are plain names, so any kind (a job's, a person's feed) is fanned out alike.

Everything here runs on the event loop of the process, except `Listener.close_soon`, which a
thread may call. Nothing is retried: when the connection breaks, every stream ends, and pages
reconnect or poll (static/js/live.js).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable

import redis
import redis.asyncio

logger = logging.getLogger(__name__)

SUBSCRIBE_SECONDS = 5.0
CLIENT_NAME = "studio-events-hub"  # how the connection shows in Redis's CLIENT LIST
# Messages a slow stream may have waiting before newer ones are dropped (pages also look every
# few seconds on their own, so a dropped "this job changed" costs a moment, not an update).
INBOX_SIZE = 100
_ENDED = None

_Connection = tuple[
    "asyncio.Task[None] | None", "redis.asyncio.client.PubSub | None", "redis.asyncio.Redis | None"
]


class Listener:
    """One stream's share of the hub: the messages of its channels, in the order they came."""

    def __init__(self, hub: Hub, channels: Iterable[str]) -> None:
        self.hub = hub
        self.channels = frozenset(channels)
        self.inbox: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=INBOX_SIZE)
        self.ended = False
        self.left = False

    def deliver(self, data: bytes) -> None:
        if not self.ended and not self.inbox.full():
            self.inbox.put_nowait(data)

    def end(self) -> None:
        """No more messages will come (the connection broke): the stream finishes."""
        if self.ended:
            return
        self.ended = True
        if self.inbox.full():
            self.inbox.get_nowait()
        self.inbox.put_nowait(_ENDED)

    async def next(self, timeout: float) -> bytes | None:
        """The next message; None once the hub has ended this listener. TimeoutError after
        `timeout` seconds without one."""
        return await asyncio.wait_for(self.inbox.get(), timeout)

    def close(self) -> None:
        """Leave the hub (on its loop); harmless when already gone."""
        self.hub.leave(self)

    def close_soon(self) -> None:
        """`close` from any thread (Django closes a response in a worker thread)."""
        if not self.hub.loop.is_closed():
            self.hub.loop.call_soon_threadsafe(self.close)


class Hub:
    """The subscription of one Redis URL on one event loop, shared by its listeners."""

    def __init__(self, url: str, loop: asyncio.AbstractEventLoop) -> None:
        self.url = url
        self.loop = loop
        self._listeners: dict[str, set[Listener]] = {}
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._client: redis.asyncio.Redis | None = None
        self._pubsub: redis.asyncio.client.PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one change of the subscription at a time
        self._chores: set[asyncio.Task[None]] = set()  # held, or the loop might drop them

    async def listen(self, channels: Iterable[str]) -> Listener:
        """A listener of these channels, subscribed (Redis confirmed it) before it is returned,
        so nothing published afterwards is missed. Raises redis.RedisError when Redis is down."""
        listener = Listener(self, channels)
        async with self._lock:
            await self._connect()
            assert self._pubsub is not None
            new = sorted(listener.channels - self._confirmed.keys())
            for channel in new:
                self._confirmed[channel] = self.loop.create_future()
            waits = [self._confirmed[channel] for channel in listener.channels]
            for channel in listener.channels:
                self._listeners.setdefault(channel, set()).add(listener)
            try:
                if new:
                    await self._pubsub.subscribe(*new)
            except (redis.RedisError, OSError) as error:
                self._break(error)
                raise redis.ConnectionError("could not subscribe") from error
            if self._reader is None:  # reading starts once there is something to read
                self._reader = self.loop.create_task(self._read(self._pubsub))
        try:
            async with asyncio.timeout(SUBSCRIBE_SECONDS):
                await asyncio.gather(*[asyncio.shield(wait) for wait in waits])
        except (TimeoutError, redis.RedisError) as error:
            listener.close()
            raise redis.ConnectionError("Redis did not confirm the subscription") from error
        return listener

    def leave(self, listener: Listener) -> None:
        """Forget a listener; channels nobody else listens to are unsubscribed soon after."""
        if listener.left:
            return
        listener.left = listener.ended = True
        for channel in listener.channels:
            members = self._listeners.get(channel)
            if members is not None:
                members.discard(listener)
                if not members:
                    del self._listeners[channel]
        if self._pubsub is not None:
            self._later(self._tidy())

    async def _connect(self) -> None:
        if self._pubsub is None:
            self._client = redis.asyncio.Redis.from_url(
                self.url, socket_connect_timeout=1, socket_timeout=5, client_name=CLIENT_NAME
            )
            self._pubsub = self._client.pubsub()

    async def _read(self, pubsub: redis.asyncio.client.PubSub) -> None:
        """Hand each message to its channel's listeners, until the connection closes or breaks."""
        try:
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is not None:
                    self._dispatch(message)
        except Exception as error:  # whatever stops the reading ends the streams, not just some
            if pubsub is self._pubsub:
                self._break(error)

    def _dispatch(self, message: dict) -> None:
        channel = message["channel"]
        channel = channel.decode() if isinstance(channel, bytes) else channel
        if message["type"] == "subscribe":
            confirmed = self._confirmed.get(channel)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
        elif message["type"] == "message":
            data = message["data"]
            for listener in list(self._listeners.get(channel, ())):
                listener.deliver(data if isinstance(data, bytes) else data.encode())

    async def _tidy(self) -> None:
        """Unsubscribe the channels nobody listens to; close the connection when none are left."""
        async with self._lock:
            if self._pubsub is None:
                return
            if not self._listeners:
                await self._shut(*self._detach())
                return
            unused = sorted(self._confirmed.keys() - self._listeners.keys())
            for channel in unused:
                del self._confirmed[channel]
            try:
                if unused:
                    await self._pubsub.unsubscribe(*unused)
            except (redis.RedisError, OSError) as error:
                self._break(error)

    def _break(self, error: BaseException) -> None:
        """The connection failed: end every listener; the next one opens a new connection."""
        logger.warning("The push channel broke: %s", error)
        for members in self._listeners.values():
            for listener in members:
                listener.end()
        self._listeners.clear()
        for confirmed in self._confirmed.values():
            if not confirmed.done():
                confirmed.set_exception(redis.ConnectionError("the push channel broke"))
                confirmed.exception()  # marked as seen: nobody may be waiting for it
        self._later(self._shut(*self._detach()))

    def _later(self, chore: Coroutine[None, None, None]) -> None:
        task = self.loop.create_task(chore)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    def _detach(self) -> _Connection:
        reader, pubsub, client = self._reader, self._pubsub, self._client
        self._reader = self._pubsub = self._client = None
        self._confirmed.clear()
        return reader, pubsub, client

    @staticmethod
    async def _shut(
        reader: asyncio.Task[None] | None,
        pubsub: redis.asyncio.client.PubSub | None,
        client: redis.asyncio.Redis | None,
    ) -> None:
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        try:
            if pubsub is not None:
                await pubsub.aclose()
            if client is not None:
                await client.aclose()
        except (redis.RedisError, OSError) as error:
            logger.info("Closing the push channel: %s", error)


_hubs: dict[str, Hub] = {}


def hub_for(url: str) -> Hub:
    """The hub of this Redis URL on the running event loop (one per web process)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(url)
    if hub is None or hub.loop is not loop:
        hub = _hubs[url] = Hub(url, loop)
    return hub
