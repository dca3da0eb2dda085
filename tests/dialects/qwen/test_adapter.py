"""The qwen messages format: one user message whose content is [{text}, {image}...]."""

from __future__ import annotations

from jobs.dialects import get_dialect
from jobs.providers import ImageRequest, InputImage, TaskState
from jobs.providers.download import download_image
from tests.dialects.helpers import data_uri_bytes, header, png
from tests.fixtures.sandbox import SANDBOX_API_KEY, decode_image

qwen = get_dialect("qwen")


def test_an_edit_references_the_source_image_inside_the_message(sandbox, sandbox_endpoint):
    source = png(200, 120)
    request = ImageRequest(
        model="wanx-v1",
        prompt="white backdrop",
        operation="edit",
        n=3,  # ignored by the service, so not sent
        response_format="b64_json",
        images=(InputImage(source),),
    )

    result = qwen.submit(sandbox_endpoint, request)

    (sent,) = sandbox.requests()
    assert (sent["method"], sent["path"]) == ("POST", "/v1/images/edits")
    assert header(sent, "Authorization") == f"Bearer {SANDBOX_API_KEY}"
    assert header(sent, "Content-Type") == "application/json"
    content = sent["json"]["input"]["messages"][0]["content"]
    assert sent["json"] == {
        "model": "wanx-v1",
        "input": {"messages": [{"role": "user", "content": content}]},
    }
    assert content[0] == {"text": "white backdrop"}
    assert data_uri_bytes(content[1]["image"]) == source
    assert result.state is TaskState.SUCCEEDED
    (image,) = result.images
    assert image.b64_json is None  # the service sends "" beside the url
    assert image.revised_prompt
    picture = decode_image(download_image(image.url, provider_base_url=sandbox.base_url))
    assert picture.size == (200, 120)
    assert result.usage["input_tokens_details"]["image_tokens"] > 0


def test_a_generation_sends_the_text_part_only(sandbox, sandbox_endpoint):
    result = qwen.submit(sandbox_endpoint, ImageRequest(model="wanx-v1", prompt="a temple"))

    message = sandbox.requests()[0]["json"]["input"]["messages"][0]
    assert message == {"role": "user", "content": [{"text": "a temple"}]}
    picture = decode_image(download_image(result.images[0].url, provider_base_url=sandbox.base_url))
    assert picture.size == (1024, 1024)
