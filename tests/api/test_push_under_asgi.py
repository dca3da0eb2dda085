"""Job pages' push channel under uvicorn (how `make run` and compose serve the studio).

Django would buffer a synchronous event stream whole under ASGI; the events must arrive as they
happen instead.
"""

from __future__ import annotations

import time

import pytest
import requests
from django.conf import settings
from django.test import Client

from jobs.events import publish_job_event
from jobs.models import Job

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
