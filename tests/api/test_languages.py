"""The API answers in the language its caller's Accept-Language asks for: `zh-CN` (or `zh-SG`,
`zh-Hans`) gets Chinese, anything else English. A program says what it reads in that header, so
the language cookie and the session's choice that the pages follow must not change its errors.

Django's test client runs the async views too; one test asks the studio served by uvicorn, where
the language must cross from the event loop to the threads that check the request.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from django.conf import settings
from django.utils import translation

from jobs import messages as texts
from jobs.messages import job_text
from jobs.models import Job, JobStatus
from jobs.stored_texts import error_fields
from studio.api.answers import still_running
from studio.api.tokens import create_token
from studio.models import Profile
from tests.api.client_helpers import error, post_json

pytestmark = pytest.mark.django_db

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
GENERATIONS = "/v1/images/generations"
PNG = "data:image/png;base64,iVBORw0KGgo="  # read only once the model may edit


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A failed assertion inside translation.override must not leave Chinese to later tests."""
    yield
    translation.deactivate()


@pytest.mark.parametrize(
    ("path", "body", "chinese", "english"),
    [
        (GENERATIONS, {"model": "gpt-image-1", "prompt": "a cat", "colour": "red"},
         "未知参数：“colour”。", "Unknown parameter: 'colour'."),
        (GENERATIONS, [1, 2],
         "请求体必须是 JSON 对象。", "The request body must be a JSON object."),
        (GENERATIONS, {"model": "gpt-image-1", "prompt": "a", "size": ["1024x1024"]},
         "“size”必须是字符串或数字。", "'size' must be a string or a number."),
        ("/v1/images/edits", {"model": "dall-e-3", "prompt": "a", "images": [{"image_url": PNG}]},
         "模型“dall-e-3”不支持编辑图片。", "The model 'dall-e-3' cannot edit images."),
        ("/v1/images/edits", {"model": "gpt-image-1", "prompt": "a", "images": [{"file_id": "x"}]},
         "找不到此令牌可以使用的图片“x”。", "No image 'x' is available to this token."),
    ],
)  # fmt: skip
def test_an_invalid_request_is_refused_in_the_language_asked_for(
    client, bearer, path, body, chinese, english
):
    answer = post_json(client, path, body, {**bearer, **CHINESE})
    assert answer.status_code == 400
    assert error(answer)["message"] == chinese
    assert answer["Content-Language"] == "zh-hans"
    answer = post_json(client, path, body, {**bearer, **ENGLISH})
    assert answer.status_code == 400
    assert error(answer)["message"] == english
    assert answer["Content-Language"] == "en"
    assert not Job.objects.exists()


def test_the_models_own_checks_and_the_forms_speak_the_language_too(client, bearer):
    body = {"model": "dall-e-3", "prompt": "a", "n": 2}
    message = error(post_json(client, GENERATIONS, body, {**bearer, **CHINESE}))["message"]
    with translation.override("zh-hans"):
        # The capability table's sentence in Chinese, not a Chinese frame around English.
        one = translation.ngettext(
            "This model makes exactly %(count)s image per request.",
            "This model makes exactly %(count)s images per request.",
            1,
        ) % {"count": 1}
    assert message == f"{one}（模型“dall-e-3”）"
    english = error(post_json(client, GENERATIONS, body, {**bearer, **ENGLISH}))["message"]
    assert "exactly 1 image" in english and english.endswith("(model 'dall-e-3')")
    empty = {"model": "gpt-image-1", "prompt": ""}
    message = error(post_json(client, GENERATIONS, empty, {**bearer, **CHINESE}))["message"]
    assert not any("a" <= letter.lower() <= "z" for letter in message), message


def test_accept_language_decides_over_the_page_language_of_the_tokens_owner(client, alice, bearer):
    client.force_login(alice)
    # The switcher puts Chinese in the language cookie, the session and the profile.
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert Profile.objects.get(user=alice).language == "zh-hans"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    body = {"model": "gpt-image-1", "prompt": "a cat", "colour": "red"}
    english = post_json(client, GENERATIONS, body, {**bearer, **ENGLISH})
    assert error(english)["message"] == "Unknown parameter: 'colour'."
    # A client that names no language reads the API's own language, English.
    unnamed = post_json(client, GENERATIONS, body, bearer)
    assert error(unnamed)["message"] == "Unknown parameter: 'colour'."
    assert unnamed["Content-Language"] == "en"
    # And the pages keep following the person's choice.
    page = client.get("/generate/", headers={"accept_language": "en"}).content.decode()
    assert '<html lang="zh-hans">' in page


