"""What a person may ask of the engine, decided before anything is made: the web's rules for a
new job, a batch, a comparison, a retry and an edit.

Each submit checks the person's request here (their team role, the workspace's models, their
source images and collection, the batch's size, the comparison's shape), then hands the allowed
request to the engine (`jobs.services`), which makes the jobs and reserves their quota. The
words of every refusal are for the page or the API answer that shows it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from django.utils.translation import gettext as _

from jobs import services
from jobs.inputs import EditInputs
from jobs.models import Batch, Image, ImageOrigin, Job, JobStatus, ProviderModel
from jobs.models.job import FINAL_STATUSES
from jobs.request_checks import check_request
from jobs.services import JobSpec
from jobs.storage import store_image
from studio.access import ORGANISERS, teams_where, visible_images
from studio.filing import file_uploads
from studio.models import Collection, Team
from studio.usable_models import may_use

if TYPE_CHECKING:
    from django.contrib.auth.models import User

RETRYABLE = (JobStatus.FAILED, JobStatus.CANCELED)
# How many models one comparison puts side by side.
COMPARE_MIN_MODELS = 2
COMPARE_MAX_MODELS = 4


class SubmitRefused(ValueError):
    """A request the person may not make (any more); the message says why, for the page."""


class ModelNotAllowed(SubmitRefused):
    """The team's admins have not allowed this model in its workspace; str() is for the person."""


class BatchTooLarge(SubmitRefused):
    """More prompts than the person's batch may have, or more unfinished jobs than it may leave
    them; str() is for the person, next to the prompts."""


class ComparisonRefused(SubmitRefused):
    """Not a comparison the studio runs (too few or too many models, one model twice, an option
    a model does not take); str() is for the person."""


def _team(spec: JobSpec) -> Team | None:
    # The engine's spec holds the web's rows as plain model rows (it never imports the web).
    return cast("Team | None", spec.team)


def check_submit(
    owner: User,
    *,
    model: ProviderModel,
    team: Team | None,
    source_images: Sequence[Image],
    collection: Collection | None = None,
) -> None:
    """What a new job needs, whether it is a fresh submit or a retry of an old one.

    The person must still be an owner or editor of the team the job goes to, every source image
    must still be visible to them, the collection its results land in must be of that workspace
    (the team's, or the person's own in the personal one), and the model and its provider must
    still be enabled. (The quota is the last check, made when the job reserves it.)
    """
    if not may_use(model):
        raise SubmitRefused(
            _("The model %(model)s is not available any more.") % {"model": model.display_name}
        )
    if team is not None and not teams_where(owner, *ORGANISERS).filter(pk=team.pk).exists():
        raise SubmitRefused(
            _("You can no longer add images to the team %(team)s.") % {"team": team.name}
        )
    if collection is not None and not _collection_fits(owner, collection, team):
        raise SubmitRefused(
            _("The collection %(name)s is not one of this workspace.") % {"name": collection.name}
        )
    source_ids = {image.pk for image in source_images}
    if source_ids and visible_images(owner).filter(pk__in=source_ids).count() != len(source_ids):
        raise SubmitRefused(_("One of the images to edit is not available to you any more."))


def _collection_fits(owner: User, collection: Collection, team: Team | None) -> bool:
    # The team's own role was checked above; a personal collection must be the submitter's own.
    if collection.team_id is not None:
        return collection.team_id == (team.pk if team else None)
    return team is None and collection.owner_id == owner.pk


def check_model_allowed(spec: JobSpec) -> None:
    """A team workspace may be limited to some models (`studio.usable_models`)."""
    team = _team(spec)
    if team is not None and not may_use(spec.model, team):
        raise ModelNotAllowed(
            _(
                "The model %(model)s is not available in the team '%(team)s'; "
                "choose one of its models."
            )
            % {"model": spec.model.display_name, "team": team}
        )


