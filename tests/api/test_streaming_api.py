"""`stream: true`: OpenAI's image events (partial images, then completed), fed by the job's
partial previews and results; the job, quota and history are those of an ordinary call."""

from __future__ import annotations

import pytest
import requests

from jobs.models import Image, Job, JobKind, JobStatus, LedgerEntry
from tests.fixtures.images import png
from tests.fixtures.sandbox import decode_image

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_sdk_streams_partial_images_then_the_completed_one(alice_api, alice):
    stream = alice_api.images.generate(
        model="gpt-image-1",
        prompt="a lighthouse at dusk",
        size="1024x1024",
        quality="low",
        stream=True,
        partial_images=2,
    )
    events = list(stream)
    kinds = [event.type for event in events]
    assert kinds[-1] == "image_generation.completed"
    partials = [e for e in events if e.type == "image_generation.partial_image"]
    assert partials, kinds
    assert [e.partial_image_index for e in partials] == sorted(
        {e.partial_image_index for e in partials}
    )
    assert all(decode_image(e.b64_json).format == "PNG" for e in partials)
    completed = events[-1]
    assert decode_image(completed.b64_json).size == (1024, 1024)
    assert completed.size == "1024x1024" and completed.quality == "low"
    assert completed.usage.total_tokens >= 0
    job = Job.objects.get()
    assert (job.owner, job.status, job.kind) == (alice, JobStatus.SUCCEEDED, JobKind.GENERATE)
    assert job.params["partial_images"] == 2
    assert Image.objects.filter(job=job).count() == 1  # the partials are never stored
    assert LedgerEntry.objects.filter(job=job, kind="reserve").count() == 1


def test_a_model_without_previews_streams_its_completed_images(alice_api):
    stream = alice_api.images.generate(model="dall-e-2", prompt="a fox", n=2, stream=True)
    events = list(stream)
    assert [e.type for e in events] == ["image_generation.completed"] * 2
    assert all(decode_image(e.b64_json).format == "PNG" for e in events)


def test_an_edit_streams_image_edit_events(alice_api):
    stream = alice_api.images.edit(
        model="gpt-image-1",
        image=("photo.png", png(64, 64), "image/png"),
        prompt="add a hat",
        quality="low",
        stream=True,
    )
    events = list(stream)
    assert [e.type for e in events] == ["image_edit.completed"]
    assert decode_image(events[0].b64_json).format == "PNG"
    assert Job.objects.get().kind == JobKind.EDIT


def test_a_failed_job_ends_the_stream_with_an_error_event(api_world, alice_api):
    answer = requests.post(
        f"{api_world['url']}/v1/images/generations",
        json={"model": "dall-e-2", "prompt": "a fox [[fault:policy]]", "stream": True},
        headers={"Authorization": f"Bearer {alice_api.api_key}"},
        stream=True,
        timeout=30,
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/event-stream")
    text = answer.text
    assert "event: error" in text and '"code": "provider_error"' in text
    assert Job.objects.get().status == JobStatus.FAILED
