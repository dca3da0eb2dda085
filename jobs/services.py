"""What the studio asks of the engine: submit, cancel, retry.

Views call these and nothing deeper.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from jobs import queue, quota
from jobs.capabilities import credits_for
from jobs.inputs import EditInputs
from jobs.models import Image, ImageOrigin, Job, JobKind, JobStatus, ProviderModel
from jobs.storage import store_image


@dataclass
class JobSpec:
    """What a person asked for, already validated against the model's capabilities."""

    owner: object
    model: ProviderModel
    prompt: str
    n: int = 1
    kind: str = JobKind.GENERATE
    params: dict = field(default_factory=dict)
    team: object | None = None
    source_images: Sequence[Image] = ()
    mask_png: bytes | None = None


def submit_job(spec: JobSpec) -> Job:
    """Create the job, reserve its quota and queue it, all or nothing.

    Raises quota.QuotaExceeded (nothing is created) when the request does not fit the budget.
    """
    caps = spec.model.capabilities()
    credits = credits_for(caps, spec.n, spec.params.get("size"), spec.params.get("quality"))
    mask_name = ""
    try:
        with transaction.atomic():
            if spec.mask_png:
                mask_name = default_storage.save("masks/mask.png", ContentFile(spec.mask_png))
            job = Job.objects.create(
                owner=spec.owner,
                team=spec.team,
                model=spec.model,
                provider_name=spec.model.provider.name,
                model_name=spec.model.name,
                kind=spec.kind,
                prompt=spec.prompt,
                params=spec.params,
                n=spec.n,
                mask=mask_name,
                credits_reserved=credits,
                due_at=timezone.now(),
            )
            job.source_images.set(spec.source_images)
            quota.reserve_quota(job=job)
            transaction.on_commit(lambda: queue.send_run(job.pk))
    except BaseException:
        if mask_name:
            default_storage.delete(mask_name)
        raise
    return job


def cancel_job(job: Job) -> bool:
    """Stop a queued or running job; its reserved quota is returned. False when already final."""
    with transaction.atomic():
        canceled = Job.objects.filter(
            pk=job.pk, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).update(status=JobStatus.CANCELED, finished_at=timezone.now(), lease_until=None)
        if canceled:
            job.refresh_from_db()
            quota.refund_quota(job)
    return bool(canceled)


def retry_job(job: Job) -> Job:
    """A new job with the same request as a failed or canceled one."""
    if job.model is None or not job.model.enabled:
        raise ValueError("The model of this job is no longer available.")
    mask_png = None
    if job.mask:
        with default_storage.open(job.mask.name, "rb") as handle:
            mask_png = handle.read()
    return submit_job(
        JobSpec(
            owner=job.owner,
            model=job.model,
            prompt=job.prompt,
            n=job.n,
            kind=job.kind,
            params=dict(job.params),
            team=job.team,
            source_images=list(job.source_images.all()),
            mask_png=mask_png,
        )
    )


def store_upload(data: bytes, *, owner, team=None) -> Image:
    """Keep an uploaded source image, so edits made from it can point back to it."""
    return store_image(data, owner=owner, team=team, origin=ImageOrigin.UPLOADED)


def submit_edit(spec: JobSpec, inputs: EditInputs, stored_sources: Sequence[Image]) -> Job:
    """Store the new input images, then submit the edit; undo the storing if the submit fails.

    `inputs.images` starts with the `stored_sources` (possibly converted), then the uploads. A
    stored source that had to be converted is kept as a new uploaded image made from it, so the
    lineage still leads back to the original. Raises what `submit_job` raises (QuotaExceeded).
    """
    stored_now: list[Image] = []
    try:
        chosen = []
        for position, data in enumerate(inputs.images):
            if position >= len(stored_sources):
                image = store_upload(data, owner=spec.owner, team=spec.team)
            elif inputs.converted[position]:
                image = store_image(
                    data,
                    owner=spec.owner,
                    team=spec.team,
                    origin=ImageOrigin.UPLOADED,
                    sources=[stored_sources[position]],
                )
            else:
                chosen.append(stored_sources[position])
                continue
            stored_now.append(image)
            chosen.append(image)
        return submit_job(dataclasses.replace(spec, source_images=chosen, mask_png=inputs.mask))
    except BaseException:
        discard_images(stored_now)
        raise


def discard_images(images: Sequence[Image]) -> None:
    """Remove images stored moments ago for a request that did not go ahead: rows and files."""
    for image in images:
        names = [image.file.name, image.thumbnail.name]
        image.delete()
        for name in names:
            if name:
                default_storage.delete(name)
