"""The job state machine. Every status change of a job happens here, cancel included.

    queued ──claim──▶ running ──sync answer──────────────────▶ succeeded | failed
      ▲  ▲               │ async answer: remote task id saved
      │  └─no free slot──┤ then poll hops until final ──────▶ succeeded | failed (deadline)
      └─transient error──┘
    queued | running ──cancel──▶ canceled

Each hop (a submit or a poll) starts with a claim: a conditional UPDATE on the job's row (by id,
by the state the hop expects, and only once the job is due) that only one process can win. The
winner gets a lease token; every later write of the hop names that token, so a hop that lost its
job (canceled meanwhile, or its lease lapsed because the process froze) changes nothing. Times
come from the database's clock, never from a worker's.

An ending is one transaction: the job's final status, its `Image` rows and its quota settlement
stand or fall together. Result files are written just before it, under keys made from the job and
the position, and removed again when the ending is lost, so images shown equal images charged.
Cancel is an ending too: whichever ending commits first wins; results that arrive after a cancel
are discarded and the reservation is refunded.

Between polls nothing holds a worker: the job row carries `due_at`, a Celery hop is scheduled
for then, and `sweep_due_jobs` re-sends any hop that got lost.
"""

from __future__ import annotations

import base64
import binascii
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from jobs import limits, queue, quota, telemetry
from jobs import messages as texts
from jobs.concurrency import database, hop_scope, in_worker, result_memory
from jobs.dialects import get_dialect
from jobs.events import publish_job_event
from jobs.inputs import inputs_for_model
from jobs.limits import Wait
from jobs.messages import JobText, job_text
from jobs.models import ImageOrigin, Job, JobKind, JobStatus
from jobs.models.job import FINAL_STATUSES
from jobs.parameters import PARAMETERS
from jobs.partials import partial_sink
from jobs.provider_text import clean_job_fields, clean_provider_text, provider_key_of
from jobs.providers import (
    Endpoint,
    ImageRequest,
    InputImage,
    Operation,
    ProviderError,
    ProviderResult,
    ResultImage,
    TaskState,
)
from jobs.providers.deadline import HopTimeLimitExceeded
from jobs.providers.download import download_image
from jobs.providers.http import poll_error_is_transient, retry_delay, should_give_up
from jobs.storage import (
    ImageRejected,
    ResultDraft,
    discard_result_files,
    read_stored_file,
    record_result_images,
    remove_unkept_result_files,
    write_result_files,
)
from jobs.stored_texts import error_fields, note_fields, waiting_fields

logger = logging.getLogger(__name__)

# A scheduled hop may fire a little before its due time (timer rounding); it still counts as due.
EARLY_TOLERANCE_SECONDS = 0.25
POLL_GROWTH = 0.12  # the wait before the next poll, as a share of the time the task has run
DB_RETRIES = 5  # tries of an ending's transaction when the database blinks
SLOT_BACKOFF = 0.2  # a job waiting for a slot looks again after a fifth of its wait so far
MAX_SLOT_RETRY_SECONDS = 30.0
UNSEEN_FIELDS = frozenset({"sent_at", "poll_not_found"})  # changes no page shows

T = TypeVar("T")


def db_time(seconds: float = 0.0) -> ExpressionWrapper:
    """The database's clock, `seconds` from now: every lease and due time is measured on it."""
    return ExpressionWrapper(Now() + timedelta(seconds=seconds), output_field=DateTimeField())


def _lease() -> ExpressionWrapper:
    return db_time(settings.STUDIO_LEASE_SECONDS)


@dataclass(frozen=True)
class Hold:
    """A claimed job and the token that proves the claim."""

    job: Job
    token: uuid.UUID

    def owned(self) -> Q:
        return Q(pk=self.job.pk, status=JobStatus.RUNNING, lease_owner=self.token)


# --- claims -------------------------------------------------------------------------------------


def claimable_for_submit() -> Q:
    """A due queued job, or a running one whose hop died before its request left."""
    return Q(status=JobStatus.QUEUED, due_at__lte=db_time(EARLY_TOLERANCE_SECONDS)) | Q(
        status=JobStatus.RUNNING, remote_task_id="", sent_at__isnull=True, lease_until__lt=Now()
    )


def abandoned_after_sending() -> Q:
    """A running job whose hop died after its request left, before an answer was kept."""
    return Q(
        status=JobStatus.RUNNING, remote_task_id="", sent_at__isnull=False, lease_until__lt=Now()
    )


