"""What the studio asks of the engine: submit, cancel, retry.

Views call these and nothing deeper.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.functions import Now
from django.utils.translation import gettext

from jobs import engine, limits, quota
from jobs.capabilities import check_request
from jobs.engine import queue
from jobs.inputs import EditInputs
from jobs.models import (
    Batch,
    BatchKind,
    Image,
    ImageOrigin,
    Job,
    JobKind,
    JobStatus,
    ProviderModel,
)
from jobs.models.job import FINAL_STATUSES
from jobs.storage import store_image
from studio.access import SubmitRefused, check_submit

RETRYABLE = (JobStatus.FAILED, JobStatus.CANCELED)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from studio.models import ApiToken, Collection, Team


@dataclass
class JobSpec:
    """What a person asked for, already validated against the model's capabilities."""

    owner: User
    model: ProviderModel
    prompt: str
    n: int = 1
    kind: str = JobKind.GENERATE
    params: dict = field(default_factory=dict)
    team: Team | None = None
    source_images: Sequence[Image] = ()
    mask_png: bytes | None = None
    api_token: ApiToken | None = None  # when the request came through the API
    # Where the results also land: a collection of `team`, or the owner's own in no team.
    collection: Collection | None = None


class ModelNotAllowed(SubmitRefused):
    """The team's admins have not allowed this model in its workspace; str() is for the person."""


def check_model_allowed(spec: JobSpec) -> None:
    """A team workspace may be limited to some models (Team.allowed_models; none = all)."""
    if spec.team is None:
        return
    allowed = spec.team.allowed_models.all()
    if allowed.exists() and not allowed.filter(pk=spec.model.pk).exists():
        raise ModelNotAllowed(
            gettext(
                "The model %(model)s is not available in the team '%(team)s'; "
                "choose one of its models."
            )
            % {"model": spec.model.display_name, "team": spec.team}
        )


class BatchTooLarge(SubmitRefused):
    """More prompts than the person's batch may have, or more unfinished jobs than it may leave
    them; str() is for the person, next to the prompts."""


def check_batch_size(owner: User, count: int) -> None:
    """A batch of `count` prompts must fit the person's batch limit (`limits.batch_limit_for`),
    together with their jobs not yet finished, so nobody can queue thousands of jobs at once."""
    limit = limits.batch_limit_for(owner.pk)
    if count > limit:
        raise BatchTooLarge(
            gettext("A batch may have at most %(limit)s prompts; this one has %(count)s.")
            % {"limit": limit, "count": count}
        )
    unfinished = Job.objects.filter(owner=owner).exclude(status__in=FINAL_STATUSES).count()
    if unfinished + count > limit:
        raise BatchTooLarge(
            gettext(
                "You have %(unfinished)s jobs queued or running; with this batch of %(count)s "
                "there would be more than %(limit)s. Wait for some to finish, or send fewer "
                "prompts."
            )
            % {"unfinished": unfinished, "count": count, "limit": limit}
        )


def _check_spec(spec: JobSpec) -> None:
    """The checks every new job passes, from a form, the API, a batch or a retry."""
    check_submit(
        spec.owner,
        model=spec.model,
        team=spec.team,
        source_images=spec.source_images,
        collection=spec.collection,
    )
    check_model_allowed(spec)


def submit_job(spec: JobSpec) -> Job:
    """Check the request, create the job, reserve its quota and queue it, all or nothing.

    Raises SubmitRefused (ModelNotAllowed among them) when the person may not make this request
    (team role, the team's models, source images, collection, model) and quota.QuotaExceeded when
    it does not fit the budget; nothing is created then.
    """
    _check_spec(spec)
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


def submit_batch(spec: JobSpec, prompts: Sequence[str]) -> Batch:
    """One job per prompt, each with the spec's settings, reserved as one request: the whole batch
    fits the quota or nothing is created (raises QuotaExceeded, BatchTooLarge or ModelNotAllowed).

    Its size and its whole cost (every prompt's n images and credits) are weighed before a row
    is written, so an oversized batch costs one refusal, not thousands of rolled-back inserts.
    """
    if not prompts:
        raise ValueError("A batch needs at least one prompt.")
    check_batch_size(spec.owner, len(prompts))
    _check_spec(spec)
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


# How many models one comparison puts side by side.
COMPARE_MIN_MODELS = 2
COMPARE_MAX_MODELS = 4


class ComparisonRefused(SubmitRefused):
    """Not a comparison the studio runs (too few or too many models, one model twice, an option
    a model does not take); str() is for the person."""


