"""What the web asks of the engine: make the jobs of an allowed request, cancel, repeat, delete.

The engine decides nothing about people here. Whether a person may make a request (their team
role, the workspace's models, the batch's size, a comparison's shape) is the web's to say
(studio/submit.py), before it calls these; the one check made here is the quota, reserved in the
same transaction as the rows so two submits cannot both pass a limit only one fits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.functions import Now

from jobs import engine, limits, quota
from jobs.engine import queue
from jobs.models import Batch, BatchKind, Image, Job, JobKind, ProviderModel
from jobs.models.job import FINAL_STATUSES

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class JobSpec:
    """A request the web has already allowed, validated against the model's capabilities.

    `team`, `collection` and `api_token` are rows of the web app's models (Team, Collection,
    ApiToken), which the job's foreign keys name; the engine stores them and reads nothing else.
    """

    owner: User
    model: ProviderModel
    prompt: str
    n: int = 1
    kind: str = JobKind.GENERATE
    params: dict = field(default_factory=dict)
    team: Model | None = None
    source_images: Sequence[Image] = ()
    mask_png: bytes | None = None
    api_token: Model | None = None  # when the request came through the API
    # Where the results also land: a collection of `team`, or the owner's own in no team.
    collection: Model | None = None


def create_job(spec: JobSpec) -> Job:
    """Create the job, reserve its quota and queue it, all or nothing.

    Raises quota.QuotaExceeded when it does not fit the budget; nothing is created then.
    """
    credits = spec.model.estimate_credits(spec.n, spec.params)
    mask_name = ""
    try:
        with transaction.atomic():
            if spec.mask_png:
                mask_name = default_storage.save("masks/mask.png", ContentFile(spec.mask_png))
            job = _create_job(spec, credits, mask_name=mask_name)
            quota.reserve_quota(job=job)
            transaction.on_commit(lambda: queue.send_run_after_commit(job.pk))
    except BaseException:
        if mask_name:
            default_storage.delete(mask_name)
        raise
    return job


def create_batch(spec: JobSpec, prompts: Sequence[str]) -> Batch:
    """One job per prompt, each with the spec's settings, reserved as one request: the whole batch
    fits the quota or nothing is created (raises QuotaExceeded).

    Its whole cost (every prompt's n images and credits) is weighed before a row is written, so
    an oversized batch costs one refusal, not thousands of rolled-back inserts.
    """
    if not prompts:
        raise ValueError("A batch needs at least one prompt.")
    credits = spec.model.estimate_credits(spec.n, spec.params)
    with transaction.atomic():
        # The lock taken here holds until the reservation below, in this same transaction.
        quota.check_quota_fits(
            user=spec.owner,
            team=spec.team,
            images=spec.n * len(prompts),
            credits=credits * len(prompts),
        )
        batch = Batch.objects.create(owner=spec.owner)
        jobs = [
            _create_job(dataclasses.replace(spec, prompt=prompt), credits, batch=batch)
            for prompt in prompts
        ]
        quota.reserve_quota_for_batch(jobs)
        transaction.on_commit(lambda: _send_all(jobs))
    return batch


def create_comparison(specs: Sequence[JobSpec]) -> Batch:
    """One job per spec (each its own model and options, all one prompt), in one batch of kind
    "compare", reserved as one request: all of it fits the quota or nothing is created."""
    with transaction.atomic():
        batch = Batch.objects.create(owner=specs[0].owner, kind=BatchKind.COMPARE)
        jobs = [
            _create_job(spec, spec.model.estimate_credits(spec.n, spec.params), batch=batch)
            for spec in specs
        ]
        quota.reserve_quota_for_batch(jobs)
        transaction.on_commit(lambda: _send_all(jobs))
    return batch


def batch_limit(owner: User) -> int:
    """How many prompts the person's batch may have, and unfinished jobs it may leave them."""
    return limits.batch_limit_for(owner.pk)


def _send_all(jobs: Sequence[Job]) -> None:
    for job in jobs:
        queue.send_run_after_commit(job.pk)


def _create_job(spec: JobSpec, credits: int, *, mask_name: str = "", batch=None) -> Job:
    # Rows of the web app's models: typed as any model row here (see JobSpec), so they are passed
    # as keywords the type checker does not match against the foreign keys' own model types.
    web_rows: dict[str, Any] = {
        "team": spec.team,
        "api_token": spec.api_token,
        "collection": spec.collection,
    }
    job = Job.objects.create(
        owner=spec.owner,
        model=spec.model,
        provider_name=spec.model.provider.name,
        model_name=spec.model.name,
        kind=spec.kind,
        prompt=spec.prompt,
        params=spec.params,
        n=spec.n,
        mask=mask_name,
        credits_reserved=credits,
        due_at=Now(),
        batch=batch,
        **web_rows,
    )
    if spec.source_images:  # .set([]) still costs a query on every generate
        job.source_images.set(spec.source_images)
    return job


def cancel_unfinished(jobs: Sequence[Job]) -> int:
    """Cancel every job of a batch that has not finished yet; returns how many were stopped."""
    return sum(cancel_job(job) for job in jobs)


def cancel_job(job: Job) -> bool:
    """Stop a queued or running job; its reserved quota is returned. False when already final.

    Results that arrive after the cancel are discarded (see the engine's docstring, jobs/engine).
    """
    canceled = engine.cancel_job(job.pk)
    job.refresh_from_db()
    return canceled


def repeat_spec(job: Job) -> JobSpec:
    """The request that made `job`, to submit again: its model, prompt, options, workspace, source
    images, mask and collection. The web checks it as a new request before it goes anywhere."""
    if job.model is None or job.owner is None:
        raise ValueError("A job whose model or owner is gone cannot be repeated.")
    mask_png = None
    if job.mask:
        with default_storage.open(job.mask.name, "rb") as handle:
            mask_png = handle.read()
    return JobSpec(
        owner=job.owner,
        model=job.model,
        prompt=job.prompt,
        n=job.n,
        kind=job.kind,
        params=dict(job.params),
        team=job.team,
        source_images=list(job.source_images.all()),
        mask_png=mask_png,
        collection=job.collection,
    )


def delete_jobs(jobs: QuerySet[Job]) -> int:
    """Delete jobs for good; unfinished ones end through `cancel_job` first, so their quota comes
    back and their limit slots are free at once rather than when they expire. Returns how many.

    The cancel's after-commit work (events, slots, files) reads the job's row, so the rows of the
    jobs canceled here go right after it; the others go now. Inside a caller's transaction, all of
    it waits for that transaction, and a rollback keeps every job as it was.
    """
    with transaction.atomic():
        unfinished = jobs.exclude(status__in=FINAL_STATUSES).values_list("pk", flat=True)
        canceled = [pk for pk in list(unfinished) if engine.cancel_job(pk)]
        _, deleted = jobs.exclude(pk__in=canceled).delete()
        if canceled:
            transaction.on_commit(lambda: Job.objects.filter(pk__in=canceled).delete())
    return len(canceled) + deleted.get(Job._meta.label, 0)


def discard_images(images: Sequence[Image]) -> None:
    """Remove images stored moments ago for a request that did not go ahead: rows and files."""
    for image in images:
        names = [image.file.name, image.thumbnail.name]
        image.delete()
        for name in names:
            if name:
                default_storage.delete(name)
