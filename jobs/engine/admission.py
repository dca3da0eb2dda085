"""Admission: before a queued job is claimed it takes its slots (provider, model, person) and a
request from its provider's rate (jobs.limits). A job that must wait is left queued, never flips
to running, and shows the reason on its page; it looks again after `retry.slot_retry_delay`.
"""

from __future__ import annotations

import uuid

from jobs import limits
from jobs import messages as texts
from jobs.concurrency import database
from jobs.engine import queue
from jobs.engine.claims import (
    EARLY_TOLERANCE_SECONDS,
    abandoned_after_sending,
    claimable_for_submit,
    db_time,
)
from jobs.engine.retry import slot_retry_delay
from jobs.events import publish_job_event
from jobs.limits import Wait
from jobs.messages import JobText, job_text
from jobs.models import Job, JobStatus
from jobs.providers import Endpoint
from jobs.stored_texts import waiting_fields


def admitted(job_id: str | uuid.UUID) -> bool:
    """Take the job's slots and a request from its provider's rate before claiming it.

    A job that must wait is left queued (never flips to running) with the reason on its page.
    Slots are held by the job's id, so taking them again (a stray message) changes nothing.
    """
    with database():
        job = (
            Job.objects.filter(claimable_for_submit(), pk=job_id)
            .select_related("model__provider")
            .first()
        )
    if job is None or unavailable_model(job):
        # An unavailable model is failed by the claimed hop; an abandoned job by run_job.
        return job is not None or Job.objects.filter(abandoned_after_sending(), pk=job_id).exists()
    wait = limits.take_slots(job, _slot_seconds(job)) or _rate_wait(job)
    if wait is None:
        return True
    delay = slot_retry_delay(job, wait)
    with database():
        still_waiting = Job.objects.filter(
            pk=job.pk, status=JobStatus.QUEUED, due_at__lte=db_time(EARLY_TOLERANCE_SECONDS)
        ).update(due_at=db_time(delay), **waiting_fields(wait.reason))
    if still_waiting:
        publish_job_event(job.pk, JobStatus.QUEUED, job.owner_id)  # its page shows the wait
        queue.send_run(job.pk, countdown=delay)
    return False


def unavailable_model(job: Job) -> JobText | None:
    """Why the job's model cannot be used any more (an admin removed or disabled it), or ""."""
    if job.model is None:
        return job_text(texts.MODEL_REMOVED, model=job.model_name)
    if not (job.model.enabled and job.model.provider.enabled):
        return job_text(texts.MODEL_DISABLED, model=job.model_name, provider=job.provider_name)
    return None


def _slot_seconds(job: Job) -> float:
    """How long a slot may stay held without its job ending (a safety net for lost endings)."""
    caps = job.provider_model().capabilities()
    return max(caps.poll_deadline_seconds, Endpoint.read_timeout) + 120


def _rate_wait(job: Job) -> Wait | None:
    seconds = limits.take_request(job)
    reason = job_text(texts.WAIT_RATE, provider=job.provider_name)
    return Wait(seconds, reason) if seconds else None
