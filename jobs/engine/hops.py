"""Hops: one submit (`run_job`) or one poll (`poll_job`) of a job, each started by a Celery task.

A submit is admitted first (admission.py: slots and rate; a poll takes only a request from the
rate), then the hop claims the job (claims.py), calls the provider once through its dialect, and
either ends the job (endings.py) or leaves it for a later hop: requeued after a transient submit
failure, or due for its next poll. Between hops nothing holds a worker: the job row carries
`due_at` and a Celery hop is scheduled for then (queue.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from jobs import limits, telemetry
from jobs import messages as texts
from jobs.concurrency import database, hop_scope
from jobs.dialects import get_dialect
from jobs.engine import queue
from jobs.engine.admission import admitted, unavailable_model
from jobs.engine.claims import Hold, claim_for_poll, claim_for_submit, db_time, update_held
from jobs.engine.endings import after_ending, end_abandoned, fail_job, finish_job
from jobs.engine.request import build_request
from jobs.engine.retry import next_poll_delay, poll_error_is_transient, retry_delay, should_give_up
from jobs.messages import JobText, job_text
from jobs.models import Job, JobStatus
from jobs.models.job import FINAL_STATUSES
from jobs.providers import ProviderError, ProviderResult, TaskState
from jobs.providers.deadline import HopTimeLimitExceeded
from jobs.stored_texts import note_fields

logger = logging.getLogger(__name__)


def run_job(job_id: str | uuid.UUID) -> None:
    """Send a queued job to its provider (one attempt), once it has its slots."""
    if not admitted(job_id):
        return
    with database():
        hold = claim_for_submit(job_id)
        if hold is None and Job.objects.filter(pk=job_id, status__in=FINAL_STATUSES).exists():
            after_ending(Job.objects.select_related("model__provider").get(pk=job_id))
        if hold is None:
            end_abandoned(job_id)
    if hold is not None:
        telemetry.job_started(hold.job)
        _run_hop(hold, _submit)


def poll_job(job_id: str | uuid.UUID) -> None:
    """Ask the provider about a job's remote task once, then schedule the next hop."""
    with database():
        hold = claim_for_poll(job_id)
    if hold is not None:
        _run_hop(hold, _poll)


def _run_hop(hold: Hold, step: Callable[[Hold], None]) -> None:
    """Run one hop while its lease is kept alive; whatever goes wrong ends the hop cleanly.

    The soft time limit is the hop's own deadline (hop_scope): Celery raises it only in a
    prefork pool, the threads pool never, so the providers' readers raise it themselves.
    """
    limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
    with hop_scope(hold.token, limit):
        try:
            step(hold)
        except (SoftTimeLimitExceeded, HopTimeLimitExceeded):
            fail_job(hold, job_text(texts.STEP_TIME_LIMIT, seconds=limit))
        except DatabaseError:
            # Even an ending could not be written: let the lease lapse, and the sweep hands the
            # job to another hop. The provider is not asked again for a task it already has.
            logger.exception("Job %s: the database failed during a hop", hold.job.pk)
        except (
            Exception
        ) as error:  # a bug or bad configuration must end the job, not leave it stuck
            logger.exception("Job %s: unexpected error", hold.job.pk)
            fail_job(hold, _explain_unexpected(error))


def _submit(hold: Hold) -> None:
    job = hold.job
    unavailable = unavailable_model(job)
    if unavailable:
        fail_job(hold, unavailable)
        return
    with database():
        sources = list(job.source_images.order_by("created_at"))
        if not update_held(hold, sent_at=Now()):
            return  # canceled meanwhile: nothing is sent
    try:
        request = build_request(job, sources)  # reads files, converts: no database phase held
        model = job.provider_model()
        result = get_dialect(model.dialect).submit(model.endpoint(), request)
    except ProviderError as error:
        _after_provider_error(hold, error)
        return
    if result.task_id and result.state == TaskState.RUNNING:
        _remember_remote_task(hold, result)
    else:
        finish_job(hold, result)


