"""The job state machine. Every status change of a running job happens here.

    queued ──claim──▶ running ──sync answer──────────────▶ succeeded | failed
      ▲                  │ async answer: remote task id saved
      └─transient error──┘ then poll hops until final ──▶ succeeded | failed (deadline)
    queued | running ──cancel──▶ canceled

Each step starts with a claim: a conditional UPDATE on the job's row (filter by id AND the state
the step expects) that only one process can win. A second delivery of the same message loses the
claim and does nothing. Between polls nothing holds a worker: the job row carries `due_at`, a
Celery hop is scheduled for then, and `sweep_due_jobs` re-sends any hop that got lost.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from jobs import queue, quota
from jobs.models import ImageOrigin, Job, JobKind, JobStatus
from jobs.providers import (
    ImageRequest,
    InputImage,
    ProviderError,
    ProviderResult,
    ResultImage,
    TaskState,
    get_dialect,
)
from jobs.providers.download import download_image
from jobs.providers.http import retry_delay
from jobs.storage import ImageRejected, read_stored_file, store_image

logger = logging.getLogger(__name__)

SUBMIT_LEASE = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
POLL_LEASE = timedelta(seconds=45)
SWEEP_GRACE = timedelta(seconds=10)  # how late a hop may be before the sweep sends another
FIRST_POLL_SECONDS = 2.0
MAX_POLL_SECONDS = 10.0
POLL_GROWTH = 1.25


# --- claims -------------------------------------------------------------------------------------


def claim_for_submit(job_id: str) -> Job | None:
    """Take a queued job (or a running one whose worker died before it got a task id)."""
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, remote_task_id="", lease_until__lt=now
    )
    won = Job.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        lease_until=now + SUBMIT_LEASE,
        started_at=now,
    )
    return Job.objects.select_related("model__provider").get(pk=job_id) if won else None


def claim_for_poll(job_id: str) -> Job | None:
    now = timezone.now()
    won = (
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING)
        .exclude(remote_task_id="")
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(due_at__lte=now + timedelta(seconds=1))
        .update(lease_until=now + POLL_LEASE)
    )
    return Job.objects.select_related("model__provider").get(pk=job_id) if won else None


def _update_if_running(job: Job, **fields) -> bool:
    """Write `fields` only while the job is still ours to change (nobody canceled it meanwhile)."""
    for name, value in fields.items():
        setattr(job, name, value)
    return bool(Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields))


# --- steps --------------------------------------------------------------------------------------


def run_job(job_id: str) -> None:
    """Send a queued job to its provider."""
    job = claim_for_submit(job_id)
    if job is None:
        return
    unavailable = _unavailable_model(job)
    if unavailable:
        fail_job(job, unavailable)
        return
    try:
        request = build_request(job)
        dialect = get_dialect(job.model.dialect)
        result = dialect.submit(job.model.endpoint(), request)
    except ProviderError as error:
        _after_provider_error(job, error)
        return
    except SoftTimeLimitExceeded:
        limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
        fail_job(job, f"The provider did not answer within {limit} seconds.")
        return
    except Exception as error:  # a bug or bad configuration must end the job, not leave it stuck
        logger.exception("Job %s could not be submitted", job.pk)
        fail_job(job, _explain_unexpected(error))
        return
    if result.task_id and result.state == TaskState.RUNNING:
        _remember_remote_task(job, result)
    else:
        finish_job(job, result)


def poll_job(job_id: str) -> None:
    """Ask the provider about a job's remote task once, then schedule the next hop."""
    job = claim_for_poll(job_id)
    if job is None:
        return
    if job.model is None:
        fail_job(job, f"The model {job.model_name} was removed by an administrator.")
        return
    if job.deadline_at and timezone.now() >= job.deadline_at:
        minutes = round((job.deadline_at - job.started_at).total_seconds() / 60, 1)
        fail_job(job, f"The provider did not finish the task within {minutes:g} minutes.")
        return
    try:
        result = get_dialect(job.model.dialect).poll(job.model.endpoint(), job.remote_task_id)
    except ProviderError as error:
        if error.permanent:
            fail_job(job, error.message)
        else:
            _schedule_next_poll(job, job.remote_status, max(error.retry_after or 0, 0))
        return
    except Exception as error:
        logger.exception("Job %s could not be polled", job.pk)
        fail_job(job, _explain_unexpected(error))
        return
    if result.state == TaskState.RUNNING:
        _schedule_next_poll(job, result.remote_status)
    else:
        finish_job(job, result)


def _unavailable_model(job: Job) -> str:
    """Why the job's model cannot be used any more (an admin removed or disabled it), or ""."""
    if job.model is None:
        return f"The model {job.model_name} was removed by an administrator."
    if not (job.model.enabled and job.model.provider.enabled):
        return f"The model {job.model_name} of {job.provider_name} is disabled by an administrator."
    return ""


def _remember_remote_task(job: Job, result: ProviderResult) -> None:
    deadline = timezone.now() + timedelta(seconds=job.model.capabilities().poll_deadline_seconds)
    # The task id is written before anything else can happen: from here on the job is only polled.
    _update_if_running(
        job,
        remote_task_id=result.task_id,
        remote_status=result.remote_status,
        deadline_at=deadline,
        usage=result.usage or job.usage,
    )
    _schedule_next_poll(job, result.remote_status)


def _schedule_next_poll(job: Job, remote_status: str, at_least: float = 0.0) -> None:
    delay = max(min(FIRST_POLL_SECONDS * POLL_GROWTH**job.poll_count, MAX_POLL_SECONDS), at_least)
    due = timezone.now() + timedelta(seconds=delay)
    if _update_if_running(
        job,
        due_at=due,
        lease_until=None,
        remote_status=remote_status[:50],
        poll_count=job.poll_count + 1,
    ):
        queue.send_poll(job.pk, countdown=delay)


