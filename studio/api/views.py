"""The `/v1/` endpoints. Image calls are async views: the checks and the submit run on a thread,
then the call awaits its job without holding a thread, a worker or a database connection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from inspect import iscoroutinefunction
from typing import Any
from uuid import UUID

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from jobs.models import Image, Job, JobStatus
from jobs.parameters import EDIT, GENERATE
from studio.access import get_job_for_token
from studio.api import answers
from studio.api.errors import ApiError, invalid, not_found
from studio.api.inputs import read_edit, read_generation
from studio.api.json_errors import api_error_for
from studio.api.language import request_language
from studio.api.links import image_id_from_link
from studio.api.model_info import studio_field
from studio.api.parameters import answer_headers
from studio.api.ratelimit import check_rate_limit
from studio.api.streaming import event_stream_response
from studio.api.submit import submit_call
from studio.api.tokens import authenticate, public_model_ids
from studio.api.variations import VARIATION, read_variation
from studio.api.waiting import wait_for_job
from studio.files import stored_file_response
from studio.models import ApiToken
from studio.usable_models import usable_models


def speaks_accept_language(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run an API view in `request_language()` and say so in Content-Language (sync or async)."""
    if iscoroutinefunction(view):

        @wraps(view)
        async def async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            language = request_language(request)
            # The active language lives in a context variable that sync_to_async carries to the
            # threads this view runs its checks on.
            with translation.override(language):
                response = await view(request, *args, **kwargs)
            response["Content-Language"] = language
            return response

        return async_view

    @wraps(view)
    def sync_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = request_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    return sync_view


READERS = {GENERATE: read_generation, EDIT: read_edit, VARIATION: read_variation}


@dataclass(frozen=True)
class Accepted:
    job_id: str
    response_format: str
    ignored: tuple[str, ...] = ()
    stream: bool = False
    size_used: str | None = None


def _authorized(request: HttpRequest) -> ApiToken:
    token = authenticate(request)
    check_rate_limit(token)
    return token


def _accept(request: HttpRequest, operation: str) -> Accepted:
    """Authenticate, check and submit (on a thread; the ORM is synchronous)."""
    try:
        token = _authorized(request)
        call = READERS[operation](request, token)
        job = submit_call(token, call, request.headers.get("Idempotency-Key", "").strip())
        return Accepted(
            str(job.pk), call.response_format, call.ignored, call.stream, call.size_used
        )
    finally:
        # The call may now wait for minutes: give its database connection back meanwhile.
        if not connection.in_atomic_block:
            connection.close()


def _answer(
    request: HttpRequest, job_id: str, response_format: str, finished: bool
) -> HttpResponse:
    job = Job.objects.get(pk=job_id)
    if not finished and not job.is_final:
        raise answers.still_running(job, settings.STUDIO_API_WAIT_SECONDS)
    if job.status != JobStatus.SUCCEEDED:
        raise answers.job_error(job)
    return JsonResponse(answers.images_response(request, job, response_format))


async def _image_call(request: HttpRequest, operation: str) -> HttpResponseBase:
    try:
        accepted = await sync_to_async(_accept)(request, operation)
    except ApiError as error:
        return error.response()
    response = await _answer_accepted(request, accepted, operation)
    for name, value in answer_headers(accepted.ignored, accepted.size_used).items():
        response[name] = value
    return response


async def _answer_accepted(
    request: HttpRequest, accepted: Accepted, operation: str
) -> HttpResponseBase:
    if accepted.stream:
        return event_stream_response(accepted.job_id, operation, settings.STUDIO_API_WAIT_SECONDS)
    try:
        if "respond-async" in _preferences(request):
            job = await Job.objects.aget(pk=accepted.job_id)
            status = await sync_to_async(answers.job_status)(request, job, accepted.response_format)
            return JsonResponse(status, status=202)
        finished = await wait_for_job(accepted.job_id, settings.STUDIO_API_WAIT_SECONDS)
        return await sync_to_async(_answer)(
            request, accepted.job_id, accepted.response_format, finished
        )
    except ApiError as error:
        return error.response()


def _preferences(request: HttpRequest) -> set[str]:
    """The `Prefer` header's preferences (RFC 7240), lower-cased, parameters dropped."""
    words = request.headers.get("Prefer", "").replace(";", ",").split(",")
    return {word.strip().lower() for word in words if word.strip()}


@csrf_exempt
@require_POST
@speaks_accept_language
async def image_generations(request: HttpRequest) -> HttpResponseBase:
    return await _image_call(request, GENERATE)


@csrf_exempt
@require_POST
@speaks_accept_language
async def image_edits(request: HttpRequest) -> HttpResponseBase:
    return await _image_call(request, EDIT)


@csrf_exempt
@require_POST
@speaks_accept_language
async def image_variations(request: HttpRequest) -> HttpResponseBase:
    return await _image_call(request, VARIATION)


@require_GET
@speaks_accept_language
def models(request: HttpRequest) -> HttpResponse:
    try:
        token = _authorized(request)
    except ApiError as error:
        return error.response()
    usable = usable_models(token.team, token=token)
    ids = public_model_ids(usable)
    data = [
        {
            "id": ids[model.pk],
            "object": "model",
            "created": int(model.provider.created_at.timestamp()),
            "owned_by": model.provider.name,
            "studio": studio_field(model),
        }
        for model in usable
    ]
    return JsonResponse({"object": "list", "data": data})


@require_GET
@speaks_accept_language
def image_job(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """`GET /v1/images/jobs/{id}`: status of a job the token may read (`token_jobs`: its owner's,
    within the token's team and models); 404 for any other."""
    try:
        token = _authorized(request)
        response_format = request.GET.get("response_format", "b64_json")
        if response_format not in ("b64_json", "url"):
            raise invalid(_("'response_format' must be 'b64_json' or 'url'."), "response_format")
        try:
            job = get_job_for_token(token, job_id)
        except Http404 as missing:
            raise not_found(
                _("No job '%(id)s' is available to this token.") % {"id": job_id}
            ) from missing
        return JsonResponse(answers.job_status(request, job, response_format))
    except ApiError as error:
        return error.response()


@require_GET
@speaks_accept_language
def image_file(request: HttpRequest, signed: str) -> HttpResponseBase:
    """A result image behind a signed link; no session or token needed (nor looked at)."""
    image_id = image_id_from_link(signed)
    image = Image.objects.filter(pk=image_id).first() if image_id else None
    if image is None:
        return not_found(
            _("This image link is not valid or has expired (links last an hour).")
        ).response()
    return stored_file_response(image.file.name, content_type=image.content_type)


@speaks_accept_language
def unknown_path(request: HttpRequest) -> HttpResponse:
    return api_error_for(request, 404).response()
