"""Plain requests to the sandbox, as an OpenAI-style dialect would send them, for the tests of the
sandbox and of each dialect's emulation."""

from __future__ import annotations

import base64
import io

import requests
from PIL import Image

# Any key but one starting with "sk-bad" opens the sandbox.
KEY = {"Authorization": "Bearer sk-sandbox"}


def generate(sandbox, prompt: str, **fields) -> requests.Response:
    """An OpenAI generation (dall-e-2 and base64 unless `fields` say otherwise)."""
    body = {"model": "dall-e-2", "prompt": prompt, "response_format": "b64_json", **fields}
    return requests.post(
        f"{sandbox.base_url}/v1/images/generations", json=body, headers=KEY, timeout=10
    )


def post_edit(sandbox, files: list, data: dict | None = None) -> requests.Response:
    """A multipart edit request, as the OpenAI-style dialects send one."""
    return requests.post(
        f"{sandbox.base_url}/v1/images/edits", headers=KEY, data=data, files=files, timeout=10
    )


def picture(entry: dict) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(entry["b64_json"])))
    image.load()
    return image
