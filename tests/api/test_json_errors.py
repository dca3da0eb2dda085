"""Every answer under /v1 is JSON in OpenAI's error shape, whoever answers: the API's catch-all,
Django's method check, the body-size limits (ASGI and middleware), CSRF and server errors.
Dify's doubled `/v1/v1/` prefix is read as `/v1`."""

from __future__ import annotations

import json

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client

from jobs.models import Job
from tests.api.test_request_size_under_asgi import connect, read_answer

pytestmark = [pytest.mark.django_db(transaction=True)]


def _is_openai_error(response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"]
    return error


@pytest.mark.worker
def test_the_error_paths_of_the_running_server_answer_json(api_world, alice_api):
    base = api_world["url"]
    bearer = {"Authorization": f"Bearer {alice_api.api_key}"}
    walk = [
        ("GET", "/v1/nothing/here", 404, "not_found"),
        ("POST", "/v1/chat/completions", 404, "not_found"),  # no CSRF 403 for a POST
        ("GET", "/v1", 404, "not_found"),
        ("GET", "/v1/images/generations", 405, "method_not_allowed"),
        ("DELETE", "/v1/images/edits", 405, "method_not_allowed"),
        ("POST", "/v1/models", 405, "method_not_allowed"),
        ("PUT", "/v1/images/variations", 405, "method_not_allowed"),
    ]
    for method, path, status, code in walk:
        answer = requests.request(method, base + path, headers=bearer, timeout=10)
        assert _is_openai_error(answer, status)["code"] == code, (method, path)
    assert "POST" in requests.get(base + "/v1/images/generations", timeout=10).headers["Allow"]


def test_a_body_over_the_limit_answers_json_413_before_it_is_sent(studio_server):
    """The ASGI limit (studio/body_limit.py) answers from the headers alone."""
    declared = django_settings.STUDIO_REQUEST_MAX_BYTES + 1
    with connect(studio_server, timeout=5) as connection:
        connection.sendall(
            b"POST /v1/images/edits HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=xyz\r\n"
            b"Content-Length: %d\r\n\r\n" % declared
        )
        answer = read_answer(connection)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body)["error"]["code"] == "request_too_large"


@pytest.mark.worker
def test_dify_s_doubled_v1_prefix_reaches_the_api(api_world, alice_api):
    """Dify's DALL-E tool makes its base URL `str(URL(openai_base_url) / 'v1')`
    (langgenius/dify api/core/tools/provider/builtin/dalle/tools/dalle3.py, at c605d31e), so a
    base URL typed as `http://studio/v1` calls `/v1/v1/images/generations`."""
    answer = requests.post(
        f"{api_world['url']}/v1/v1/images/generations",
        json={"model": "dall-e-2", "prompt": "a fox", "size": "256x256"},
        headers={"Authorization": f"Bearer {alice_api.api_key}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["data"][0]["url"]
    models = requests.get(
        f"{api_world['url']}/v1/v1/models",
        headers={"Authorization": f"Bearer {alice_api.api_key}"},
        timeout=10,
    )
    assert models.status_code == 200 and models.json()["object"] == "list"
    assert Job.objects.count() == 1


def test_a_server_error_answers_json_500_and_pages_keep_html(bearer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("studio.api.views.usable_models", broken)
    client = Client(raise_request_exception=False)
    error = _is_openai_error(client.get("/v1/models", **bearer), 500)
    assert error["type"] == "server_error" and "a bug" not in error["message"]
    chinese = client.get("/v1/models", HTTP_ACCEPT_LANGUAGE="zh-CN", **bearer)
    assert chinese["Content-Language"] == "zh-hans"
    assert chinese.json()["error"]["message"] != error["message"]
    assert "text/html" in client.get("/no/such/page/")["Content-Type"]


def test_the_middleware_size_limit_answers_json_under_v1(bearer, settings):
    settings.STUDIO_REQUEST_MAX_BYTES = 64 * 1024
    client = Client()
    body = "x" * (70 * 1024)
    answer = client.post("/v1/images/generations", body, content_type="application/json", **bearer)
    assert _is_openai_error(answer, 413)["code"] == "request_too_large"


def test_csrf_is_not_asked_under_v1(bearer):
    client = Client(enforce_csrf_checks=True)
    answer = client.post("/v1/images/generations", "{}", content_type="application/json", **bearer)
    _is_openai_error(answer, 400)  # the call's own complaint, not a CSRF 403 page
