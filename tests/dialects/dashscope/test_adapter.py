"""DashScope's native asynchronous protocol."""

from __future__ import annotations

import pytest

from jobs.dialects import get_dialect
from jobs.providers import ImageRequest, InputImage, ProviderError, TaskState
from jobs.providers.download import download_image
from tests.dialects.helpers import data_uri_bytes, header, mask_png, png, run_to_end
from tests.fixtures.sandbox import SANDBOX_API_KEY, decode_image

dashscope = get_dialect("dashscope")


def test_text_to_image_submits_asynchronously_and_polls_the_task(sandbox, sandbox_endpoint):
    request = ImageRequest(
        model="wanx-v1", prompt="a crane [[polls:2]]", n=2, params={"size": "720x1280"}
    )

    submitted = dashscope.submit(sandbox_endpoint, request)
    final = run_to_end(dashscope, sandbox_endpoint, submitted)

    first, *polls = sandbox.requests()
    assert (first["method"], first["path"]) == (
        "POST",
        "/api/v1/services/aigc/text2image/image-synthesis",
    )
    assert header(first, "X-DashScope-Async") == "enable"
    assert header(first, "Authorization") == f"Bearer {SANDBOX_API_KEY}"
    assert first["json"] == {
        "model": "wanx-v1",
        "input": {"prompt": "a crane [[polls:2]]"},
        "parameters": {"n": 2, "size": "720*1280"},
    }
    assert (submitted.state, submitted.remote_status) == (TaskState.RUNNING, "PENDING")
    assert {p["path"] for p in polls} == {f"/api/v1/tasks/{submitted.task_id}"}
    assert (final.state, final.remote_status) == (TaskState.SUCCEEDED, "SUCCEEDED")
    assert final.usage == {"image_count": 2}
    for image in final.images:
        data = download_image(image.url, provider_base_url=sandbox.base_url)
        assert decode_image(data).size == (720, 1280)


def test_an_edit_goes_to_image2image_with_data_uris(sandbox, sandbox_endpoint):
    source, mask = png(64, 64), mask_png(64, 64)
    request = ImageRequest(
        model="wanx2.1-imageedit",
        prompt="a hat [[polls:1]]",
        operation="edit",
        images=(InputImage(source),),
        mask=InputImage(mask),
    )

    final = run_to_end(dashscope, sandbox_endpoint, dashscope.submit(sandbox_endpoint, request))

    sent = sandbox.requests()[0]
    assert sent["path"] == "/api/v1/services/aigc/image2image/image-synthesis"
    prompt_input = sent["json"]["input"]
    assert prompt_input["function"] == "description_edit_with_mask"
    assert data_uri_bytes(prompt_input["base_image_url"]) == source
    assert data_uri_bytes(prompt_input["mask_image_url"]) == mask
    assert final.state is TaskState.SUCCEEDED


def test_per_image_errors_come_back_beside_the_images(sandbox_endpoint):
    request = ImageRequest(model="wanx-v1", prompt="p [[polls:1]] [[fewer:1]]", n=3)

    final = run_to_end(dashscope, sandbox_endpoint, dashscope.submit(sandbox_endpoint, request))

    assert final.state is TaskState.SUCCEEDED
    assert [bool(image.url) for image in final.images] == [True, False, False]
    assert all("InternalError.Algo" in str(image.error) for image in final.images[1:])
    assert final.usage == {"image_count": 1}


def test_no_image_at_all_is_a_failure_with_the_reasons(sandbox_endpoint):
    request = ImageRequest(model="wanx-v1", prompt="p [[polls:1]] [[fewer:0]]", n=2)

    final = run_to_end(dashscope, sandbox_endpoint, dashscope.submit(sandbox_endpoint, request))

    assert final.state is TaskState.FAILED
    assert "Image generation failed" in str(final.message)


@pytest.mark.parametrize("word", ["failed", "canceled"])
def test_final_failure_statuses(sandbox_endpoint, word):
    request = ImageRequest(model="wanx-v1", prompt=f"p [[polls:1]] [[final:{word}]]")

    final = run_to_end(dashscope, sandbox_endpoint, dashscope.submit(sandbox_endpoint, request))

    assert (final.state, final.remote_status) == (TaskState.FAILED, word.upper())
    assert word in str(final.message)


def test_a_task_the_service_no_longer_knows_is_failed(sandbox_endpoint):
    polled = dashscope.poll(sandbox_endpoint, "gone-task")

    assert (polled.state, polled.remote_status) == (TaskState.FAILED, "UNKNOWN")
    assert polled.task_id == "gone-task"


def test_suspended_and_unknown_words_keep_the_task_running(sandbox_endpoint):
    request = ImageRequest(model="wanx-v1", prompt="p [[never]] [[status:SUSPENDED]]")
    submitted = dashscope.submit(sandbox_endpoint, request)

    assert dashscope.poll(sandbox_endpoint, submitted.task_id).state is TaskState.RUNNING


def test_an_error_body_under_http_200_is_an_error(sandbox_endpoint):
    request = ImageRequest(model="wanx-v1", prompt="p [[fault:policy]]")

    with pytest.raises(ProviderError) as caught:
        dashscope.submit(sandbox_endpoint, request)

    error = caught.value
    assert (error.permanent, error.status, error.code) == (True, 200, "DataInspectionFailed")
    assert error.message == (
        "The provider refused the prompt: Input data may contain inappropriate content."
    )


def test_throttling_is_transient_with_retry_after(sandbox_endpoint):
    request = ImageRequest(model="wanx-v1", prompt="p [[fault:busy]]")

    with pytest.raises(ProviderError) as caught:
        dashscope.submit(sandbox_endpoint, request)

    assert (caught.value.permanent, caught.value.status, caught.value.retry_after) == (
        False,
        429,
        1.0,
    )
