"""What the API answers about a job: OpenAI's images response, or its error for a failed job."""

from __future__ import annotations

import base64

from django.http import HttpRequest
from django.utils.translation import gettext as _

from jobs import messages as texts
from jobs.localized import localize
from jobs.messages import codes_in
from jobs.models import Image, Job, JobStatus
from jobs.storage import read_stored_file
from studio.api.errors import ApiError
from studio.api.links import signed_image_url

# The sentences that mean the provider ran out of time: a job's error that is one of them, or
# holds one (gave up after N attempts, an image whose download timed out), is a 504.
TIMEOUT_CODES = frozenset(
    message.code
    for message in (
        texts.NETWORK_TIMEOUT,
        texts.NO_ANSWER_IN_TIME,
        texts.TASK_DEADLINE,
        texts.STEP_TIME_LIMIT,
        texts.DOWNLOAD_TOO_LONG,
        texts.DOWNLOAD_TIMEOUT,
    )
)
# The openai SDKs retry any 5xx unless told not to; a retry without an Idempotency-Key would make
# (and charge) a second job, and the job behind these answers has already ended or still runs.
NO_RETRY = {"x-should-retry": "false"}


def images_response(request: HttpRequest, job: Job, response_format: str) -> dict:
    """`{created, data: [{b64_json | url, revised_prompt}], usage, output_format, size, …}`."""
    images = list(job.images.order_by("index"))
    data = []
    for image in images:
        if response_format == "url":
            item: dict[str, str | None] = {"url": signed_image_url(request, image)}
        else:
            item = {"b64_json": base64.b64encode(read_stored_file(image.file.name)).decode()}
        item["revised_prompt"] = image.revised_prompt or None
        data.append(item)
    first = images[0] if images else None
    return {
        "created": int(job.created_at.timestamp()),
        "data": data,
        "usage": job.usage or None,
        "output_format": job.params.get("output_format") or format_of(first),
        "size": job.params.get("size") or (f"{first.width}x{first.height}" if first else None),
        "quality": job.params.get("quality"),
        "background": job.params.get("background"),
        "job_id": str(job.pk),
    }


def format_of(image: Image | None) -> str | None:
    return {"JPEG": "jpeg"}.get(image.format, image.format.lower()) if image else None


def job_error(job: Job) -> ApiError:
    """The error for a job that ended without images, with the provider's cleaned message."""
    if job.status == JobStatus.CANCELED:
        return ApiError(
            409, _("The job was canceled."), type="api_error", code="job_canceled", headers=NO_RETRY
        )
    text = job.error_text
    # The caller reads the sentence in their language, as the job's page shows it (the provider's
    # own words inside it stay as the provider wrote them); the answer's code comes from its code.
    message = localize(text) if text else _("The provider reported that the job failed.")
    if text and TIMEOUT_CODES.intersection(codes_in(text)):
        return ApiError(504, message, type="api_error", code="provider_timeout", headers=NO_RETRY)
    return ApiError(502, message, type="api_error", code="provider_error", headers=NO_RETRY)


def still_running(job: Job, waited: float) -> ApiError:
    # A sentence per status, so each language words the state itself (the English reads as before).
    if job.status == JobStatus.QUEUED:
        template = _(
            "The job %(job)s is still queued after %(seconds)s s; ask "
            "GET /v1/images/jobs/%(job)s for it later."
        )
    else:
        template = _(
            "The job %(job)s is still running after %(seconds)s s; ask "
            "GET /v1/images/jobs/%(job)s for it later."
        )
    return ApiError(
        504,
        template % {"job": job.pk, "seconds": f"{waited:g}"},
        type="api_error",
        code="timeout",
        headers=NO_RETRY,
    )


def job_status(request: HttpRequest, job: Job, response_format: str) -> dict:
    """`GET /v1/images/jobs/{id}`: the status, and the images once it succeeded."""
    body: dict = {
        "id": str(job.pk),
        "object": "image.job",
        "status": job.status,
        "created": int(job.created_at.timestamp()),
        "model": f"{job.provider_name}/{job.model_name}",
    }
    if job.status == JobStatus.SUCCEEDED:
        body.update(images_response(request, job, response_format))
    elif job.is_final:
        error = job_error(job)
        body["error"] = {"message": error.message, "type": error.type, "code": error.code}
    return body
