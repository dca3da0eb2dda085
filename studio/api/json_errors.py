"""Under /v1 every answer is JSON: an app reading the API never meets an HTML page.

Django and the middleware before the views answer some requests themselves: a path it cannot
resolve, a method the view does not take, a body over the size limit, a server error. Under /v1
each such answer is replaced by OpenAI's error shape, with the status kept. The API
authenticates by bearer token alone, never by a session cookie, so CSRF is not checked there.

Dify builds its base URL by appending `/v1` to what its user typed, so a user who followed
OpenAI's habit of typing `…/v1` calls `/v1/v1/images/generations`: that prefix is read as `/v1`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from studio.api.errors import ApiError, forbidden, invalid, not_found
from studio.api.language import request_language

logger = logging.getLogger(__name__)

PREFIX = "/v1"
DOUBLED = "/v1/v1/"


def is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def api_error_for(request: HttpRequest, status: int) -> ApiError:
    """The OpenAI-shaped error for a status that Django (not an API view) answered."""
    words = {"method": request.method, "path": request.path}
    if status == 404:
        return not_found(
            _(
                "The studio's API has no %(method)s %(path)s; it serves /v1/models and "
                "/v1/images/generations, /v1/images/edits, /v1/images/variations, "
                "/v1/images/jobs/{id}."
            )
            % words
        )
    if status == 405:
        return ApiError(
            405,
            _("%(path)s does not take %(method)s requests.") % words,
            code="method_not_allowed",
        )
    if status == 413:
        return too_large_error(settings.STUDIO_REQUEST_MAX_BYTES)
    if status == 403:
        return forbidden(_("This request is not allowed."))
    if status < 500:
        return invalid(_("The request could not be read."))
    return ApiError(
        status,
        _("The studio met an unexpected error; it has been logged. Try again later."),
        type="server_error",
        code="server_error",
    )


def too_large_error(limit: int) -> ApiError:
    return ApiError(
        413,
        _("The request body is larger than the studio accepts (%(limit)s).")
        % {"limit": filesizeformat(limit)},
        code="request_too_large",
    )


class ApiJsonMiddleware:
    """Runs first: everything later (size limit, CSRF, the views) may answer in HTML."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if not is_api_path(request.path_info):
            return self.get_response(request)
        _prepare(request)
        if self.is_async:
            return self._acall(request)
        return as_json(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        return as_json(request, await self.get_response(request))

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path_info):
            return None
        logger.exception("Server error on %s %s", request.method, request.path, exc_info=exception)
        return _in_language(request, lambda: api_error_for(request, 500).response())


def _prepare(request: HttpRequest) -> None:
    if request.path_info.startswith(DOUBLED):
        request.path_info = request.path_info[len(PREFIX) :]
        request.path = request.path.replace(DOUBLED, PREFIX + "/", 1)
    # Bearer tokens only: no cookie can make a cross-site request act as someone here. (The flag
    # CsrfViewMiddleware reads, as Django's test client sets it; django-stubs does not declare it.)
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]


def as_json(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """`response` itself when it is JSON, a stream or a success; else its OpenAI-shaped error."""
    if response.status_code < 400 or response.streaming:
        return response
    if response.get("Content-Type", "").startswith("application/json"):
        return response
    replaced = _in_language(
        request, lambda: api_error_for(request, response.status_code).response()
    )
    for kept in ("Allow", "Retry-After", "WWW-Authenticate", "Connection"):
        if kept in response:
            replaced[kept] = response[kept]
    return replaced


def _in_language(request: HttpRequest, make: Callable[[], HttpResponse]) -> HttpResponse:
    """Words in the language the API speaks to this client (its Accept-Language alone)."""
    language = request_language(request)
    with translation.override(language):
        response = make()
    response["Content-Language"] = language
    return response