def claim_for_submit(job_id: str) -> Hold | None:
    token = uuid.uuid4()
    won = Job.objects.filter(claimable_for_submit(), pk=job_id).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        lease_until=_lease(),
        lease_owner=token,
        started_at=Coalesce(F("started_at"), Now()),
        **waiting_fields(None),
    )
    if not won:
        return None
    hold = _hold(job_id, token)
    publish_job_event(job_id, JobStatus.RUNNING, hold.job.owner_id)  # pages learn by push
    return hold


def claim_for_poll(job_id: str) -> Hold | None:
    token = uuid.uuid4()
    won = (
        Job.objects.filter(
            pk=job_id, status=JobStatus.RUNNING, due_at__lte=db_time(EARLY_TOLERANCE_SECONDS)
        )
        .exclude(remote_task_id="")
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=Now()))
        .update(lease_until=_lease(), lease_owner=token)
    )
    return _hold(job_id, token) if won else None


def _hold(job_id: str, token: uuid.UUID) -> Hold:
    return Hold(Job.objects.select_related("model__provider", "owner").get(pk=job_id), token)


def _update_held(hold: Hold, **fields) -> bool:
    """Write `fields` only while the hop still holds the job; False when it lost it.

    Every write of provider text or usage passes here, so here it is cleaned of secrets.
    """
    fields = clean_job_fields(fields, api_key=provider_key_of(hold.job))
    changed = bool(Job.objects.filter(hold.owned()).update(**fields))
    if changed and not set(fields) <= UNSEEN_FIELDS:  # after commit: the page reads the new row
        status = fields.get("status", JobStatus.RUNNING)
        transaction.on_commit(lambda: publish_job_event(hold.job.pk, status, hold.job.owner_id))
    return changed


# --- hops ---------------------------------------------------------------------------------------


def run_job(job_id: str) -> None:
    """Send a queued job to its provider (one attempt), once it has its slots."""
    if not _admitted(job_id):
        return
    with database():
        hold = claim_for_submit(job_id)
        if hold is None and Job.objects.filter(pk=job_id, status__in=FINAL_STATUSES).exists():
            _after_ending(Job.objects.select_related("model__provider").get(pk=job_id))
        if hold is None:
            _end_abandoned(job_id)
    if hold is not None:
        telemetry.job_started(hold.job)
        _run_hop(hold, _submit)


def _admitted(job_id: str) -> bool:
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
    if job is None or _unavailable_model(job):
        # An unavailable model is failed by the claimed hop; an abandoned job by run_job.
        return job is not None or Job.objects.filter(abandoned_after_sending(), pk=job_id).exists()
    wait = limits.take_slots(job, _slot_seconds(job)) or _rate_wait(job)
    if wait is None:
        return True
    delay = _slot_retry_delay(job, wait)
    with database():
        still_waiting = Job.objects.filter(
            pk=job.pk, status=JobStatus.QUEUED, due_at__lte=db_time(EARLY_TOLERANCE_SECONDS)
        ).update(due_at=db_time(delay), **waiting_fields(wait.reason))
    if still_waiting:
        publish_job_event(job.pk, JobStatus.QUEUED, job.owner_id)  # its page shows the wait
        queue.send_run(job.pk, countdown=delay)
    return False


def _slot_retry_delay(job: Job, wait: Wait) -> float:
    """Look again soon while the wait is young, less often as it grows (a person's batch of a
    thousand jobs must not become a thousand claims every two seconds), with a little jitter."""
    waited = max((timezone.now() - job.created_at).total_seconds(), 0.0)
    delay = min(max(wait.seconds, SLOT_BACKOFF * waited), MAX_SLOT_RETRY_SECONDS)
    return delay + random.uniform(0, delay / 4)  # noqa: S311 (spreading, not secrecy)


def poll_job(job_id: str) -> None:
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
    unavailable = _unavailable_model(job)
    if unavailable:
        fail_job(hold, unavailable)
        return
    with database():
        sources = list(job.source_images.order_by("created_at"))
        if not _update_held(hold, sent_at=Now()):
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


def _unavailable_model(job: Job) -> JobText | None:
    """Why the job's model cannot be used any more (an admin removed or disabled it), or None."""
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


def _remember_remote_task(hold: Hold, result: ProviderResult) -> None:
    job = hold.job
    deadline = job.provider_model().capabilities().poll_deadline_seconds
    # The task id is written before anything else can happen: from here on the job is only polled.
    with database():
        _update_held(
            hold,
            remote_task_id=result.task_id,
            remote_status=result.remote_status,  # cut after redaction (clean_job_fields)
            deadline_at=db_time(deadline),
            usage=result.usage or job.usage,
        )
    job.remote_status, job.poll_count = result.remote_status, 0
    _schedule_next_poll(hold, result.remote_status)


