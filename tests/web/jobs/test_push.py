"""The push channel: job changes travel from a real worker through a real Redis to the page (SSE);
the streams' rights and caps. Pages that fall back to polling: browser/test_push.py."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests

from jobs.models import Batch, JobStatus
from tests.world import make_job

pytestmark = [pytest.mark.long, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def read_events(response, until: str, found: list, timeout: float = 30.0) -> None:
    """Collect the stream's `data:` payloads into `found` until one has kind `until`."""
    deadline = time.monotonic() + timeout
    for line in response.iter_lines(chunk_size=1, decode_unicode=True):
        if line.startswith("data: "):
            found.append(json.loads(line.removeprefix("data: ")))
            if found[-1]["kind"] == until:
                return
        if time.monotonic() > deadline:
            return


def test_a_workers_job_changes_arrive_on_the_event_stream(
    live_server, client, celery_worker, submit, alice
):
    # Queued and sent at once; the provider takes 2 s, so the stream below is open before the end.
    job = submit("a slow boat [[delay:2]]")
    client.force_login(alice)
    session = {"sessionid": client.cookies["sessionid"].value}
    found: list = []
    with requests.get(
        f"{live_server.url}/jobs/{job.pk}/events/", cookies=session, stream=True, timeout=30
    ) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/event-stream"
        reader = threading.Thread(target=read_events, args=(response, "succeeded", found))
        reader.start()
        reader.join(35)
    assert [event["kind"] for event in found][-1] == "succeeded", found
    assert {event["job"] for event in found} == {str(job.pk)}
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.images.count() == 1


def test_the_stream_of_another_persons_job_is_not_found(client, submit, bob):
    job = submit("not yours")
    client.force_login(bob)
    assert client.get(f"/jobs/{job.pk}/events/").status_code == 404


def test_a_finished_jobs_stream_is_204_under_wsgi_too(client, alice):
    client.force_login(alice)
    done = make_job(alice, status=JobStatus.FAILED)
    batch = Batch.objects.create(owner=alice)
    make_job(alice, status=JobStatus.SUCCEEDED, batch=batch)
    assert client.get(f"/jobs/{done.pk}/events/").status_code == 204
    assert client.get(f"/batches/{batch.pk}/events/").status_code == 204


def test_the_cap_on_streams_holds_under_wsgi_and_frees_on_close(client, alice, settings):
    settings.STUDIO_MAX_EVENT_STREAMS = 2
    client.force_login(alice)
    url = f"/jobs/{make_job(alice).pk}/events/"
    first, second = client.get(url), client.get(url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert client.get(url).status_code == 429
    first.close()  # what the WSGI server does when the page goes away
    third = client.get(url)
    assert third.status_code == 200
    second.close()
    third.close()
