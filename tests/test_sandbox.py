"""The sandbox emulator itself, spoken to with plain requests: real images, faults, recording."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from PIL import Image

from jobs.sandbox import SandboxServer
from tests.fixtures.images import mask_png, png

KEY = {"Authorization": "Bearer sk-sandbox"}
ROOT = Path(__file__).resolve().parents[1]


def generate(sandbox, prompt: str, **fields) -> requests.Response:
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


def test_health(sandbox):
    assert requests.get(f"{sandbox.base_url}/_sandbox/health", timeout=5).json() == {"status": "ok"}


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


def test_fault_counters_fire_the_given_number_of_times(sandbox):
    statuses = [generate(sandbox, "p [[fault:500:2]]").status_code for _ in range(3)]

    assert statuses == [500, 500, 200]


def test_a_429_fault_says_when_to_retry(sandbox):
    answer = generate(sandbox, "p [[fault:429:1]]")

    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["error"]["code"] == "rate_limit_exceeded"


def test_policy_faults_speak_each_dialects_language(sandbox):
    openai = generate(sandbox, "p [[fault:policy]]")
    task = requests.post(
        f"{sandbox.base_url}/api/v1/image/generation",
        json={"model": "gpt-image-1.5", "prompt": "p [[fault:policy]]"},
        headers=KEY,
        timeout=10,
    )
    dashscope = requests.post(
        f"{sandbox.base_url}/api/v1/services/aigc/text2image/image-synthesis",
        json={"model": "wanx-v1", "input": {"prompt": "p [[fault:policy]]"}},
        headers={**KEY, "X-DashScope-Async": "enable"},
        timeout=10,
    )

    assert openai.status_code == 400
    assert openai.json()["error"] == {
        "code": "content_policy_violation",
        "message": "Your request was rejected as a result of our safety system.",
        "param": None,
        "type": "invalid_request_error",
    }
    assert task.status_code == 200
    assert task.json()["code"] != 0
    assert dashscope.status_code == 200
    assert dashscope.json()["code"] == "DataInspectionFailed"


def test_the_malformed_fault_answers_200_with_broken_json(sandbox):
    answer = generate(sandbox, "p [[fault:malformed]]")

    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)


def test_directives_are_not_drawn_and_do_not_change_the_picture(sandbox):
    plain = picture(generate(sandbox, "a fig", size="256x256").json()["data"][0])
    delayed = picture(generate(sandbox, "a fig [[delay:0.1]]", size="256x256").json()["data"][0])

    assert plain.tobytes() == delayed.tobytes()


def test_every_request_is_recorded_with_headers_bodies_and_files(sandbox):
    source = png()
    post_edit(
        sandbox,
        [("image[]", ("one.png", source, "image/png"))],
        {"model": "gpt-image-1", "prompt": "a hat", "n": "1"},
    )
    generate(sandbox, "a cat")

    recorded = requests.get(f"{sandbox.base_url}/_sandbox/requests", timeout=5).json()

    edit, generation = recorded
    assert edit["method"] == "POST"
    assert edit["path"] == "/v1/images/edits"
    assert edit["headers"]["Authorization"] == "Bearer sk-sandbox"
    assert edit["json"] is None
    assert edit["form"] == {"model": "gpt-image-1", "prompt": "a hat", "n": "1"}
    assert edit["files"] == [
        {
            "field": "image[]",
            "filename": "one.png",
            "content_type": "image/png",
            "size": len(source),
            "sha256": hashlib.sha256(source).hexdigest(),
        }
    ]
    assert generation["json"]["prompt"] == "a cat"
    assert generation["form"] == {}
    assert generation["files"] == []


def test_reset_clears_requests_tasks_and_fault_counters(sandbox):
    generate(sandbox, "p [[fault:500:1]]")
    task_id = requests.post(
        f"{sandbox.base_url}/api/v1/image/generation",
        json={"model": "gpt-image-1.5", "prompt": "p"},
        headers=KEY,
        timeout=10,
    ).json()["data"]["task_id"]

    requests.post(f"{sandbox.base_url}/_sandbox/reset", timeout=5)

    assert sandbox.requests() == []
    assert generate(sandbox, "p [[fault:500:1]]").status_code == 500  # counter starts again
    poll = requests.get(
        f"{sandbox.base_url}/api/v1/image/generation/{task_id}", headers=KEY, timeout=5
    )
    assert poll.status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "grok-3-image", "prompt": "p", "n": 2, "quality": ["low"]}, "n=2"),
        ({"model": "grok-3-image", "prompt": "p", "size": "1024x1024"}, "size"),
        ({"model": "grok-3-image", "prompt": "x" * 1001}, "too long"),
        ({"model": "gpt-image-1", "prompt": "p", "response_format": "url"}, "response_format"),
        ({"model": "dall-e-2", "prompt": "p", "quality": None}, "null"),
        ({"model": "dall-e-2"}, "prompt"),
    ],
)
def test_generations_are_validated_like_the_real_services(sandbox, body, message):
    answer = requests.post(
        f"{sandbox.base_url}/v1/images/generations", json=body, headers=KEY, timeout=10
    )

    assert answer.status_code == 400
    assert message in answer.json()["error"]["message"]


def test_grok_edits_take_exactly_one_image(sandbox):
    two = [("image", ("a.png", png(), "image/png")), ("image", ("b.png", png(), "image/png"))]
    answer = post_edit(sandbox, two, {"model": "grok-3-image", "prompt": "p"})

    assert answer.status_code == 400
    assert "exactly one" in answer.json()["error"]["message"]


def test_a_file_sent_as_a_text_field_is_refused(sandbox):
    answer = post_edit(
        sandbox, [("model", (None, "dall-e-2")), ("prompt", (None, "p")), ("image", (None, "x"))]
    )

    assert answer.status_code == 400
    assert "must be sent as a file" in answer.json()["error"]["message"]


def test_dall_e_2_edits_need_a_square_png(sandbox):
    answer = post_edit(
        sandbox,
        [("image", ("wide.png", png(64, 32), "image/png"))],
        {"model": "dall-e-2", "prompt": "p"},
    )

    assert answer.status_code == 400
    assert "square" in answer.json()["error"]["message"]


def test_qwen_accepts_only_the_list_of_parts_shape(sandbox):
    message = {"role": "user", "content": "a plain string"}
    answer = requests.post(
        f"{sandbox.base_url}/v1/images/edits",
        json={"model": "wanx-v1", "input": {"messages": [message]}},
        headers=KEY,
        timeout=10,
    )

    assert answer.status_code == 400


def test_dashscope_refuses_synchronous_calls(sandbox):
    answer = requests.post(
        f"{sandbox.base_url}/api/v1/services/aigc/text2image/image-synthesis",
        json={"model": "wanx-v1", "input": {"prompt": "p"}},
        headers=KEY,
        timeout=10,
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "AccessDenied"


def test_a_request_without_a_key_is_refused(sandbox):
    answer = requests.post(
        f"{sandbox.base_url}/v1/images/generations",
        json={"model": "dall-e-2", "prompt": "p"},
        timeout=10,
    )

    assert answer.status_code == 401


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


def test_a_server_of_its_own_starts_on_a_free_port_and_stops():
    with SandboxServer(port=0) as server:
        assert server.port > 0
        assert requests.get(f"{server.base_url}/_sandbox/health", timeout=5).status_code == 200


def test_the_management_command_documents_the_directives():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "studio.settings_test"}
    shown = subprocess.run(
        [sys.executable, "manage.py", "sandbox", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout

    for text in ("--task-seconds", "--delay", "[[fault:429:N]]", "[[pending:20]]", "[[fewer:K]]"):
        assert text in shown
    assert "[[trickleanswer:S]]" in shown


def test_a_trickled_answer_comes_whole_but_a_few_bytes_at_a_time(sandbox):
    started = time.monotonic()
    answer = generate(sandbox, "a slow answer [[trickleanswer:1]]")
    took = time.monotonic() - started
    assert answer.status_code == 200 and answer.json()["data"][0]["b64_json"]
    assert took >= 0.9  # 20 pieces spread over the second asked for
