"""The sandbox's core, spoken to with plain requests: routing to each dialect's emulation, faults
in each one's envelope, recording, reset, its own server and command. What each dialect's
emulation answers is tested in its folder (`tests/dialects/<name>/test_sandbox.py`)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from jobs.sandbox import SandboxServer
from tests.dialects.helpers import png
from tests.dialects.sandbox_requests import KEY, generate, picture, post_edit

ROOT = Path(__file__).resolve().parents[2]


def test_health(sandbox):
    assert requests.get(f"{sandbox.base_url}/_sandbox/health", timeout=5).json() == {"status": "ok"}


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


def test_a_file_sent_as_a_text_field_is_refused(sandbox):
    answer = post_edit(
        sandbox, [("model", (None, "dall-e-2")), ("prompt", (None, "p")), ("image", (None, "x"))]
    )

    assert answer.status_code == 400
    assert "must be sent as a file" in answer.json()["error"]["message"]


def test_a_request_without_a_key_is_refused(sandbox):
    answer = requests.post(
        f"{sandbox.base_url}/v1/images/generations",
        json={"model": "dall-e-2", "prompt": "p"},
        timeout=10,
    )

    assert answer.status_code == 401


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
