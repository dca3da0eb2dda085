"""Partial images of a streaming job: shown on its page while it runs, never stored or charged.

The newest partial of a job lives in Redis (the push channel's server) under a key that expires
on its own; it is dropped as soon as the job ends (`jobs.events.publish_job_event`), so nothing of
it is kept after the job. Pages learn of a new partial by a "partial" job event.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from uuid import UUID

import redis

from jobs.events import events_client, partial_key, publish_job_event

logger = logging.getLogger(__name__)

KEEP_SECONDS = 15 * 60  # a safety net: a job that never ends still loses its partial
# Previews a job may show, in bytes of images, over its whole stream: past it, the rest of its
# previews are skipped (the job itself goes on). Three 1536x1024 previews fit.
MAX_PARTIAL_BYTES_PER_JOB = 16 * 2**20


def partial_sink(job_id: UUID | str, owner_id: int | None = None) -> Callable[[int, str], None]:
    """What a streaming dialect calls with each partial image: (index, base64 data)."""
    kept_bytes = 0

    def keep_partial(index: int, b64_data: str) -> None:
        nonlocal kept_bytes
        size = len(b64_data) * 3 // 4  # what it decodes to, known before decoding
        if kept_bytes + size > MAX_PARTIAL_BYTES_PER_JOB:
            return
        kept_bytes += size
        try:
            data = base64.b64decode(b64_data, validate=False)
        except (binascii.Error, ValueError):
            return  # a broken preview is not worth failing the job for
        try:
            events_client().hset(partial_key(job_id), mapping={"index": index, "data": data})
            events_client().expire(partial_key(job_id), KEEP_SECONDS)
        except redis.RedisError as error:
            logger.warning("Could not keep a partial image of job %s: %s", job_id, error)
            return
        publish_job_event(job_id, "partial", owner_id)

    return keep_partial


def latest_partial(job_id: UUID | str) -> tuple[int, bytes] | None:
    """(index, image bytes) of the newest partial image, or None."""
    try:
        stored = events_client().hgetall(partial_key(job_id))
    except redis.RedisError:
        return None
    if not stored or b"data" not in stored:
        return None
    data = stored[b"data"]
    return int(stored.get(b"index", b"0")), data if isinstance(data, bytes) else data.encode()
