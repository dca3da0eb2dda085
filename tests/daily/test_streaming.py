"""Streaming partial images: the openai dialect's `stream: true` over real HTTP to the sandbox, and
the pipeline keeping partials only while the job runs, never charging them."""

from __future__ import annotations

import pytest

from jobs import engine, events, partials
from jobs.dialects import get_dialect
from jobs.engine import request as request_builder
from jobs.models import JobStatus
from jobs.providers import ImageRequest, ProviderError, TaskState, http
from jobs.providers.sse import sse_data
from jobs.quota import charged_for_job
from tests.fixtures.sandbox import decode_image

openai = get_dialect("openai")


def test_partials_arrive_one_by_one_before_the_final_image(sandbox, sandbox_endpoint):
    seen = []
    request = ImageRequest(
        model="gpt-image-1", prompt="a kite", params={"size": "1024x1024", "partial_images": 2},
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

    monkeypatch.setattr(request_builder, "partial_sink", watching_sink)
    engine.run_job(job.pk)
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


# --- a streamed answer is bounded like any other (finding 3 of issue 19) ----------------------


def streaming_request(**options) -> ImageRequest:
    return ImageRequest(
        model="gpt-image-1",
        prompt="a kite",
        params={"size": "1024x1024", "partial_images": 2},
        **options,
    )


def test_a_streamed_answer_over_the_body_limit_is_refused(sandbox_endpoint, monkeypatch):
    monkeypatch.setattr(http, "max_body_bytes", 64 * 1024)
    with pytest.raises(ProviderError) as refused:
        openai.submit(sandbox_endpoint, streaming_request())
    assert refused.value.permanent and "larger than" in refused.value.message


def test_a_streamed_answer_takes_a_memory_slot_before_it_is_read(sandbox_endpoint, monkeypatch):
    taken = []
    monkeypatch.setattr(http, "before_large_body", lambda: taken.append(True))
    openai.submit(sandbox_endpoint, streaming_request())
    assert taken == [True]


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 4096])
def test_server_sent_events_are_read_whatever_the_chunks(size):
    stream = (
        b': a comment\r\nevent: one\r\ndata: {"a": 1}\r\n\r\n'
        b'data: {"b":\ndata: 2}\n\n'
        b'data: {"c": 3}\r\r'
        b'data:{"d": 4}\n\n'
        b'data: [DONE]\n\ndata: {"after": true}\n\n'
    )
    assert list(sse_data(chunked(stream, size))) == [
        '{"a": 1}',
        '{"b":\n2}',
        '{"c": 3}',
        '{"d": 4}',
        "[DONE]",  # the caller stops here
        '{"after": true}',
    ]


def test_an_event_without_a_final_blank_line_still_counts():
    assert list(sse_data([b'data: {"a": 1}'])) == ['{"a": 1}']


def test_a_long_event_line_in_small_chunks_is_read_whole_and_once():
    """An 8 MiB line in 512-byte chunks, as a socket may hand it over (the line reader it
    replaces joined and split the pending line again for every chunk: 7 s of CPU for three
    1.9 MB partials; bench figures in README's Security section)."""
    line = b"data: " + b"A" * (8 * 2**20) + b"\n\n"
    seen = 0

    def counted(chunks):
        nonlocal seen
        for chunk in chunks:
            seen += len(chunk)
            yield chunk

    (event,) = sse_data(counted(chunked(line, 512)))
    assert len(event) == 8 * 2**20 and seen == len(line)


@pytest.mark.django_db
def test_partial_previews_are_capped_in_bytes_per_job(submit, monkeypatch):
    job = submit("a kite at dawn", partial_images=3)
    kept = []
    monkeypatch.setattr(partials, "MAX_PARTIAL_BYTES_PER_JOB", 1)
    monkeypatch.setattr(events, "publish_job_event", lambda job_id, kind: kept.append(kind))
    monkeypatch.setattr(partials, "publish_job_event", lambda job_id, kind: kept.append(kind))
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.images.count() == 1
    assert "partial" not in kept and partials.latest_partial(job.pk) is None
