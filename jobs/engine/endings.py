"""Endings: succeeded, failed, abandoned, canceled. Each is one transaction, tried again when the
database blinks; whichever ending commits first wins.

A success records the job's final status, its `Image` rows and its quota settlement together;
the result files were written just before (results.py) and are removed again when the ending is
lost, so images shown equal images charged. After an ending commits, `after_ending` tells the
pages, counts it, frees its slots, removes unkept files and, for a success, sends the engine's
hook (hooks.job_succeeded).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models.functions import Now

from jobs import limits, quota, telemetry
from jobs import messages as texts
from jobs.concurrency import database, in_worker, result_memory
from jobs.engine.claims import Hold, abandoned_after_sending, update_held
from jobs.engine.hooks import announce_success
from jobs.engine.results import origin, prepare_results, shortfall_note, sources
from jobs.events import publish_job_event
from jobs.messages import JobText, job_text
from jobs.models import Job, JobStatus
from jobs.providers import ProviderResult, TaskState
from jobs.storage import (
    ResultDraft,
    discard_result_files,
    record_result_images,
    remove_unkept_result_files,
)
from jobs.stored_texts import error_fields, note_fields, waiting_fields

logger = logging.getLogger(__name__)

DB_RETRIES = 5  # tries of an ending's transaction when the database blinks

T = TypeVar("T")


def finish_job(hold: Hold, result: ProviderResult) -> None:
    """Store what the provider produced and end the job, or discard it if the job was lost."""
    job = hold.job
    if result.state == TaskState.FAILED:
        message = result.message or job_text(texts.TASK_FAILED)
        fail_job(hold, message, result.usage)
        return
    with result_memory():
        drafts, problems = prepare_results(job, result.images)
    if not drafts:
        reason = problems or job_text(texts.EMPTY_ANSWER)
        fail_job(hold, job_text(texts.NO_USABLE_IMAGE, problems=reason), result.usage)
        return
    note = shortfall_note(job, drafts, problems)
    try:
        ended = with_db_retries(
            lambda: _end_succeeded(hold, drafts, note, result.usage, result.remote_status)
        )
    except BaseException:
        discard_result_files(drafts)
        raise
    if not ended:
        discard_result_files(drafts)  # canceled meanwhile, or the lease was lost: keep nothing


def _end_succeeded(
    hold: Hold, drafts: list[ResultDraft], note: JobText | None, usage: dict, remote_status: str
) -> bool:
    job = hold.job
    with database(), transaction.atomic():
        ended = update_held(
            hold,
            status=JobStatus.SUCCEEDED,
            finished_at=Now(),
            lease_until=None,
            lease_owner=None,
            images_produced=len(drafts),
            usage=usage or job.usage,
            **note_fields(note),
            remote_status=remote_status,
            **waiting_fields(None),
        )
        if not ended:
            return False
        job.status, job.images_produced = JobStatus.SUCCEEDED, len(drafts)
        record_result_images(job, drafts, sources=sources(job), origin=origin(job))
        quota.settle_quota(job)
        transaction.on_commit(lambda: after_ending(job))
    return True


def fail_job(hold: Hold, message: JobText, usage: dict | None = None) -> None:
    job = hold.job

    def end() -> None:
        with database(), transaction.atomic():
            ended = update_held(
                hold,
                status=JobStatus.FAILED,
                **error_fields(message),
                finished_at=Now(),
                lease_until=None,
                lease_owner=None,
                usage=usage or job.usage,
                **waiting_fields(None),
            )
            if ended:
                job.status = JobStatus.FAILED
                quota.refund_quota(job)
                transaction.on_commit(lambda: after_ending(job))

    with_db_retries(end)


def end_abandoned(job_id: str | uuid.UUID) -> None:
    """End a job whose hop died after sending its request: Failed and refunded, never re-sent."""
    with transaction.atomic():
        ended = Job.objects.filter(abandoned_after_sending(), pk=job_id).update(
            status=JobStatus.FAILED,
            **error_fields(job_text(texts.ABANDONED_AFTER_SEND)),
            finished_at=Now(),
            lease_until=None,
            lease_owner=None,
        )
        if ended:
            _refund_and_announce(job_id)


def cancel_job(job_id: str | uuid.UUID) -> bool:
    """End a queued or running job as canceled and refund it. False when it had already ended.

    A hop still working on the job loses its next write and discards what it stored.
    """
    with database(), transaction.atomic():
        canceled = Job.objects.filter(
            pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).update(
            status=JobStatus.CANCELED,
            finished_at=Now(),
            lease_until=None,
            lease_owner=None,
            **waiting_fields(None),
        )
        if canceled:
            _refund_and_announce(job_id)
    return bool(canceled)


def _refund_and_announce(job_id: str | uuid.UUID) -> None:
    """Inside an ending without images (abandoned, canceled): refund the job's reservation, and
    do the after-ending work once the ending commits."""
    job = Job.objects.select_related("model__provider").get(pk=job_id)
    quota.refund_quota(job)
    transaction.on_commit(lambda: after_ending(job))


def after_ending(job: Job) -> None:
    """After an ending commits: the hook for a success (its images are filed before the pages
    hear of it), then tell its pages, log and count it, free its slots, remove the files no
    row kept."""
    job.refresh_from_db(
        fields=["status", "started_at", "finished_at", "poll_count", "attempts", "remote_task_id"]
    )
    if job.status == JobStatus.SUCCEEDED:
        announce_success(job)
    publish_job_event(job.pk, job.status, job.owner_id)
    telemetry.job_ended(job)
    try:
        limits.release_slots(job)
    except Exception:  # Redis away: the slots expire on their own
        logger.warning("Job %s: could not release its slots", job.pk, exc_info=True)
    remove_unkept_result_files(job)


def with_db_retries(write: Callable[[], T]) -> T:
    """Run an ending's transaction again when the database blinks (a restart, a dropped link)."""
    for attempt in range(1, DB_RETRIES + 1):
        try:
            return write()
        except IntegrityError:
            raise
        except DatabaseError:
            if attempt == DB_RETRIES:
                raise
            logger.warning("Database error while ending a job; trying again", exc_info=True)
            if in_worker():
                connection.close()
            time.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")
