"""The grok relay's emulation in the sandbox, spoken to with plain requests."""

from __future__ import annotations

import pytest
import requests

from tests.dialects.helpers import png
from tests.dialects.sandbox_requests import KEY, post_edit


def test_grok_edits_take_exactly_one_image(sandbox):
    two = [("image", ("a.png", png(), "image/png")), ("image", ("b.png", png(), "image/png"))]
    answer = post_edit(sandbox, two, {"model": "grok-3-image", "prompt": "p"})

    assert answer.status_code == 400
    assert "exactly one" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "grok-3-image", "prompt": "p", "n": 2, "quality": ["low"]}, "n=2"),
        ({"model": "grok-3-image", "prompt": "p", "size": "1024x1024"}, "size"),
        ({"model": "grok-3-image", "prompt": "x" * 1001}, "too long"),
    ],
)
def test_generations_are_validated_like_the_real_relay(sandbox, body, message):
    answer = requests.post(
        f"{sandbox.base_url}/v1/images/generations", json=body, headers=KEY, timeout=10
    )

    assert answer.status_code == 400
    assert message in answer.json()["error"]["message"]