def next_poll_delay(job: Job) -> float:
    """Polls come often while a task is young and spread out as it runs long."""
    running_for = job.poll_count * settings.STUDIO_POLL_MIN_SECONDS
    if job.deadline_at:
        deadline = job.model.capabilities().poll_deadline_seconds if job.model else 0
        running_for = max(deadline - (job.deadline_at - timezone.now()).total_seconds(), 0)
    delay = POLL_GROWTH * running_for
    return min(max(delay, settings.STUDIO_POLL_MIN_SECONDS), settings.STUDIO_POLL_MAX_SECONDS)


def _schedule_next_poll(
    hold: Hold, remote_status: str, at_least: float = 0.0, *, counts: bool = True
) -> None:
    with database():
        hold.job.refresh_from_db(fields=["deadline_at", "poll_count"])
        delay = max(next_poll_delay(hold.job), at_least)
        released = _update_held(
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
        requeued = _update_held(
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
            _update_held(hold, poll_not_found=F("poll_not_found") + 1)
    _schedule_next_poll(hold, job.remote_status, at_least=error.retry_after or 0)


# --- endings ------------------------------------------------------------------------------------


def finish_job(hold: Hold, result: ProviderResult) -> None:
    """Store what the provider produced and end the job, or discard it if the job was lost."""
    job = hold.job
    if result.state == TaskState.FAILED:
        message = result.message or job_text(texts.TASK_FAILED)
        fail_job(hold, message, result.usage)
        return
    with result_memory():
        drafts, problems = _prepare_results(job, result.images)
    if not drafts:
        reason = problems or job_text(texts.EMPTY_ANSWER)
        fail_job(hold, job_text(texts.NO_USABLE_IMAGE, problems=reason), result.usage)
        return
    note: JobText | None = None
    if len(drafts) < job.n:
        note = job_text(texts.FEWER_IMAGES, stored=len(drafts), asked=job.n)
        if problems:
            note = job_text(
                texts.FEWER_IMAGES_BECAUSE,
                stored=len(drafts),
                asked=job.n,
                problems=problems,
            )
    try:
        ended = _with_db_retries(
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
        ended = _update_held(
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
        record_result_images(job, drafts, sources=_sources(job), origin=_origin(job))
        quota.settle_quota(job)
        transaction.on_commit(lambda: _after_ending(job))
    return True


def fail_job(hold: Hold, message: JobText, usage: dict | None = None) -> None:
    job = hold.job

    def end() -> None:
        with database(), transaction.atomic():
            ended = _update_held(
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
                transaction.on_commit(lambda: _after_ending(job))

    _with_db_retries(end)


def _end_abandoned(job_id: str) -> None:
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
            job = Job.objects.select_related("model__provider").get(pk=job_id)
            quota.refund_quota(job)
            transaction.on_commit(lambda: _after_ending(job))


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
            job = Job.objects.select_related("model__provider").get(pk=job_id)
            quota.refund_quota(job)
            transaction.on_commit(lambda: _after_ending(job))
    return bool(canceled)


def _after_ending(job: Job) -> None:
    """After an ending commits: tell its pages, log and count it, free its slots, remove the
    files no row kept."""
    job.refresh_from_db(
        fields=["status", "started_at", "finished_at", "poll_count", "attempts", "remote_task_id"]
    )
    publish_job_event(job.pk, job.status, job.owner_id)
    telemetry.job_ended(job)
    try:
        limits.release_slots(job)
    except Exception:  # Redis away: the slots expire on their own
        logger.warning("Job %s: could not release its slots", job.pk, exc_info=True)
    remove_unkept_result_files(job)


def _with_db_retries(write: Callable[[], T]) -> T:
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


FROM_SOURCES = (JobKind.EDIT, JobKind.VARIATION)  # the kinds whose images derive from sources


def _origin(job: Job) -> ImageOrigin:
    return ImageOrigin.EDITED if job.kind in FROM_SOURCES else ImageOrigin.GENERATED


def _sources(job: Job) -> list:
    return list(job.source_images.all()) if job.kind in FROM_SOURCES else []


def _prepare_results(
    job: Job, results: tuple[ResultImage, ...]
) -> tuple[list[ResultDraft], list[JobText]]:
    """Fetch, verify and write each result's files; no database work happens here."""
    drafts, problems = [], []
    for index, item in enumerate(results[: job.n]):
        try:
            data = _result_bytes(job, item)
            revised = clean_provider_text(item.revised_prompt, api_key=provider_key_of(job))
            drafts.append(write_result_files(job, index, data, revised_prompt=revised))
        except (ProviderError, ImageRejected) as error:
            problems.append(job_text(texts.IMAGE_PROBLEM, index=index + 1, error=error.text))
        except BaseException:
            discard_result_files(drafts)
            raise
    return drafts, problems


def _result_bytes(job: Job, item: ResultImage) -> bytes:
    limit = settings.STUDIO_RESULT_MAX_BYTES
    if item.error:
        raise ProviderError(item.error, permanent=True)
    if item.b64_json:
        # Base64 is 4 characters for 3 bytes: refuse an oversized one before decoding it.
        if len(item.b64_json) > limit * 4 // 3 + 4:
            raise ProviderError(job_text(texts.TOO_LARGE_MIB, size=limit // 2**20), permanent=True)
        try:
            return base64.b64decode(item.b64_json, validate=False)
        except (binascii.Error, ValueError) as error:
            raise ProviderError(job_text(texts.BAD_BASE64), permanent=True) from error
    if item.url:
        return download_image(
            item.url,
            provider_base_url=job.provider_model().provider.base_url,
            max_bytes=limit,
            timeout=settings.STUDIO_DOWNLOAD_SECONDS,
        )
    raise ProviderError(job_text(texts.NO_URL_NOR_DATA), permanent=True)


def _explain_unexpected(error: Exception) -> JobText:
    if isinstance(error, ImproperlyConfigured):
        return job_text(texts.MISCONFIGURED, detail=error)
    return job_text(texts.UNEXPECTED)


# --- the request --------------------------------------------------------------------------------


OPERATIONS: dict[JobKind, Operation] = {
    JobKind.GENERATE: "generate",
    JobKind.EDIT: "edit",
    JobKind.VARIATION: "variation",
}


def build_request(job: Job, sources: list | None = None) -> ImageRequest:
    """The provider request for `job`; `sources` are its source images, oldest first."""
    if sources is None:
        sources = list(job.source_images.order_by("created_at"))
    params = {
        parameter.name: job.params[parameter.name]
        for parameter in PARAMETERS
        if job.params.get(parameter.name) not in (None, "")
    }
    images = tuple(
        InputImage(
            read_stored_file(image.file.name),
            f"image-{i}.{image.format.lower()}",
            image.content_type,
        )
        for i, image in enumerate(sources)
    )
    mask = (
        InputImage(read_stored_file(job.mask.name), "mask.png", "image/png") if job.mask else None
    )
    images, mask = inputs_for_model(job.provider_model().capabilities(), images, mask)
    return ImageRequest(
        model=job.model_name,
        response_format=job.provider_model().capabilities().default_response_format,
        prompt=job.prompt,
        operation=OPERATIONS[JobKind(job.kind)],
        n=job.n,
        images=images,
        mask=mask,
        user=f"studio-user-{job.owner_id}",
        # issue 11: partial images go to the job page (via Redis), never to storage or the ledger
        on_partial=partial_sink(job.pk, job.owner_id) if params.get("partial_images") else None,
        params=params,
    )


# --- recovery -----------------------------------------------------------------------------------


def sweep_due_jobs() -> int:
    """Re-send the hop of every job that is overdue and held by nobody. Returns how many.

    Safe to run twice at once (two beats): each job's re-send is claimed by a conditional update.
    """
    grace = timedelta(seconds=settings.STUDIO_SWEEP_GRACE_SECONDS)  # how late a hop may be
    overdue_by_now = ExpressionWrapper(Now() - grace, output_field=DateTimeField())
    overdue = (
        Job.objects.filter(
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING], due_at__lte=overdue_by_now
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=Now()))
        .values_list("pk", "remote_task_id")[:500]
    )
    sent = 0
    for pk, remote_task_id in overdue:
        # Move due_at first: the next sweep sends this hop again only after another grace period,
        # so a busy worker is not flooded with copies of the same hop. The claim asks "still
        # overdue?", not "due_at unchanged?": SQLite keeps Now() with fewer digits than the
        # datetime it reads back, so an equality never matched there and nothing was re-sent.
        if not Job.objects.filter(pk=pk, due_at__lte=overdue_by_now).update(due_at=Now()):
            continue
        if remote_task_id:
            queue.send_poll(pk, countdown=0)
        else:
            queue.send_run(pk, countdown=0)
        sent += 1
    return sent
