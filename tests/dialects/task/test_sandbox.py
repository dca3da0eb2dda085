"""The task relay's emulation in the sandbox, spoken to with plain requests."""

from __future__ import annotations

import io

import requests
from PIL import Image

from tests.dialects.sandbox_requests import KEY


def submit_and_poll_once(sandbox, **fields) -> tuple[dict, dict]:
    """A task-dialect submit and its first poll: (submit answer, poll answer)."""
    submitted = requests.post(
        f"{sandbox.base_url}/api/v1/image/generation",
        json={"model": "gpt-image-1.5", **fields},
        headers=KEY,
        timeout=10,
    ).json()
    poll = requests.get(
        f"{sandbox.base_url}/api/v1/image/generation/{submitted['data']['task_id']}",
        headers=KEY,
        timeout=10,
    ).json()
    return submitted, poll


def test_an_async_task_runs_then_serves_its_images(sandbox):
    submitted, poll = submit_and_poll_once(sandbox, prompt="p [[pending:0]]", n=2, size="1024x1536")

    assert submitted["code"] == 0
    assert submitted["data"]["task_status"] == "submitted"
    assert poll["data"]["task_status"] == "success"
    sizes = [
        Image.open(io.BytesIO(requests.get(u, timeout=10).content)).size
        for u in poll["data"]["urls"]
    ]
    assert sizes == [(1024, 1536)] * 2


def test_a_never_ending_task_stays_running(sandbox):
    _, poll = submit_and_poll_once(sandbox, prompt="p [[pending:0]] [[never]]")

    assert poll["data"]["task_status"] in ("queued", "processing")
    assert poll["data"]["urls"] == []
