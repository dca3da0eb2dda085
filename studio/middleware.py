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
    Under ASGI Django reads the whole body before any middleware runs, so there the limit that
    counts is studio/body_limit.py, in front of Django (studio/asgi.py). The reverse proxy in
    front should refuse such a body even earlier (client_max_body_size)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.STUDIO_REQUEST_MAX_BYTES
        if declared_over_limit(declared, limit):
            return too_large(request, limit)
        return self.get_response(request)


def declared_over_limit(declared: str, limit: int) -> bool:
    """Whether a Content-Length is over `limit` or not a plain number (refused alike: a length
    nobody can check is no promise about the body). Shared with studio/body_limit.py (ASGI)."""
    # isascii: str.isdigit() also accepts digits such as "²" that int() rejects.
    if not (declared.isascii() and declared.isdigit()):
        return True
    # int() refuses strings over 4,300 digits (leading zeros count): a number with more digits
    # than the limit is over it without converting.
    digits = declared.lstrip("0") or "0"
    return len(digits) > len(str(limit)) or int(digits) > limit


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    return HttpResponse(too_large_page(limit), status=413)


def too_large_page(limit: int) -> str:
    """The 413 page, for this middleware and for the ASGI body limit (studio/body_limit.py)."""
    # Rendered without the request: its context processors would read the session and the body
    # (and under ASGI there is no request yet).
    return render_to_string("413.html", {"limit": filesizeformat(limit)})


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
