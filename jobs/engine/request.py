"""The request: what a job asks its provider, built from the job's row, its stored source images
and mask, and the model's capabilities (which inputs it takes, which answer format it prefers).

Only the parameters of the registry (jobs.parameters) travel; the dialect adapter turns the
`ImageRequest` into its provider's own fields.
"""

from __future__ import annotations

from jobs.inputs import inputs_for_model
from jobs.models import Image, Job, JobKind
from jobs.parameters import PARAMETERS
from jobs.partials import partial_sink
from jobs.providers import ImageRequest, InputImage, Operation
from jobs.storage import read_stored_file

OPERATIONS: dict[JobKind, Operation] = {
    JobKind.GENERATE: "generate",
    JobKind.EDIT: "edit",
    JobKind.VARIATION: "variation",
}


def build_request(job: Job, sources: list[Image] | None = None) -> ImageRequest:
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
