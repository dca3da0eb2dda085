"""The push channel: job changes travel from a real worker through a real Redis to the page (SSE),
and pages fall back to polling when the channel is down."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
from playwright.sync_api import expect

from jobs.models import Batch, Job, JobStatus
from tests.fixtures.browser import generate_and_open_the_job, log_in
from tests.fixtures.factories import make_job

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


def status_requests(page) -> list[float]:
    times: list[float] = []
    page.on(
        "request",
        lambda request: times.append(time.monotonic()) if "/status/" in request.url else None,
    )
    return times


@pytest.mark.browser
def test_the_job_page_waits_for_the_push_instead_of_polling(
    live_server, new_page, celery_worker, sandbox_models, alice
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/generate/")
    page.get_by_label("Prompt").fill("a slow lighthouse [[delay:5]]")
    generate_and_open_the_job(page)
    requested = status_requests(page)
    page.locator("body[data-push='live']").wait_for(state="attached")
    page.get_by_role("status").filter(has_text="Running").wait_for(timeout=20_000)
    quiet_from = time.monotonic()
    page.wait_for_timeout(2500)  # the provider is still working: nothing to ask about
    assert [t for t in requested if t > quiet_from + 0.3] == []
    page.get_by_role("status").filter(has_text="Succeeded").wait_for(timeout=30_000)
    expect(page.get_by_role("list", name="Results").get_by_role("img")).to_have_count(1)


@pytest.mark.browser
def test_with_the_push_channel_down_the_job_page_polls(
    live_server, new_page, celery_worker, sandbox_models, alice, settings
):
    settings.STUDIO_EVENTS_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    page = new_page()
    log_in(page, live_server.url, "alice", "/generate/")
    page.get_by_label("Prompt").fill("a lighthouse without push [[delay:5]]")
    generate_and_open_the_job(page)
    requested = status_requests(page)
    page.get_by_role("status").filter(has_text="Succeeded").wait_for(timeout=30_000)
    assert page.evaluate("document.body.dataset.push") == "polling"
    assert len(requested) >= 2  # it asked, again and again, until the job was done
    assert Job.objects.get().status == JobStatus.SUCCEEDED


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
