"""The openai dialect against the sandbox over real HTTP."""

from __future__ import annotations

import pytest

from jobs.dialects import get_dialect
from jobs.providers import ImageRequest, InputImage, ProviderError, TaskState
from tests.dialects.helpers import header, mask_png, png
from tests.fixtures.sandbox import SANDBOX_API_KEY, decode_image

openai = get_dialect("openai")


def test_generation_sends_only_the_fields_that_are_set(sandbox, sandbox_endpoint):
    request = ImageRequest(
        model="dall-e-2", prompt="a red bicycle", n=2, params={"size": "256x256"}
    )

    result = openai.submit(sandbox_endpoint, request)

    (sent,) = sandbox.requests()
    assert (sent["method"], sent["path"]) == ("POST", "/v1/images/generations")
    assert header(sent, "Authorization") == f"Bearer {SANDBOX_API_KEY}"
    assert sent["json"] == {
        "model": "dall-e-2",
        "prompt": "a red bicycle",
        "n": 2,
        "size": "256x256",
        "response_format": "b64_json",  # DALL-E defaults to base64: provider URLs expire
    }
    assert result.state is TaskState.SUCCEEDED
    assert len(result.images) == 2
    for image in result.images:
        assert decode_image(image.b64_json).size == (256, 256)


def test_gpt_image_never_gets_response_format_and_keeps_its_usage(sandbox, sandbox_endpoint):
    request = ImageRequest(
        model="gpt-image-1",
        prompt="a lighthouse",
        response_format="b64_json",
        params={
            "size": "1536x1024",
            "quality": "low",
            "output_format": "jpeg",
            "output_compression": 40,
        },
    )

    result = openai.submit(sandbox_endpoint, request)

    sent = sandbox.requests()[0]["json"]
    assert "response_format" not in sent
    assert sent["output_format"] == "jpeg"
    assert sent["output_compression"] == 40
    picture = decode_image(result.images[0].b64_json)
    assert (picture.format, picture.size) == ("JPEG", (1536, 1024))
    assert result.usage["input_tokens_details"]["text_tokens"] > 0
    assert result.usage["output_tokens"] == 1056


def test_dall_e_3_answers_with_a_url_and_a_revised_prompt(sandbox, sandbox_endpoint):
    request = ImageRequest(model="dall-e-3", prompt="a fox", response_format="url")

    result = openai.submit(sandbox_endpoint, request)

    assert sandbox.requests()[0]["json"]["response_format"] == "url"
    (image,) = result.images
    assert image.url.startswith(sandbox.base_url + "/files/")
    assert image.b64_json is None
    assert "a fox" in image.revised_prompt


def test_an_edit_is_multipart_with_every_field_as_text(sandbox, sandbox_endpoint):
    request = ImageRequest(
        model="dall-e-2",
        prompt="add a hat",
        operation="edit",
        n=2,
        images=(InputImage(png(64, 64), "source.png"),),
        mask=InputImage(mask_png(64, 64), "mask.png"),
        params={"size": "256x256"},
    )

    result = openai.submit(sandbox_endpoint, request)

    (sent,) = sandbox.requests()
    assert (sent["method"], sent["path"]) == ("POST", "/v1/images/edits")
    assert header(sent, "Content-Type").startswith("multipart/form-data; boundary=")
    assert sent["json"] is None
    assert sent["form"] == {
        "model": "dall-e-2",
        "prompt": "add a hat",
        "n": "2",
        "size": "256x256",
        "response_format": "b64_json",
    }
    assert [(f["field"], f["filename"], f["content_type"]) for f in sent["files"]] == [
        ("image", "source.png", "image/png"),
        ("mask", "mask.png", "image/png"),
    ]
    assert [decode_image(image.b64_json).size for image in result.images] == [(256, 256)] * 2


def test_several_edit_images_go_as_repeated_image_array_parts(sandbox, sandbox_endpoint):
    sources = tuple(InputImage(png(80, 80, colour), f"in-{i}.png") for i, colour in
                    enumerate([(255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255)]))  # fmt: skip
    request = ImageRequest(
        model="gpt-image-1",
        prompt="combine them",
        operation="edit",
        images=sources,
        params={"input_fidelity": "high"},
    )

    result = openai.submit(sandbox_endpoint, request)

    sent = sandbox.requests()[0]
    assert [f["field"] for f in sent["files"]] == ["image[]"] * 3
    assert [f["filename"] for f in sent["files"]] == ["in-0.png", "in-1.png", "in-2.png"]
    assert sent["form"]["input_fidelity"] == "high"
    assert "response_format" not in sent["form"]
    assert decode_image(result.images[0].b64_json).size == (80, 80)
    assert result.usage["input_tokens_details"]["image_tokens"] > 0


def test_a_limit_the_service_enforces_comes_back_as_a_permanent_error(sandbox_endpoint):
    request = ImageRequest(model="dall-e-3", prompt="two foxes", n=2)

    with pytest.raises(ProviderError) as caught:
        openai.submit(sandbox_endpoint, request)

    assert caught.value.permanent
    assert caught.value.status == 400
    assert "'n'" in caught.value.message


def test_fewer_images_than_asked_are_kept(sandbox_endpoint):
    request = ImageRequest(
        model="dall-e-2", prompt="cats [[fewer:1]]", n=3, params={"size": "256x256"}
    )

    result = openai.submit(sandbox_endpoint, request)

    assert result.state is TaskState.SUCCEEDED
    assert len(result.images) == 1


def test_openai_is_synchronous(sandbox_endpoint):
    with pytest.raises(NotImplementedError):
        openai.poll(sandbox_endpoint, "task-1")
