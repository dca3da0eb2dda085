"""Streaming partial images: the openai dialect's `stream: true` over real HTTP to the sandbox, and
the pipeline keeping partials only while the job runs, never charging them."""

from __future__ import annotations

import pytest

from jobs import events, partials, pipeline
from jobs.models import JobStatus
from jobs.providers import ImageRequest, TaskState, get_dialect
from jobs.quota import charged_for_job
from tests.fixtures.sandbox import decode_image

openai = get_dialect("openai")


def test_partials_arrive_one_by_one_before_the_final_image(sandbox, sandbox_endpoint):
    seen = []
    request = ImageRequest(
        model="gpt-image-1", prompt="a kite", size="1024x1024", partial_images=2,
        on_partial=lambda index, data: seen.append((index, decode_image(data).size)),
    )  # fmt: skip
    result = openai.submit(sandbox_endpoint, request)
    (sent,) = sandbox.requests()
    assert sent["json"]["stream"] is True and sent["json"]["partial_images"] == 2
    assert seen == [(0, (1024, 1024)), (1, (1024, 1024))]
    assert result.state is TaskState.SUCCEEDED
    assert len(result.images) == 1 and decode_image(result.images[0].b64_json).size == (1024, 1024)
    assert result.usage["total_tokens"] > 0


def test_without_partial_images_nothing_is_streamed(sandbox, sandbox_endpoint):
    openai.submit(sandbox_endpoint, ImageRequest(model="gpt-image-1", prompt="a kite"))
    (sent,) = sandbox.requests()
    assert "stream" not in sent["json"]


@pytest.mark.django_db
def test_the_pipeline_keeps_partials_only_while_the_job_runs_and_charges_the_final_image(
    submit, monkeypatch
):
    job = submit("a kite at dusk", partial_images=2)
    kept = []
    real_sink = partials.partial_sink

    def watching_sink(job_id, owner_id=None):
        keep = real_sink(job_id, owner_id)

        def keep_and_look(index, data):
            keep(index, data)
            kept.append(partials.latest_partial(job_id)[0])

        return keep_and_look

    monkeypatch.setattr(pipeline, "partial_sink", watching_sink)
    pipeline.run_job(job.pk)
    job.refresh_from_db()
    assert kept == [0, 1]  # each partial was there for the page while the job ran
    assert job.status == JobStatus.SUCCEEDED and job.images.count() == 1
    # In a test transaction the job's end is not committed, so end it as the commit hook would.
    events.publish_job_event(job.pk, "succeeded")
    assert partials.latest_partial(job.pk) is None
    assert charged_for_job(job) == (1, job.credits_reserved) and job.credits_reserved == 1


@pytest.mark.django_db
def test_only_the_openai_dialect_offers_partial_previews(client, alice, sandbox_models):
    client.force_login(alice)
    for name, offered in [("gpt-image-1", True), ("gpt-image-1.5", False), ("dall-e-2", False)]:
        page = client.get("/generate/fields/", {"model": sandbox_models[name].pk})
        assert ("Partial previews" in page.content.decode()) is offered, name
    refused = client.post(
        "/generate/",
        {"prompt": "a kite", "model": sandbox_models["gpt-image-1"].pk, "partial_images": 4},
    )
    assert refused.context["form"].errors["partial_images"]
