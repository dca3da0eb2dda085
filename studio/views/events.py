"""Server-sent events for job and batch pages, fed from Redis pub/sub (jobs/events.py); the rules
every stream follows (a cap per person, 503 when Redis is down) are in studio/event_streams.py.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase
from django.views.decorators.http import require_GET

from jobs import events
from jobs.models.job import FINAL_STATUSES
from studio.access import get_batch_for, get_job_for
from studio.event_streams import nothing_to_follow, stream_response
from studio.http import AuthenticatedHttpRequest


@login_required
@require_GET
def job_events(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponseBase:
    job = get_job_for(request.user, job_id)
    if job.is_final:
        return nothing_to_follow()
    return stream_response(request, [events.job_channel(job.pk)])


@login_required
@require_GET
def batch_events(request: AuthenticatedHttpRequest, batch_id: UUID) -> HttpResponseBase:
    """Only the batch's unfinished jobs are followed (none left: nothing to follow)."""
    batch = get_batch_for(request.user, batch_id)
    running = batch.jobs.exclude(status__in=FINAL_STATUSES).values_list("pk", flat=True)
    if not running:
        return nothing_to_follow()
    return stream_response(request, [events.job_channel(job_id) for job_id in running])


@login_required
@require_GET
def feed_events(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Every change of the person's own jobs, for the studio page's feed."""
    return stream_response(request, [events.person_channel(request.user.pk)])
