"""The grok dialect: per-image arrays of length n, single-image multipart edits."""

from __future__ import annotations

import pytest

from jobs.dialects import get_dialect
from jobs.providers import ImageRequest, InputImage, ProviderError, TaskState
from jobs.providers.download import download_image
from tests.dialects.helpers import header, png
from tests.fixtures.sandbox import SANDBOX_API_KEY, decode_image

grok = get_dialect("grok")


def test_per_image_fields_are_arrays_of_length_n(sandbox, sandbox_endpoint):
    request = ImageRequest(
        model="grok-3-image",
        prompt="a harbour",
        n=3,
        response_format="url",
        params={"aspect_ratio": "16:9"},
    )

    result = grok.submit(sandbox_endpoint, request)

    (sent,) = sandbox.requests()
    assert (sent["method"], sent["path"]) == ("POST", "/v1/images/generations")
    assert header(sent, "Authorization") == f"Bearer {SANDBOX_API_KEY}"
    assert sent["json"] == {
        "model": "grok-3-image",
        "prompt": "a harbour",
        "n": 3,
        "response_format": "url",
        "aspect_ratio": ["16:9", "16:9", "16:9"],
        "quality": [None, None, None],
        "resolution": [None, None, None],
    }
    assert result.state is TaskState.SUCCEEDED
    assert len(result.images) == 3
    data = download_image(result.images[0].url, provider_base_url=sandbox.base_url)
    picture = decode_image(data)
    assert (picture.format, picture.size) == ("JPEG", (1024, 576))


def test_without_per_image_fields_no_arrays_are_sent(sandbox, sandbox_endpoint):
    request = ImageRequest(
        model="grok-3-image",
        prompt="a tree",
        response_format="b64_json",
        params={"size": "960x960"},
    )

    result = grok.submit(sandbox_endpoint, request)

    assert sandbox.requests()[0]["json"] == {
        "model": "grok-3-image",
        "prompt": "a tree",
        "n": 1,
        "size": "960x960",
        "response_format": "b64_json",
    }
    assert decode_image(result.images[0].b64_json).size == (960, 960)


def test_usage_is_kept_unchanged(sandbox_endpoint):
    result = grok.submit(sandbox_endpoint, ImageRequest(model="grok-3-image", prompt="a boat", n=2))

    assert result.usage == {
        "generated_images": 2,
        "output_tokens": 32768,
        "total_tokens": 32768,
        "cost_in_usd_ticks": 1_400_000_000,
    }


def test_an_edit_sends_exactly_one_image_part_and_text_fields(sandbox, sandbox_endpoint):
    request = ImageRequest(
        model="grok-3-image",
        prompt="add a duck",
        operation="edit",
        n=2,
        response_format="b64_json",
        images=(InputImage(png(120, 90), "photo.png"),),
        params={"aspect_ratio": "1:1", "quality": "low"},
    )

    result = grok.submit(sandbox_endpoint, request)

    sent = sandbox.requests()[0]
    assert sent["path"] == "/v1/images/edits"
    assert sent["form"] == {
        "model": "grok-3-image",
        "prompt": "add a duck",
        "n": "2",
        "aspect_ratio": "1:1",
        "quality": "low",
        "response_format": "b64_json",
    }
    assert [(f["field"], f["filename"]) for f in sent["files"]] == [("image", "photo.png")]
    assert [decode_image(i.b64_json).size for i in result.images] == [(1024, 1024)] * 2


def test_an_edit_with_two_images_is_refused_before_anything_is_sent(sandbox, sandbox_endpoint):
    images = (InputImage(png()), InputImage(png()))
    request = ImageRequest(model="grok-3-image", prompt="x", operation="edit", images=images)

    with pytest.raises(ProviderError) as caught:
        grok.submit(sandbox_endpoint, request)

    assert caught.value.permanent
    assert sandbox.requests() == []
