"""The job page in a real browser with a real worker: it waits for the push (SSE through Redis)
instead of polling, and polls when the push channel is down. The stream: web/jobs/test_push.py."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from jobs.models import Job, JobStatus
from tests.fixtures.browser import generate_and_open_the_job, log_in

pytestmark = [
    pytest.mark.long,
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def status_requests(page) -> list[float]:
    times: list[float] = []
    page.on(
        "request",
        lambda request: times.append(time.monotonic()) if "/status/" in request.url else None,
    )
    return times


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
