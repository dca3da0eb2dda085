"""The request size limit under uvicorn (how `make run` and compose serve the studio).

Django's ASGI handler reads and spools the whole body before any middleware runs, so the limit
must hold in front of it (studio/body_limit.py): a declared oversized body is refused before a
byte of it is sent, and a chunked body (no Content-Length) is cut off once it passes the limit.
"""

from __future__ import annotations

import select
import socket
import time

from django.conf import settings

HEAD = (
    b"POST /edit/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: multipart/form-data; boundary=xyz\r\n"
)


def connect(url: str, timeout: float) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def read_answer(connection: socket.socket) -> bytes:
    """All the server says until it closes the connection or falls silent (the socket's timeout):
    a server still waiting for the body gives an empty answer, not a hanging test."""
    answer = b""
    try:
        while chunk := connection.recv(65536):
            answer += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return answer


def test_a_declared_oversized_body_is_refused_before_it_is_sent(studio_server):
    """Only the headers are sent: a server that waited for the body would say nothing."""
    declared = settings.STUDIO_REQUEST_MAX_BYTES + 1
    with connect(studio_server, timeout=5) as connection:
        connection.sendall(HEAD + b"Content-Length: %d\r\n\r\n" % declared)
        answer = read_answer(connection)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    head, _, page = answer.partition(b"\r\n\r\n")
    assert b"connection: close" in head.lower()  # the unread body cannot be followed by more
    assert "larger than the 100.0\xa0MB the studio accepts" in page.decode()


def test_a_small_body_still_reaches_django(studio_server):
    body = b"--xyz--\r\n"
    with connect(studio_server, timeout=10) as connection:
        connection.sendall(
            HEAD + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
        )
        answer = read_answer(connection)
    # Django answers it (no CSRF token here): the limit let it through.
    assert answer.startswith(b"HTTP/1.1 403"), answer[:200]


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(studio_server):
    """No Content-Length to refuse from: the bytes are counted as they arrive. The client keeps
    sending until the server answers (or stops listening); the answer must come long before the
    body would end, and be the 413."""
    limit = settings.STUDIO_REQUEST_MAX_BYTES
    piece = b"x" * 2**20
    chunk = b"%x\r\n" % len(piece) + piece + b"\r\n"
    # Room for what the server and the kernel buffer between the client and the counting.
    enough = limit + 16 * len(piece)
    sent, answered_early = 0, False
    with connect(studio_server, timeout=20) as connection:
        connection.sendall(HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
        started = time.monotonic()
        while sent < enough:
            if select.select([connection], [], [], 0)[0]:
                answered_early = True
                break
            try:
                connection.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                answered_early = True  # the server answered and closed while we were sending
                break
            sent += len(piece)
        if not answered_early:
            connection.sendall(b"0\r\n\r\n")  # let a server that read it all answer at last
        answer = read_answer(connection)
    assert answer.startswith(b"HTTP/1.1 413"), (answer[:200], sent)
    assert answered_early, f"the server read all {sent} bytes ({time.monotonic() - started:.1f} s)"
    assert "larger than the 100.0\xa0MB the studio accepts" in answer.decode(errors="replace")
