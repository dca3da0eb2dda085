"""The web process's one Redis subscription, shared by its event streams (jobs/event_hub.py),
against the test run's real Redis."""

from __future__ import annotations

import asyncio

import pytest
import redis

from jobs.event_hub import hub_for


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 20))


async def pubsub_channels(client: redis.asyncio.Redis, prefix: str) -> set[str]:
    return {channel.decode() for channel in await client.pubsub_channels(f"{prefix}*")}


def test_listeners_share_a_channel_and_it_goes_when_the_last_leaves(redis_url):
    async def scenario():
        hub = hub_for(redis_url)
        publisher = redis.asyncio.Redis.from_url(redis_url)
        first = await hub.listen(["hub-test:a", "hub-test:b"])
        second = await hub.listen(["hub-test:a"])
        await publisher.publish("hub-test:a", b"to both")
        await publisher.publish("hub-test:b", b"to the first")
        assert [await first.next(5), await first.next(5)] == [b"to both", b"to the first"]
        assert await second.next(5) == b"to both"
        first.close()
        await asyncio.sleep(0.2)
        assert await pubsub_channels(publisher, "hub-test:") == {"hub-test:a"}
        second.close()
        await asyncio.sleep(0.2)
        assert await pubsub_channels(publisher, "hub-test:") == set()
        await publisher.aclose()

    run(scenario())


def test_a_listener_ends_when_the_connection_breaks(redis_url):
    """Only this hub's connection is killed: other runs share the Redis."""

    async def scenario():
        hub = hub_for(redis_url)
        listener = await hub.listen(["hub-test:broken"])
        host, port = hub._pubsub.connection._writer.get_extra_info("sockname")[:2]
        admin = redis.asyncio.Redis.from_url(redis_url)
        await admin.client_kill_filter(_id=None, addr=f"{host}:{port}")
        await admin.publish("hub-test:broken", b"after the break")
        assert await listener.next(10) is None  # the stream ends; the page reconnects
        listener.close()
        again = await hub.listen(["hub-test:broken"])  # on a new connection
        await admin.publish("hub-test:broken", b"after the reconnect")
        assert await again.next(5) == b"after the reconnect"
        again.close()
        await admin.aclose()

    run(scenario())


def test_without_redis_listening_fails_at_once():
    async def scenario():
        with pytest.raises(redis.RedisError):
            await hub_for("redis://127.0.0.1:1/0").listen(["hub-test:nowhere"])

    run(scenario())