def _poll(hold: Hold) -> None:
    job = hold.job
    if job.model is None:
        fail_job(hold, job_text(texts.MODEL_REMOVED, model=job.model_name))
        return
    with database():
        past_deadline = Job.objects.filter(pk=job.pk, deadline_at__lte=Now()).exists()
    if past_deadline:
        minutes = job.model.capabilities().poll_deadline_seconds / 60
        fail_job(hold, job_text(texts.TASK_DEADLINE, minutes=f"{minutes:g}"))
        return
    rate_wait = limits.take_request(job)
    if rate_wait:
        _schedule_next_poll(hold, job.remote_status, at_least=rate_wait, counts=False)
        return
    try:
        result = get_dialect(job.model.dialect).poll(job.model.endpoint(), job.remote_task_id)
    except ProviderError as error:
        telemetry.provider_failed(job, error)
        _after_poll_error(hold, error)
        return
    if result.state == TaskState.RUNNING:
        _schedule_next_poll(hold, result.remote_status)
    else:
        finish_job(hold, result)


def _remember_remote_task(hold: Hold, result: ProviderResult) -> None:
    job = hold.job
    deadline = job.provider_model().capabilities().poll_deadline_seconds
    # The task id is written before anything else can happen: from here on the job is only polled.
    with database():
        update_held(
            hold,
            remote_task_id=result.task_id,
            remote_status=result.remote_status,  # cut after redaction (clean_job_fields)
            deadline_at=db_time(deadline),
            usage=result.usage or job.usage,
        )
    job.remote_status, job.poll_count = result.remote_status, 0
    _schedule_next_poll(hold, result.remote_status)


def _schedule_next_poll(
    hold: Hold, remote_status: str, at_least: float = 0.0, *, counts: bool = True
) -> None:
    with database():
        hold.job.refresh_from_db(fields=["deadline_at", "poll_count"])
        delay = max(next_poll_delay(hold.job), at_least)
        released = update_held(
            hold,
            due_at=db_time(delay),
            lease_until=None,
            lease_owner=None,
            remote_status=remote_status,
            poll_count=F("poll_count") + (1 if counts else 0),
        )
    if released:
        queue.send_poll(hold.job.pk, countdown=delay)


def _after_provider_error(hold: Hold, error: ProviderError) -> None:
    """A failed submit: final when permanent; otherwise retried with backoff and jitter for
    STUDIO_RETRY_WINDOW_SECONDS from the first transient failure (an outage of a minute or two
    must not fail every job in flight), and at most STUDIO_MAX_ATTEMPTS times."""
    job = hold.job
    telemetry.provider_failed(job, error)
    if error.permanent:
        fail_job(hold, error.text)
        return
    now = timezone.now()
    since = job.transient_since or now
    out_of_time = should_give_up(since, now, settings.STUDIO_RETRY_WINDOW_SECONDS)
    if out_of_time or job.attempts >= settings.STUDIO_MAX_ATTEMPTS:
        seconds = round((now - since).total_seconds())
        message = job_text(
            texts.GAVE_UP_IN, error=error.text, attempts=job.attempts, seconds=seconds
        )
        fail_job(hold, message)
        return
    delay = retry_delay(job.attempts, error)
    note = job_text(texts.RETRYING, attempt=job.attempts, error=error.text)
    with database():
        requeued = update_held(
            hold,
            status=JobStatus.QUEUED,
            due_at=db_time(delay),
            lease_until=None,
            lease_owner=None,
            **note_fields(note),
            transient_since=since,
            sent_at=None,  # the next attempt has not been sent
        )
    if requeued:
        queue.send_run(job.pk, countdown=delay)


def _after_poll_error(hold: Hold, error: ProviderError) -> None:
    """A failed poll: a 404 is tried again a few times (relays answer it for a task they
    accepted moments ago), other transient errors until the task's deadline."""
    job = hold.job
    if not poll_error_is_transient(error, job.poll_not_found):
        fail_job(hold, error.text)
        return
    if error.status == 404:
        with database():
            update_held(hold, poll_not_found=F("poll_not_found") + 1)
    _schedule_next_poll(hold, job.remote_status, at_least=error.retry_after or 0)


def _explain_unexpected(error: Exception) -> JobText:
    if isinstance(error, ImproperlyConfigured):
        return job_text(texts.MISCONFIGURED, detail=error)
    return job_text(texts.UNEXPECTED)
