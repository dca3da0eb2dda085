"""Server-sent events for job and batch pages, fed from Redis pub/sub (jobs/events.py).

When Redis cannot be reached the answer is 503: the browser's EventSource gives up and the page
keeps polling, as it does before the stream opens.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import redis
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from jobs import events
from studio.access import get_batch_for, get_job_for


@login_required
@require_GET
def job_events(request: HttpRequest, job_id) -> HttpResponse:
    return _event_stream(request, [get_job_for(request.user, job_id).pk])


@login_required
@require_GET
def batch_events(request: HttpRequest, batch_id) -> HttpResponse:
    batch = get_batch_for(request.user, batch_id)
    return _event_stream(request, list(batch.jobs.values_list("pk", flat=True)))


@login_required
@require_GET
def feed_events(request: HttpRequest) -> HttpResponse:
    """Every change of the person's own jobs, for the studio page's feed."""
    return _event_stream(request, [], channels=[events.person_channel(request.user.pk)])


def _event_stream(
    request: HttpRequest, job_ids: Sequence, channels: Sequence[str] = ()
) -> HttpResponse:
    try:
        if isinstance(request, ASGIRequest):  # uvicorn: an async stream, waiting on the loop
            events.events_client().ping()
            connection.close()
            stream = events.sse_stream_async(job_ids, channels=channels)
        else:
            stream = _without_database(events.sse_stream(events.subscribe(job_ids, channels)))
    except redis.RedisError:
        return HttpResponse("The push channel is down; the page polls instead.", status=503)
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _without_database(stream: Iterator[bytes]) -> Iterator[bytes]:
    """An open stream must not hold a database connection for its whole life (a minute per open
    page would soon use up PostgreSQL's connections): give it back before the first event."""
    if not connection.in_atomic_block:
        connection.close()
    yield from stream
