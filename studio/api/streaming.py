"""`stream: true`: the job's progress as OpenAI streams images (server-sent events).

The call is the same job as without streaming (same checks, quota and history); only the answer
differs. While the job runs, each partial preview the provider streams (jobs/partials.py keeps
the newest in Redis and announces it on the job's channel) is sent as an
`image_generation.partial_image` event (`image_edit.partial_image` for edits); when it ends, each
stored image is sent as a `….completed` event, or the job's error as an `error` event, in the
shapes of the openai SDK's ImageGenStreamEvent / ImageEditStreamEvent.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import AsyncIterator

import redis
import redis.asyncio
from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse

from jobs.events import events_redis_url, job_channel
from jobs.models import Job, JobStatus
from jobs.parameters import EDIT
from jobs.partials import latest_partial
from jobs.storage import read_stored_file
from studio.api import answers
from studio.api.errors import ApiError
from studio.api.waiting import wait_for_job

logger = logging.getLogger(__name__)

TICK_SECONDS = 0.5  # how often a quiet stream looks for a partial whose announcement it missed
KEEPALIVE_SECONDS = 15.0


def event_stream_response(
    job_id: str, operation: str, wait_seconds: float
) -> StreamingHttpResponse:
    """The `text/event-stream` answer following job `job_id` for at most `wait_seconds`."""
    prefix = "image_edit" if operation == EDIT else "image_generation"
    response = StreamingHttpResponse(
        _events(job_id, prefix, wait_seconds), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx would otherwise hold the previews back
    return response


async def _events(job_id: str, prefix: str, wait_seconds: float) -> AsyncIterator[bytes]:
    client = redis.asyncio.Redis.from_url(
        events_redis_url(), socket_connect_timeout=1, socket_timeout=5
    )
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    finished = asyncio.ensure_future(wait_for_job(job_id, wait_seconds))
    try:
        listening = await _subscribe(pubsub, job_id)
        job = await Job.objects.aget(pk=job_id)
        sent_index, last_sent = -1, time.monotonic()
        while not finished.done():
            if listening:
                listening = await _next_message(pubsub)
            else:
                await asyncio.wait({finished}, timeout=TICK_SECONDS)
            partial = await sync_to_async(latest_partial, thread_sensitive=False)(job_id)
            if partial is not None and partial[0] > sent_index:
                sent_index, last_sent = partial[0], time.monotonic()
                yield sse(f"{prefix}.partial_image", partial_event(job, prefix, *partial))
            elif time.monotonic() - last_sent > KEEPALIVE_SECONDS:
                last_sent = time.monotonic()
                yield b": keep-alive\n\n"
        for frame in await sync_to_async(final_frames)(
            job_id, prefix, finished.result(), wait_seconds
        ):
            yield frame
    finally:
        finished.cancel()
        await pubsub.aclose()
        await client.aclose()


async def _subscribe(pubsub: redis.asyncio.client.PubSub, job_id: str) -> bool:
    """Whether the job's channel is heard; without it the stream still looks every tick."""
    try:
        await pubsub.subscribe(job_channel(job_id))
    except redis.RedisError as error:
        logger.warning("Streaming job %s without its push channel: %s", job_id, error)
        return False
    return True


async def _next_message(pubsub: redis.asyncio.client.PubSub) -> bool:
    try:
        await pubsub.get_message(timeout=TICK_SECONDS)
    except redis.RedisError as error:
        logger.warning("The push channel broke while streaming: %s", error)
        return False
    return True


def sse(event: str, payload: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(payload)}\n\n".encode()


def partial_event(job: Job, prefix: str, index: int, data: bytes) -> dict:
    return {
        "type": f"{prefix}.partial_image",
        "b64_json": base64.b64encode(data).decode(),
        "partial_image_index": index,
        **_image_fields(job),
    }


def _image_fields(job: Job) -> dict:
    params = job.params
    return {
        "created_at": int(time.time()),
        "size": params.get("size") or "auto",
        "quality": params.get("quality") or "auto",
        "background": params.get("background") or "auto",
        "output_format": params.get("output_format") or "png",
    }


def final_frames(job_id: str, prefix: str, finished: bool, waited: float) -> list[bytes]:
    """The `completed` event of each image, or the `error` event of a job that has none."""
    job = Job.objects.get(pk=job_id)
    if not finished and not job.is_final:
        return [error_frame(answers.still_running(job, waited))]
    if job.status != JobStatus.SUCCEEDED:
        return [error_frame(answers.job_error(job))]
    fields = _image_fields(job)
    usage = _usage(job.usage)
    frames = []
    for image in job.images.order_by("index"):
        data = base64.b64encode(read_stored_file(image.file.name)).decode()
        payload = {"type": f"{prefix}.completed", "b64_json": data, **fields, "usage": usage}
        payload["output_format"] = job.params.get("output_format") or answers.format_of(image)
        payload["size"] = job.params.get("size") or f"{image.width}x{image.height}"
        frames.append(sse(f"{prefix}.completed", payload))
    return frames


def error_frame(error: ApiError) -> bytes:
    body = {"message": error.message, "type": error.type, "param": error.param, "code": error.code}
    return sse("error", {"type": "error", "error": body})


def _usage(usage: dict | None) -> dict:
    """OpenAI's usage object; zeros where the provider reported none (the SDK needs numbers)."""
    usage = usage or {}
    details = usage.get("input_tokens_details") or {}
    return {
        "input_tokens": int(usage.get("input_tokens") or 0),
        "output_tokens": int(usage.get("output_tokens") or 0),
        "total_tokens": int(usage.get("total_tokens") or 0),
        "input_tokens_details": {
            "image_tokens": int(details.get("image_tokens") or 0),
            "text_tokens": int(details.get("text_tokens") or 0),
        },
    }
