"""The ASGI body limit (studio/body_limit.py) around a fake application, message by message.

The real thing, uvicorn in front of Django, is in tests/api/test_request_size_under_asgi.py.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from studio.body_limit import BodySizeLimit

LIMIT = 64 * 1024
Message = dict[str, Any]


class FakeApp:
    """Reads the body as Django does (until more_body is false or a disconnect), then answers 200.

    With `answer_first` it starts its response before reading, as a streaming app could."""

    def __init__(self, answer_first: bool = False) -> None:
        self.answer_first = answer_first
        self.called = False
        self.body = b""
        self.messages: list[Message] = []

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        self.called = True
        if self.answer_first:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        while True:
            message = await receive()
            self.messages.append(message)
            if message["type"] == "http.disconnect":
                break
            self.body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        # What it says after a disconnect must not reach the client either.
        if not self.answer_first:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


class Client:
    """The server side: hands out `pieces` of body one receive() at a time, records what is sent."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = list(pieces)
        self.handed_out = 0
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        if not self.pieces:
            return {"type": "http.disconnect"}
        piece = self.pieces.pop(0)
        self.handed_out += 1
        return {"type": "http.request", "body": piece, "more_body": bool(self.pieces)}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int | None:
        starts = [m["status"] for m in self.sent if m["type"] == "http.response.start"]
        assert len(starts) <= 1, starts
        return starts[0] if starts else None

    @property
    def page(self) -> str:
        return b"".join(m.get("body", b"") for m in self.sent[1:]).decode()


def http_scope(content_length: bytes | None = None) -> Message:
    headers = [(b"host", b"testserver"), (b"content-type", b"application/octet-stream")]
    if content_length is not None:
        headers.append((b"content-length", content_length))
    return {"type": "http", "method": "POST", "path": "/edit/", "headers": headers}


def run_in_own_loop(coroutine: Any) -> None:
    """asyncio.run in a thread of its own: once a browser test has run in this process, the
    Playwright session (session-scoped) has left an event loop running on the main thread."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, coroutine).result()


def serve(app: FakeApp, client: Client, scope: Message) -> None:
    run_in_own_loop(BodySizeLimit(app)(scope, client.receive, client.send))


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.STUDIO_REQUEST_MAX_BYTES = LIMIT


@pytest.mark.parametrize("declared", [str(LIMIT + 1).encode(), b"12x", b"-1", b"9" * 5000])
def test_a_declared_oversized_or_unreadable_length_is_refused_unread(declared):
    app, client = FakeApp(), Client([b"x" * 10])
    serve(app, client, http_scope(declared))
    assert not app.called and client.handed_out == 0
    assert client.status == 413
    headers = dict(client.sent[0]["headers"])
    assert headers[b"connection"] == b"close"
    assert headers[b"content-type"] == b"text/html; charset=utf-8"
    assert int(headers[b"content-length"]) == len(client.page.encode())
    assert "larger than the 64.0\xa0KB the studio accepts" in client.page


def test_the_page_is_the_one_the_wsgi_middleware_renders(rf):
    from studio.middleware import too_large

    app, client = FakeApp(), Client([])
    serve(app, client, http_scope(str(LIMIT + 1).encode()))
    assert client.page == too_large(rf.post("/"), LIMIT).content.decode()


def test_a_body_at_the_limit_reaches_the_app_whole():
    pieces = [b"x" * (LIMIT // 2), b"y" * (LIMIT // 2)]
    app, client = FakeApp(), Client(pieces)
    serve(app, client, http_scope(str(LIMIT).encode()))
    assert app.body == b"".join(pieces)
    assert client.status == 200


def test_a_chunked_body_is_cut_off_at_the_piece_that_passes_the_limit():
    pieces = [b"x" * (LIMIT // 2), b"x" * (LIMIT // 2), b"x", b"never read"]
    app, client = FakeApp(), Client(pieces)
    serve(app, client, http_scope())
    assert client.handed_out == 3  # the fourth piece was never asked for
    assert app.body == b"x" * LIMIT  # the piece past the limit never reached the app
    assert app.messages[-1] == {"type": "http.disconnect"}
    assert client.status == 413  # and the app's own 200 after the disconnect was dropped
    assert "larger than the 64.0\xa0KB" in client.page


def test_a_response_already_started_is_not_followed_by_a_413():
    app, client = FakeApp(answer_first=True), Client([b"x" * LIMIT, b"x"])
    serve(app, client, http_scope())
    assert app.messages[-1] == {"type": "http.disconnect"}
    assert client.status == 200
    # Nothing after the cut: the response stays unfinished and the server closes the connection.
    assert [m["type"] for m in client.sent] == ["http.response.start"]


def test_other_scopes_pass_untouched():
    seen = []

    async def app(scope: Message, receive: Any, send: Any) -> None:
        seen.append((scope, await receive()))

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        raise AssertionError(message)

    scope = {"type": "lifespan"}
    run_in_own_loop(BodySizeLimit(app)(scope, receive, send))
    assert seen == [(scope, {"type": "lifespan.startup"})]


@pytest.mark.parametrize(
    ("declared", "over"),
    [
        ("0", False),
        (str(LIMIT), False),
        ("0" * 5000 + "1", False),  # int() alone would refuse to read it (a 500, not an answer)
        (str(LIMIT + 1), True),
        ("9" * 5000, True),
        ("", True),
        ("1e3", True),
        (" 1", True),
        ("²", True),  # a digit to str.isdigit(), not to int()
    ],
)
def test_which_declared_lengths_are_over_the_limit(declared, over):
    from studio.middleware import declared_over_limit

    assert declared_over_limit(declared, LIMIT) is over