@pytest.mark.parametrize(
    ("header", "language"),
    [("zh-SG", "zh-hans"), ("zh-Hans", "zh-hans"), ("fr-FR, zh-CN;q=0.5", "zh-hans"),
     ("fr-FR", "en"), ("*", "en"), ("", "en")],
)  # fmt: skip
def test_the_language_is_the_first_one_the_studio_speaks(client, bearer, header, language):
    answer = client.get("/v1/models", **bearer, HTTP_ACCEPT_LANGUAGE=header)
    assert answer.status_code == 200 and answer["Content-Language"] == language


def test_paths_and_links_without_a_token_answer_in_the_language_asked_for(client):
    answer = client.post("/v1/chat/completions", {}, content_type="application/json", **CHINESE)
    assert answer.status_code == 404
    assert error(answer)["message"].startswith("工作室的 API 没有 POST /v1/chat/completions；")
    answer = client.get("/v1/files/not-a-signed-link/", **CHINESE)
    assert answer.status_code == 404
    assert error(answer)["message"] == "此图片链接无效或已过期（链接有效期为一小时）。"
    answer = client.get("/v1/files/not-a-signed-link/", **ENGLISH)
    assert error(answer)["message"].startswith("This image link is not valid")


def test_a_failed_jobs_error_is_translated_and_keeps_its_code(client, bearer, alice):
    stored = error_fields(job_text(texts.NO_ANSWER_IN_TIME, seconds=30))
    job = Job.objects.create(
        owner=alice, provider_name="sandbox", model_name="gpt-image-1", prompt="a cat",
        status=JobStatus.FAILED, **stored,
    )  # fmt: skip
    chinese = client.get(f"/v1/images/jobs/{job.pk}", **bearer, **CHINESE).json()["error"]
    with translation.override("zh-hans"):
        expected = translation.gettext("The provider did not answer within %(seconds)s seconds.")
    assert chinese["message"] == expected % {"seconds": "30"}
    assert chinese["code"] == "provider_timeout"  # decided by the stored code
    english = client.get(f"/v1/images/jobs/{job.pk}", **bearer, **ENGLISH).json()["error"]
    assert english == {**chinese, "message": job.error_message}
    missing = uuid.uuid4()
    answer = client.get(f"/v1/images/jobs/{missing}", **bearer, **CHINESE)
    assert error(answer)["message"] == f"找不到此令牌可以查看的任务“{missing}”。"


def test_a_job_still_waiting_is_described_in_the_language_asked_for():
    job = Job(pk=uuid.uuid4(), status=JobStatus.QUEUED)
    with translation.override("zh-hans"):
        assert "仍在排队" in still_running(job, 8).message
    job.status = JobStatus.RUNNING
    with translation.override("zh-hans"):
        assert "仍在进行中" in still_running(job, 8).message
    assert f"The job {job.pk} is still running after 8 s" in still_running(job, 8).message


def test_the_tokens_credits_cap_and_rate_limit_speak_chinese(client, alice, sandbox_models):
    _, capped = create_token(alice, name="capped", credits_cap=0)
    body = {"model": "gpt-image-1", "prompt": "a cat"}
    answer = post_json(
        client, GENERATIONS, body, {"HTTP_AUTHORIZATION": f"Bearer {capped}", **CHINESE}
    )
    assert answer.status_code == 403
    assert error(answer)["message"].startswith("此 API 令牌总共可使用 0 点数，还剩 0 点数；")
    token, limited = create_token(alice, name="limited")
    token.rate_limit_per_minute = 1
    token.save()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {limited}", **CHINESE}
    # Three calls: even if a minute's window ends after the first, one of the others is over.
    answers = [client.get("/v1/models", **headers) for _ in range(3)]
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert error(refused)["message"].startswith("此 API 令牌已达到请求频率上限：每分钟 1 次。")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_under_uvicorn_the_async_views_answer_in_the_language_asked_for(studio_server, alice):
    _, secret = create_token(alice, name="asgi")
    body = {"model": "gpt-image-1", "prompt": "a cat", "colour": "red"}
    answers = {
        language: requests.post(
            f"{studio_server}{GENERATIONS}",
            json=body,
            headers={"Authorization": f"Bearer {secret}", "Accept-Language": language},
            timeout=30,
        )
        for language in ("zh-CN", "en")
    }
    assert answers["zh-CN"].status_code == 400, answers["zh-CN"].text[:3000]
    assert answers["zh-CN"].json()["error"]["message"] == "未知参数：“colour”。"
    assert answers["zh-CN"].headers["Content-Language"] == "zh-hans"
    assert answers["en"].json()["error"]["message"] == "Unknown parameter: 'colour'."
