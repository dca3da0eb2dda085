"""The sandbox's HTTP server: reading requests, routing them to an emulated service, recording."""

from __future__ import annotations

import json
import threading
import time
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .core import Incoming, Reply, SandboxState, UploadedFile, json_reply
from .directives import parse_directives
from .emulation import SubmitHandler, find_poll, find_submit
from .envelopes import Envelope, serve

# ---------------------------------------------------------------------------------------------
# Routing


def route(state: SandboxState, incoming: Incoming) -> Reply:
    if incoming.path.startswith("/_sandbox/"):
        return control(state, incoming)
    state.record(incoming)
    if incoming.method == "GET" and incoming.path.startswith("/files/"):
        return serve_file(state, incoming.path.removeprefix("/files/"))
    if incoming.method == "POST":
        return route_submit(state, incoming)
    if incoming.method == "GET":
        return route_poll(state, incoming)
    return json_reply(
        405, {"error": {"message": "Method not allowed.", "code": "method_not_allowed"}}
    )


def route_submit(state: SandboxState, incoming: Incoming) -> Reply:
    """To the emulated service whose endpoint takes this POST (see `emulation.py`)."""
    found = find_submit(incoming)
    if found is None:
        return not_found(incoming)
    submit, envelope = found
    return run_submit(state, incoming, envelope, submit.prompt(incoming), submit.handler)


def run_submit(
    state: SandboxState,
    incoming: Incoming,
    envelope: Envelope,
    prompt: str,
    handler: SubmitHandler,
) -> Reply:
    directives = parse_directives(prompt)
    incoming.directives = directives
    return serve(
        state,
        incoming,
        envelope=envelope,
        directives=directives,
        handler=lambda: handler(state, incoming, directives),
        fault_key=prompt,
    )


def route_poll(state: SandboxState, incoming: Incoming) -> Reply:
    found = find_poll(incoming.path)
    if found is None:
        return not_found(incoming)
    poll, envelope = found
    task_id = incoming.path.removeprefix(poll.prefix)
    task = state.task(task_id)
    if task is None and poll.unknown_task is not None:
        return poll.unknown_task(task_id)
    return serve(
        state,
        incoming,
        envelope=envelope,
        directives=task.directives if task else parse_directives(""),
        handler=lambda: poll.handler(state, incoming, task, task_id),
        fault_key=f"poll:{task_id}",
        poll=True,
    )


def not_found(incoming: Incoming) -> Reply:
    message = f"No such endpoint: {incoming.method} {incoming.path}"
    return json_reply(404, {"error": {"message": message, "code": "not_found"}})


def serve_file(state: SandboxState, name: str) -> Reply:
    stored = state.file(name)
    if stored is None:
        return json_reply(
            404, {"error": {"message": "File not found or expired.", "code": "not_found"}}
        )
    data, content_type, slow, trickle = stored
    if slow:
        time.sleep(slow)
    return Reply(200, data, content_type, trickle=trickle)


def control(state: SandboxState, incoming: Incoming) -> Reply:
    """The sandbox's own endpoints, for tests and people; never recorded."""
    action = (incoming.method, incoming.path)
    if action == ("GET", "/_sandbox/health"):
        return json_reply(200, {"status": "ok"})
    if action == ("GET", "/_sandbox/requests"):
        return json_reply(200, state.requests())
    if action == ("POST", "/_sandbox/reset"):
        state.reset()
        return json_reply(200, {"status": "reset"})
    if action == ("GET", "/_sandbox/redirect"):  # for testing redirect handling of downloads
        target = (incoming.query.get("to") or [""])[0]
        return Reply(302, b"", "text/plain", {"Location": target})
    return not_found(incoming)


# ---------------------------------------------------------------------------------------------
# Reading requests


def parse_body(incoming: Incoming) -> None:
    content_type = incoming.header("Content-Type") or ""
    if "json" in content_type:
        try:
            incoming.json = json.loads(incoming.body or b"null")
        except ValueError:
            incoming.json = None  # handlers answer "the body must be a JSON object"
    elif content_type.startswith("multipart/form-data"):
        incoming.form, incoming.files = parse_multipart(content_type, incoming.body)


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], list[UploadedFile]]:
    document = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    message = BytesParser(policy=policy.HTTP).parsebytes(document)
    form: dict[str, str] = {}
    files: list[UploadedFile] = []
    if not message.is_multipart():
        return form, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            form[name] = payload.decode("utf-8", "replace")
        else:
            files.append(UploadedFile(name, filename, part.get_content_type(), payload))
    return form, files


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real services offer
    # Headers and body go out in two writes; without TCP_NODELAY the body waits ~40 ms for the
    # client's delayed ACK on every kept-alive request.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        incoming = Incoming(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers=dict(self.headers.items()),
            body=self.rfile.read(length) if length else b"",
            base_url=f"http://{self.headers.get('Host') or self.server.default_host}",
        )
        parse_body(incoming)
        self._send(route(self.server.state, incoming))

    def _send(self, reply: Reply) -> None:
        if reply.stream is not None:
            self._send_stream(reply)
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if not reply.trickle:
            self.wfile.write(reply.body)
            return
        pieces = 20  # the body in 20 pieces, evenly spread over `trickle` seconds
        step = max(len(reply.body) // pieces, 1)
        for start in range(0, len(reply.body), step):
            self.wfile.write(reply.body[start : start + step])
            self.wfile.flush()
            time.sleep(reply.trickle / pieces)

    def _send_stream(self, reply: Reply) -> None:
        """Server-sent events as they come; no length is known, so the connection ends them."""
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for chunk in reply.stream:
            self.wfile.write(chunk)
            self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # hundreds of workers' threads may connect at once

    def __init__(self, address: tuple[str, int], state: SandboxState, verbose: bool) -> None:
        super().__init__(address, SandboxHandler)
        self.state = state
        self.verbose = verbose
        host, port = self.server_address[:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        self.default_host = f"{shown}:{port}"


class SandboxServer:
    """The emulator of every dialect, on a real port. `port=0` picks a free one."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        delay: float = 0.0,
        task_seconds: float = 6.0,
        *,
        verbose: bool = False,
    ) -> None:
        self.state = SandboxState(delay=delay, task_seconds=task_seconds)
        self._httpd = _HTTPServer((host, port), self.state, verbose)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self._httpd.default_host}"

    def start(self) -> SandboxServer:
        """Serve in a background thread (for tests and benchmarks)."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (for `manage.py sandbox`)."""
        try:
            self._httpd.serve_forever(poll_interval=0.5)
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def reset(self) -> None:
        self.state.reset()

    def requests(self) -> list[dict]:
        """Every request recorded since the last reset (same as GET /_sandbox/requests)."""
        return self.state.requests()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