def check_batch_size(owner: User, count: int) -> None:
    """A batch of `count` prompts must fit the person's batch limit (`services.batch_limit`),
    together with their jobs not yet finished, so nobody can queue thousands of jobs at once."""
    limit = services.batch_limit(owner)
    if count > limit:
        raise BatchTooLarge(
            _("A batch may have at most %(limit)s prompts; this one has %(count)s.")
            % {"limit": limit, "count": count}
        )
    unfinished = Job.objects.filter(owner=owner).exclude(status__in=FINAL_STATUSES).count()
    if unfinished + count > limit:
        raise BatchTooLarge(
            _(
                "You have %(unfinished)s jobs queued or running; with this batch of %(count)s "
                "there would be more than %(limit)s. Wait for some to finish, or send fewer "
                "prompts."
            )
            % {"unfinished": unfinished, "count": count, "limit": limit}
        )


def check_comparison_models(models: Sequence[ProviderModel]) -> None:
    """2 to 4 models, each once; raises ComparisonRefused. The form asks it too, before submit."""
    if not COMPARE_MIN_MODELS <= len(models) <= COMPARE_MAX_MODELS:
        raise ComparisonRefused(
            _("Choose between %(min)s and %(max)s models to compare; you chose %(count)s.")
            % {"min": COMPARE_MIN_MODELS, "max": COMPARE_MAX_MODELS, "count": len(models)}
        )
    seen: set[int] = set()
    for model in models:
        if model.pk in seen:
            raise ComparisonRefused(
                _("Choose each model once: %(model)s is chosen twice.")
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
            _("%(model)s: %(problem)s")
            % {"model": spec.model.display_name, "problem": next(iter(problems.values()))}
        )


def _check_spec(spec: JobSpec) -> None:
    """The checks every new job passes, from a form, the API, a batch or a retry."""
    check_submit(
        spec.owner,
        model=spec.model,
        team=_team(spec),
        source_images=spec.source_images,
        collection=cast("Collection | None", spec.collection),
    )
    check_model_allowed(spec)


def submit_job(spec: JobSpec) -> Job:
    """Check the request, then create the job, reserve its quota and queue it, all or nothing.

    Raises SubmitRefused (ModelNotAllowed among them) when the person may not make this request
    (team role, the team's models, source images, collection, model) and quota.QuotaExceeded when
    it does not fit the budget; nothing is created then.
    """
    _check_spec(spec)
    return services.create_job(spec)


def submit_batch(spec: JobSpec, prompts: Sequence[str]) -> Batch:
    """One job per prompt, each with the spec's settings, reserved as one request: the whole batch
    fits the quota or nothing is created (raises QuotaExceeded, BatchTooLarge or ModelNotAllowed).
    """
    if not prompts:
        raise ValueError("A batch needs at least one prompt.")
    check_batch_size(spec.owner, len(prompts))
    _check_spec(spec)
    return services.create_batch(spec, prompts)


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
    return services.create_comparison(specs)


def retry_job(job: Job) -> Job:
    """A new job with the same request as a failed or canceled one, checked as a new submit is.

    Raises SubmitRefused (also for a job that did not fail) or quota.QuotaExceeded.
    """
    if job.status not in RETRYABLE:
        raise SubmitRefused(_("Only a failed or canceled job can be tried again."))
    return repeat_job(job)


def repeat_job(job: Job) -> Job:
    """A new job with the same request as `job`, whatever became of it ("Run again"), checked as
    a new submit is. Raises SubmitRefused or quota.QuotaExceeded."""
    if job.model is None:
        raise SubmitRefused(
            _("The model %(model)s is not available any more.") % {"model": job.model_name}
        )
    if job.owner is None:  # a leaver's job stays with the team, but nobody may submit as them
        raise SubmitRefused(_("The person who made this job has left the studio."))
    return submit_job(services.repeat_spec(job))


def store_upload(data: bytes, *, owner: User, team: Team | None = None) -> Image:
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
            stored_now.append(store_upload(data, owner=spec.owner, team=_team(spec)))
        chosen = [*stored_sources, *stored_now]
        job = submit_job(dataclasses.replace(spec, source_images=chosen, mask_png=inputs.mask))
    except BaseException:
        services.discard_images(stored_now)
        raise
    file_uploads(job, stored_sources)  # a team's uploads join its library (never fails the job)
    return job
