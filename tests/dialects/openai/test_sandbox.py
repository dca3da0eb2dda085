"""The openai emulation in the sandbox, spoken to with plain requests: real pictures of the asked
size, edits under a mask, URL and base64 answers, and the checks the real service makes."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image

from tests.dialects.helpers import mask_png, png
from tests.dialects.sandbox_requests import KEY, generate, picture, post_edit


@pytest.mark.parametrize("size", ["256x256", "512x512", "1024x1024"])
def test_images_are_real_pngs_of_the_requested_size(sandbox, size):
    answer = generate(sandbox, "a lemon", size=size, n=2).json()

    images = [picture(entry) for entry in answer["data"]]
    assert [(i.format, f"{i.width}x{i.height}") for i in images] == [("PNG", size)] * 2


def test_the_picture_depends_on_the_prompt(sandbox):
    lemon = picture(generate(sandbox, "a lemon", size="256x256").json()["data"][0])
    again = picture(generate(sandbox, "a lemon", size="256x256").json()["data"][0])
    plum = picture(generate(sandbox, "a plum", size="256x256").json()["data"][0])

    assert lemon.tobytes() == again.tobytes()
    assert lemon.tobytes() != plum.tobytes()


def test_an_edit_paints_only_where_the_mask_is_transparent(sandbox):
    source = png(256, 256, (10, 200, 30, 255))
    answer = post_edit(
        sandbox,
        [
            ("image", ("in.png", source, "image/png")),
            ("mask", ("mask.png", mask_png(256, 256), "image/png")),
        ],
        {"model": "dall-e-2", "prompt": "a hat", "response_format": "b64_json"},
    ).json()

    result = picture(answer["data"][0]).convert("RGB")
    assert result.size == (256, 256)
    assert result.getpixel((128, 150)) == (10, 200, 30)  # kept: opaque in the mask
    top = {result.getpixel((x, 20)) for x in range(0, 256, 8)}
    assert top != {(10, 200, 30)}  # painted: transparent in the mask


def test_url_results_are_served_by_the_sandbox(sandbox):
    entry = generate(sandbox, "a pear", size="256x256", response_format="url").json()["data"][0]

    served = requests.get(entry["url"], timeout=10)
    assert served.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (256, 256)


def test_gpt_image_always_answers_base64(sandbox):
    body = {"model": "gpt-image-1", "prompt": "a pear", "size": "1024x1024"}
    answer = requests.post(
        f"{sandbox.base_url}/v1/images/generations", json=body, headers=KEY, timeout=10
    ).json()

    assert set(answer["data"][0]) == {"b64_json"}
    assert "usage" in answer


def test_dall_e_2_edits_need_a_square_png(sandbox):
    answer = post_edit(
        sandbox,
        [("image", ("wide.png", png(64, 32), "image/png"))],
        {"model": "dall-e-2", "prompt": "p"},
    )

    assert answer.status_code == 400
    assert "square" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "gpt-image-1", "prompt": "p", "response_format": "url"}, "response_format"),
        ({"model": "dall-e-2", "prompt": "p", "quality": None}, "null"),
        ({"model": "dall-e-2"}, "prompt"),
    ],
)
def test_generations_are_validated_like_the_real_service(sandbox, body, message):
    answer = requests.post(
        f"{sandbox.base_url}/v1/images/generations", json=body, headers=KEY, timeout=10
    )

    assert answer.status_code == 400
    assert message in answer.json()["error"]["message"]
