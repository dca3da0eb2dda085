"""The asynchronous task relay: envelope, submit → running → poll → final, loose status words."""

from __future__ import annotations

import pytest

from jobs.dialects import get_dialect
from jobs.providers import Endpoint, ImageRequest, InputImage, ProviderError, TaskState
from jobs.providers.download import download_image
from tests.dialects.helpers import data_uri_bytes, header, mask_png, png, run_to_end
from tests.fixtures.sandbox import SANDBOX_API_KEY, decode_image

task = get_dialect("task")


def test_submit_then_poll_until_the_urls_arrive(sandbox, sandbox_endpoint):
    request = ImageRequest(
        model="gpt-image-1.5",
        prompt="a kite [[polls:2]]",
        n=2,
        params={"size": "1024x1536", "quality": "low"},
    )

    submitted = task.submit(sandbox_endpoint, request)
    final = run_to_end(task, sandbox_endpoint, submitted)

    assert submitted.state is TaskState.RUNNING
    assert submitted.task_id
    first, *polls = sandbox.requests()
    assert (first["method"], first["path"]) == ("POST", "/api/v1/image/generation")
    assert header(first, "Authorization") == f"Bearer {SANDBOX_API_KEY}"
    assert first["json"] == {
        "model": "gpt-image-1.5",
        "prompt": "a kite [[polls:2]]",
        "n": 2,
        "size": "1024x1536",
        "quality": "low",
    }
    assert polls
    assert {(p["method"], p["path"]) for p in polls} == {
        ("GET", f"/api/v1/image/generation/{submitted.task_id}")
    }
    assert header(polls[0], "Authorization") == f"Bearer {SANDBOX_API_KEY}"
    assert final.state is TaskState.SUCCEEDED
    assert final.remote_status == "success"
    assert final.task_id == submitted.task_id
    assert final.usage["images"] == 2
    sizes = [
        decode_image(download_image(i.url, provider_base_url=sandbox.base_url)).size
        for i in final.images
    ]
    assert sizes == [(1024, 1536)] * 2


def test_source_images_and_mask_travel_as_data_uris(sandbox, sandbox_endpoint):
    source, mask = png(96, 96), mask_png(96, 96)
    request = ImageRequest(
        model="gpt-image-1.5",
        prompt="a door [[polls:1]]",
        operation="edit",
        images=(InputImage(source),),
        mask=InputImage(mask),
        params={"input_fidelity": "high"},
    )

    final = run_to_end(task, sandbox_endpoint, task.submit(sandbox_endpoint, request))

    sent = sandbox.requests()[0]["json"]
    assert [data_uri_bytes(entry["image_url"]) for entry in sent["images"]] == [source]
    assert data_uri_bytes(sent["mask"]["image_url"]) == mask
    assert sent["input_fidelity"] == "high"
    picture = decode_image(download_image(final.images[0].url, provider_base_url=sandbox.base_url))
    assert picture.size == (96, 96)


def test_a_configured_poll_path_is_used(sandbox):
    endpoint = Endpoint(
        base_url=sandbox.base_url,
        api_key="k-1",
        poll_path="/api/v1/image/generation/{task_id}?with=urls",
    )
    submitted = task.submit(endpoint, ImageRequest(model="gpt-image-1.5", prompt="p"))

    task.poll(endpoint, submitted.task_id)

    assert sandbox.requests()[-1]["path"] == (
        f"/api/v1/image/generation/{submitted.task_id}?with=urls"
    )


def test_an_unknown_status_word_means_still_running(sandbox_endpoint):
    request = ImageRequest(model="gpt-image-1.5", prompt="p [[status:Cooking]] [[never]]")
    submitted = task.submit(sandbox_endpoint, request)

    polled = task.poll(sandbox_endpoint, submitted.task_id)

    assert polled.state is TaskState.RUNNING
    assert polled.remote_status == "Cooking"


@pytest.mark.parametrize("word", ["failed", "expired", "CANCELLED", "Error"])
def test_failure_words_end_the_task_as_failed(sandbox_endpoint, word):
    request = ImageRequest(model="gpt-image-1.5", prompt=f"p [[polls:1]] [[final:{word}]]")

    final = run_to_end(task, sandbox_endpoint, task.submit(sandbox_endpoint, request))

    assert final.state is TaskState.FAILED
    assert word in str(final.message)


def test_success_without_a_url_is_a_failure(sandbox_endpoint):
    request = ImageRequest(model="gpt-image-1.5", prompt="p [[polls:1]] [[fewer:0]]")

    final = run_to_end(task, sandbox_endpoint, task.submit(sandbox_endpoint, request))

    assert final.state is TaskState.FAILED
    assert "no image URL" in str(final.message)


def test_an_error_code_under_http_200_is_an_error(sandbox_endpoint):
    request = ImageRequest(model="gpt-image-1.5", prompt="p [[fault:policy]]")

    with pytest.raises(ProviderError) as caught:
        task.submit(sandbox_endpoint, request)

    assert caught.value.permanent
    assert caught.value.status == 200
    assert caught.value.message.startswith("The provider refused the prompt: ")
    assert "content policy" in caught.value.message


def test_a_busy_envelope_is_transient(sandbox_endpoint):
    with pytest.raises(ProviderError) as caught:
        task.submit(
            sandbox_endpoint, ImageRequest(model="gpt-image-1.5", prompt="p [[fault:busy]]")
        )

    assert not caught.value.permanent


def test_a_failing_poll_is_retried_in_place(sandbox, sandbox_endpoint):
    request = ImageRequest(model="gpt-image-1.5", prompt="p [[polls:1]] [[pollfault:502:1]]")
    submitted = task.submit(sandbox_endpoint, request)

    polled = task.poll(sandbox_endpoint, submitted.task_id)

    assert polled.state is TaskState.SUCCEEDED
    assert [r["method"] for r in sandbox.requests()] == ["POST", "GET", "GET"]


def test_a_poll_that_keeps_failing_raises_a_transient_error(sandbox, sandbox_endpoint):
    request = ImageRequest(model="gpt-image-1.5", prompt="p [[pollfault:500:9]]")
    submitted = task.submit(sandbox_endpoint, request)

    with pytest.raises(ProviderError) as caught:
        task.poll(sandbox_endpoint, submitted.task_id)

    assert not caught.value.permanent
    assert [r["method"] for r in sandbox.requests()] == ["POST", "GET", "GET", "GET"]


def test_an_unknown_task_is_a_permanent_error(sandbox_endpoint):
    with pytest.raises(ProviderError) as caught:
        task.poll(sandbox_endpoint, "no-such-task")

    assert caught.value.permanent
    assert caught.value.status == 404
