"""The dashscope emulation in the sandbox, spoken to with plain requests."""

from __future__ import annotations

import requests

from tests.dialects.sandbox_requests import KEY


def test_dashscope_refuses_synchronous_calls(sandbox):
    answer = requests.post(
        f"{sandbox.base_url}/api/v1/services/aigc/text2image/image-synthesis",
        json={"model": "wanx-v1", "input": {"prompt": "p"}},
        headers=KEY,
        timeout=10,
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "AccessDenied"
