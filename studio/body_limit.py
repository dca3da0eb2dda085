"""STUDIO_REQUEST_MAX_BYTES under ASGI: a thin layer in front of Django (see studio/asgi.py).

Django's ASGI handler reads the whole body, spooling it to disk, before any middleware runs, so
RequestSizeLimitMiddleware (studio/middleware.py) would refuse an oversized upload only after it
had all arrived, and would let a chunked body (no Content-Length) through as if it were empty.
Here, before Django sees the request:
- a Content-Length over the limit, or not a number, is answered 413 without reading the body;
- otherwise the body is counted as it arrives, and the piece that passes the limit is not handed
  on: Django is told the client went away (it drops the request unanswered) and the client gets
  the 413 instead, if no response has started.
The 413 says `Connection: close`, so the server closes the connection instead of reading the
rest of the body to reach a next request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings

from studio.api.json_errors import is_api_path, too_large_error
from studio.middleware import declared_over_limit, too_large_page

# As django-stubs types Django's ASGIHandler, so that it is an ASGIApp here.
Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodySizeLimit:
    """Wraps an ASGI application so no request body over STUDIO_REQUEST_MAX_BYTES reaches it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Read per request, not once, so that tests (and settings overrides) see their value.
        limit: int = settings.STUDIO_REQUEST_MAX_BYTES
        for name, value in scope["headers"]:
            if name.lower() == b"content-length" and declared_over_limit(
                value.decode("latin-1").strip(), limit
            ):
                await refuse(send, limit, scope.get("path", ""))
                return
        await _Guard(self.app, limit, receive, send).run(scope)


class _Guard:
    """One request's body count, and whether its answer has begun or been taken over."""

    def __init__(self, app: ASGIApp, limit: int, receive: Receive, send: Send) -> None:
        self.app, self.limit = app, limit
        self.path = ""
        self.server_receive, self.server_send = receive, send
        self.received = 0
        self.response_started = False
        self.cut_off = False

    async def run(self, scope: Scope) -> None:
        self.path = scope.get("path", "")
        await self.app(scope, self.receive, self.send)

    async def receive(self) -> Message:
        if self.cut_off:
            # Not even asked of the server: what it would hand over is more of the body.
            return {"type": "http.disconnect"}
        message = await self.server_receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.cut_off = True
                if not self.response_started:
                    await refuse(self.server_send, self.limit, self.path)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.cut_off:
            # The client has the 413 (or a response it will never see finished): anything the
            # app still says would be a second response. Left unfinished, a started response
            # makes the server close the connection rather than read on.
            return
        if message["type"] == "http.response.start":
            self.response_started = True
        await self.server_send(message)


async def refuse(send: Send, limit: int, path: str = "") -> None:
    """Answer 413 with the page RequestSizeLimitMiddleware renders (OpenAI's JSON error under
    /v1), and close the connection."""
    # A small template rendered without the request: no database, no session; quick enough to
    # run on the event loop.
    if is_api_path(path):
        page, content_type = too_large_error(limit).response().content, b"application/json"
    else:
        page, content_type = too_large_page(limit).encode(), b"text/html; charset=utf-8"
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(page)).encode()),
        # The body is left unread: without this the server would read (and discard) all of it
        # to keep the connection for a next request.
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": page})
