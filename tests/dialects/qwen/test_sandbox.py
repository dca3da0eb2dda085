"""The qwen emulation in the sandbox, spoken to with plain requests."""

from __future__ import annotations

import requests

from tests.dialects.sandbox_requests import KEY


def test_qwen_accepts_only_the_list_of_parts_shape(sandbox):
    message = {"role": "user", "content": "a plain string"}
    answer = requests.post(
        f"{sandbox.base_url}/v1/images/edits",
        json={"model": "wanx-v1", "input": {"messages": [message]}},
        headers=KEY,
        timeout=10,
    )

    assert answer.status_code == 400