def check_comparison_models(models: Sequence[ProviderModel]) -> None:
    """2 to 4 models, each once; raises ComparisonRefused. The form asks it too, before submit."""
    if not COMPARE_MIN_MODELS <= len(models) <= COMPARE_MAX_MODELS:
        raise ComparisonRefused(
            gettext("Choose between %(min)s and %(max)s models to compare; you chose %(count)s.")
            % {"min": COMPARE_MIN_MODELS, "max": COMPARE_MAX_MODELS, "count": len(models)}
        )
    seen: set[int] = set()
    for model in models:
        if model.pk in seen:
            raise ComparisonRefused(
                gettext("Choose each model once: %(model)s is chosen twice.")
                % {"model": model.display_name}
            )
        seen.add(model.pk)


def _check_options(spec: JobSpec) -> None:
    """The model's capabilities take the spec's options (the form checks the same, field by
    field; this guards callers that come without a form)."""
    request = {**spec.params, "prompt": spec.prompt, "n": spec.n}
    problems = check_request(
        spec.model.capabilities(),
        spec.kind,
        request,
        len(spec.source_images),
        spec.mask_png is not None,
    )
    if problems:
        raise ComparisonRefused(
            gettext("%(model)s: %(problem)s")
            % {"model": spec.model.display_name, "problem": next(iter(problems.values()))}
        )


def submit_comparison(specs: Sequence[JobSpec]) -> Batch:
    """One job per model for the same prompt, in one batch of kind "compare", reserved as one
    request: the whole comparison fits the quota or nothing is created.

    Each spec carries its own model and that model's options; all share the owner, the prompt
    and the workspace. Raises ComparisonRefused, SubmitRefused (ModelNotAllowed among them) or
    QuotaExceeded.
    """
    check_comparison_models([spec.model for spec in specs])
    first = specs[0]
    if any((s.owner, s.prompt, s.team) != (first.owner, first.prompt, first.team) for s in specs):
        raise ValueError("A comparison's jobs share the owner, the prompt and the workspace.")
    for spec in specs:
        _check_spec(spec)
        _check_options(spec)
    with transaction.atomic():
        batch = Batch.objects.create(owner=first.owner, kind=BatchKind.COMPARE)
        jobs = [
            _create_job(spec, spec.model.estimate_credits(spec.n, spec.params), batch=batch)
            for spec in specs
        ]
        quota.reserve_quota_for_batch(jobs)
        transaction.on_commit(lambda: _send_all(jobs))
    return batch


def _send_all(jobs: Sequence[Job]) -> None:
    for job in jobs:
        queue.send_run_after_commit(job.pk)


def _create_job(spec: JobSpec, credits: int, *, mask_name: str = "", batch=None) -> Job:
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
        api_token=spec.api_token,
        due_at=Now(),
        collection=spec.collection,
        batch=batch,
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


def retry_job(job: Job) -> Job:
    """A new job with the same request as a failed or canceled one, checked as a new submit is.

    Raises SubmitRefused (also for a job that did not fail) or quota.QuotaExceeded.
    """
    if job.status not in RETRYABLE:
        raise SubmitRefused(gettext("Only a failed or canceled job can be tried again."))
    return repeat_job(job)


def repeat_job(job: Job) -> Job:
    """A new job with the same request as `job`, whatever became of it ("Run again"), checked as
    a new submit is. Raises SubmitRefused or quota.QuotaExceeded."""
    if job.model is None:
        raise SubmitRefused(
            gettext("The model %(model)s is not available any more.") % {"model": job.model_name}
        )
    mask_png = None
    if job.mask:
        with default_storage.open(job.mask.name, "rb") as handle:
            mask_png = handle.read()
    if job.owner is None:  # a leaver's job stays with the team, but nobody may submit as them
        raise SubmitRefused(gettext("The person who made this job has left the studio."))
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
            collection=job.collection,
        )
    )


def store_upload(data: bytes, *, owner, team=None) -> Image:
    """Keep an uploaded source image, so edits made from it can point back to it."""
    return store_image(data, owner=owner, team=team, origin=ImageOrigin.UPLOADED)


def submit_edit(spec: JobSpec, inputs: EditInputs, stored_sources: Sequence[Image]) -> Job:
    """Store the new input images, then submit the edit; undo the storing if the submit fails.

    `inputs.images` starts with the `stored_sources`, then the uploads, which are stored as sent
    (conversions a model needs happen in the job). Raises what `submit_job` raises.
    """
    uploads = inputs.images[len(stored_sources) :]
    stored_now: list[Image] = []
    try:
        for data in uploads:
            stored_now.append(store_upload(data, owner=spec.owner, team=spec.team))
        chosen = [*stored_sources, *stored_now]
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
