"""Middleware of our own: refuse oversized requests unread, and set the Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string


class RequestSizeLimitMiddleware:
    """A request whose declared body is over STUDIO_REQUEST_MAX_BYTES is answered 413 before a
    byte of it is read, parsed or spooled to disk. It runs first, before anything could touch the
    body. (A body without Content-Length reaches Django as empty: WSGI reads what is declared.)
    The reverse proxy in front should refuse such a body even earlier (client_max_body_size)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.STUDIO_REQUEST_MAX_BYTES
        if not declared.isdigit() or int(declared) > limit:
            return too_large(request, limit)
        return self.get_response(request)


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    # Rendered without the request: its context processors would read the session and the body.
    html = render_to_string("413.html", {"limit": filesizeformat(limit)})
    return HttpResponse(html, status=413)


class ContentSecurityPolicyMiddleware:
    """Sends STUDIO_CONTENT_SECURITY_POLICY on every response that has no policy of its own.

    The pages keep to it: no inline scripts or handlers (the mask painter and htmx are files),
    htmx talks only to us, and images come from us or, with S3, from the storage's presigned URLs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = "; ".join(
            " ".join([directive, *sources])
            for directive, sources in settings.STUDIO_CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