def _after_provider_error(job: Job, error: ProviderError) -> None:
    if error.permanent:
        fail_job(job, error.message)
        return
    if job.attempts >= settings.STUDIO_MAX_ATTEMPTS:
        fail_job(job, f"{error.message} (gave up after {job.attempts} attempts)")
        return
    delay = retry_delay(job.attempts, error)
    retry_at = timezone.now() + timedelta(seconds=delay)
    note = f"Attempt {job.attempts} failed ({error.message}); trying again."
    if _update_if_running(
        job, status=JobStatus.QUEUED, due_at=retry_at, lease_until=None, note=note
    ):
        queue.send_run(job.pk, countdown=delay)


# --- endings ------------------------------------------------------------------------------------


def finish_job(job: Job, result: ProviderResult) -> None:
    """Store what the provider produced and end the job."""
    if result.state == TaskState.FAILED:
        fail_job(job, result.message or "The provider reported that the task failed.", result.usage)
        return
    stored, problems = _store_results(job, result.images)
    if not stored:
        reason = "; ".join(problems) or "the answer held no image"
        fail_job(job, f"The provider returned no usable image: {reason}.", result.usage)
        return
    note = ""
    if len(stored) < job.n:
        note = f"{len(stored)} of {job.n} images came back."
        if problems:
            note += " " + "; ".join(problems)
    with transaction.atomic():  # the ending and its settlement stand or fall together
        ended = _update_if_running(
            job,
            status=JobStatus.SUCCEEDED,
            finished_at=timezone.now(),
            lease_until=None,
            images_produced=len(stored),
            usage=result.usage or job.usage,
            note=note,
            remote_status=result.remote_status[:50],
        )
        if ended:
            quota.settle_quota(job)


def fail_job(job: Job, message: str, usage: dict | None = None) -> None:
    with transaction.atomic():
        ended = _update_if_running(
            job,
            status=JobStatus.FAILED,
            error_message=message,
            finished_at=timezone.now(),
            lease_until=None,
            usage=usage or job.usage,
        )
        if ended:
            quota.refund_quota(job)


def _store_results(job: Job, results: tuple[ResultImage, ...]) -> tuple[list, list[str]]:
    stored, problems = [], []
    sources = list(job.source_images.all()) if job.kind == JobKind.EDIT else []
    origin = ImageOrigin.EDITED if job.kind == JobKind.EDIT else ImageOrigin.GENERATED
    for index, item in enumerate(results[: job.n]):
        try:
            data = _result_bytes(job, item)
            image = store_image(
                data,
                owner=job.owner,
                team=job.team,
                job=job,
                index=index,
                origin=origin,
                sources=sources,
                revised_prompt=item.revised_prompt or "",
            )
        except (ProviderError, ImageRejected) as error:
            problems.append(f"image {index + 1}: {error}")
            continue
        stored.append(image)
    return stored, problems


def _result_bytes(job: Job, item: ResultImage) -> bytes:
    if item.error:
        raise ProviderError(item.error, permanent=True)
    if item.b64_json:
        try:
            return base64.b64decode(item.b64_json, validate=False)
        except (binascii.Error, ValueError) as error:
            raise ProviderError("the image data was not valid base64", permanent=True) from error
    if item.url:
        return download_image(
            item.url,
            provider_base_url=job.model.provider.base_url,
            max_bytes=settings.STUDIO_RESULT_MAX_BYTES,
        )
    raise ProviderError("the answer held neither a URL nor image data", permanent=True)


def _explain_unexpected(error: Exception) -> str:
    from django.core.exceptions import ImproperlyConfigured

    if isinstance(error, ImproperlyConfigured):
        return f"The provider is not configured correctly: {error}. Ask an administrator."
    return "Something went wrong inside the studio while running this job; it has been logged."


# --- the request --------------------------------------------------------------------------------

_PARAM_FIELDS = (
    "size",
    "quality",
    "aspect_ratio",
    "resolution",
    "background",
    "output_format",
    "output_compression",
    "moderation",
    "input_fidelity",
)


def build_request(job: Job) -> ImageRequest:
    params = {
        name: job.params.get(name)
        for name in _PARAM_FIELDS
        if job.params.get(name) not in (None, "")
    }
    images = tuple(
        InputImage(
            read_stored_file(image.file.name),
            f"image-{i}.{image.format.lower()}",
            image.content_type,
        )
        for i, image in enumerate(job.source_images.order_by("created_at"))
    )
    mask = (
        InputImage(read_stored_file(job.mask.name), "mask.png", "image/png") if job.mask else None
    )
    return ImageRequest(
        model=job.model_name,
        response_format=job.model.capabilities().default_response_format,
        prompt=job.prompt,
        operation=job.kind,
        n=job.n,
        images=images,
        mask=mask,
        user=f"studio-user-{job.owner_id}",
        **params,
    )


# --- recovery -----------------------------------------------------------------------------------


def sweep_due_jobs() -> int:
    """Re-send the hop of every job that is overdue and held by nobody. Returns how many."""
    now = timezone.now()
    overdue = (
        Job.objects.filter(
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING], due_at__lte=now - SWEEP_GRACE
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("pk", "status", "remote_task_id", "due_at")[:500]
    )
    sent = 0
    for pk, _status, remote_task_id, due_at in overdue:
        # Reset due_at first: the next sweep sends this hop again only after another grace period,
        # so a busy worker is not flooded with copies of the same hop.
        if not Job.objects.filter(pk=pk, due_at=due_at).update(due_at=now):
            continue
        if remote_task_id:
            queue.send_poll(pk, countdown=0)
        else:
            queue.send_run(pk, countdown=0)
        sent += 1
    return sent
