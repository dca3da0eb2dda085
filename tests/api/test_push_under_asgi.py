"""Job pages' push channel under uvicorn (how `make run` and compose serve the studio).

Django would buffer a synchronous event stream whole under ASGI; the events must arrive as they
happen instead.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import requests
from django.conf import settings
from django.test import Client

from jobs.events import publish_job_event
from jobs.models import Batch, Job, JobStatus
from tests.fixtures.services import wait_until
from tests.world import make_job

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_job_event_reaches_the_page_while_the_stream_is_open(
    studio_server, alice, sandbox_models
):
    job = Job.objects.create(
        owner=alice,
        model=sandbox_models["gpt-image-1"],
        provider_name="sandbox",
        model_name="gpt-image-1",
        prompt="pushed",
    )
    browser = Client()
    browser.force_login(alice)
    cookies = {settings.SESSION_COOKIE_NAME: browser.cookies[settings.SESSION_COOKIE_NAME].value}
    with requests.get(
        f"{studio_server}/jobs/{job.pk}/events/", cookies=cookies, stream=True, timeout=10
    ) as stream:
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(line for line in lines if line).startswith(b"retry:")
        sent = time.monotonic()
        publish_job_event(job.pk, "running")
        event = next(line for line in lines if line.startswith(b"data:"))
        assert b'"kind": "running"' in event
        assert time.monotonic() - sent < 5  # not held back until the stream ends (55 s)


# --- Streams are a shared, bounded resource (issue 19, finding 4) ------------------------------


def server_pid(url: str) -> int:
    """The uvicorn process serving `url` (tests/fixtures/asgi.py starts it with `--port N`)."""
    port = str(urlsplit(url).port).encode()
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
        except OSError:
            continue
        if b"uvicorn" in args and port in args:
            return int(entry.name)
    raise LookupError(f"no uvicorn process serves {url}")


def redis_clients_of(pid: int, redis_url: str) -> int:
    """How many of Redis's clients (CLIENT LIST) are connections of process `pid`.

    Other test processes (and other runs) share this Redis, so the count is by the process's own
    TCP connections to Redis, matched to CLIENT LIST by their local port."""
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            sockets.add(os.readlink(fd))
    redis_port = urlsplit(redis_url).port or 6379
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, remote, state, inode = (line.split()[i] for i in (1, 2, 3, 9))
            connected = state == "01" and int(remote.rsplit(":", 1)[1], 16) == redis_port
            if connected and f"socket:[{inode}]" in sockets:
                ports.add(int(local.rsplit(":", 1)[1], 16))
    clients = redis.Redis.from_url(redis_url).client_list()
    return sum(1 for client in clients if int(client["addr"].rsplit(":", 1)[1]) in ports)


def session_of(person) -> dict:
    browser = Client()
    browser.force_login(person)
    return {settings.SESSION_COOKIE_NAME: browser.cookies[settings.SESSION_COOKIE_NAME].value}


def open_stream(url: str, cookies: dict) -> requests.Response:
    """An event stream read up to its opening comment (so its subscription stands); read on
    through `response.lines` (dropping that reader would close the connection)."""
    response = requests.get(url, cookies=cookies, stream=True, timeout=10)
    if response.status_code == 200:
        response.lines = response.iter_lines()
        assert next(line for line in response.lines if line).startswith(b"retry:")
        assert next(line for line in response.lines if line) == b": connected"
    return response


def test_open_streams_share_one_redis_connection_and_give_it_back(
    studio_server, redis_url, make_user
):
    pid = server_pid(studio_server)
    people = [make_user(f"watcher{number}") for number in range(4)]
    before = redis_clients_of(pid, redis_url)
    streams = []
    for person in people:
        cookies = session_of(person)
        for _ in range(5):
            job = make_job(person, prompt="watched")
            streams.append(open_stream(f"{studio_server}/jobs/{job.pk}/events/", cookies))
    try:
        assert [stream.status_code for stream in streams] == [200] * 20
        assert redis_clients_of(pid, redis_url) <= before + 1  # one subscription, not 20
    finally:
        for stream in streams:
            stream.close()
    wait_until(lambda: redis_clients_of(pid, redis_url) <= before, 10, 0.1, "streams to let go")


def test_a_finished_jobs_stream_answers_at_once_without_listening(studio_server, alice, redis_url):
    pid = server_pid(studio_server)
    cookies = session_of(alice)
    done = make_job(alice, status=JobStatus.SUCCEEDED)
    batch = Batch.objects.create(owner=alice)
    for status in (JobStatus.FAILED, JobStatus.CANCELED):
        make_job(alice, status=status, batch=batch)
    before = redis_clients_of(pid, redis_url)
    for path in (f"/jobs/{done.pk}/events/", f"/batches/{batch.pk}/events/"):
        started = time.monotonic()
        answer = requests.get(f"{studio_server}{path}", cookies=cookies, timeout=10)
        # 204: EventSource stops reconnecting (the page has nothing left to follow).
        assert answer.status_code == 204, path
        assert time.monotonic() - started < 3
    assert redis_clients_of(pid, redis_url) <= before


def test_a_batch_stream_follows_only_its_unfinished_jobs(studio_server, alice):
    batch = Batch.objects.create(owner=alice)
    make_job(alice, status=JobStatus.SUCCEEDED, batch=batch)
    running = make_job(alice, status=JobStatus.RUNNING, batch=batch)
    with open_stream(f"{studio_server}/batches/{batch.pk}/events/", session_of(alice)) as stream:
        assert stream.status_code == 200
        publish_job_event(running.pk, "succeeded")
        event = next(line for line in stream.lines if line.startswith(b"data:"))
        assert str(running.pk).encode() in event


def test_one_person_may_hold_only_so_many_streams(studio_server, alice, bob):
    cap = settings.STUDIO_MAX_EVENT_STREAMS  # the server's too: it shares the environment
    alices = session_of(alice)
    job = make_job(alice, prompt="watched in many tabs")
    url = f"{studio_server}/jobs/{job.pk}/events/"
    streams = [open_stream(url, alices) for _ in range(cap)]
    try:
        assert [stream.status_code for stream in streams] == [200] * cap
        refused = requests.get(url, cookies=alices, timeout=10)
        assert refused.status_code == 429
        assert "polls" in refused.text
        bobs_job = make_job(bob, prompt="someone else's tab")
        with open_stream(f"{studio_server}/jobs/{bobs_job.pk}/events/", session_of(bob)) as other:
            assert other.status_code == 200  # the cap is per person
        streams.pop().close()
        wait_until(lambda: open_and_close(url, alices) == 200, 10, 0.1, "a stream to come free")
    finally:
        for stream in streams:
            stream.close()


def open_and_close(url: str, cookies: dict) -> int:
    with open_stream(url, cookies) as stream:
        return stream.status_code
