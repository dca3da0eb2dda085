"""A failed job's sentence split for a person: ours in their language, the provider's own words
apart (stored apart, shown under "Details"), never lost and never translated. Readers render
from the stored code; nothing parses the English copy."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.html import escape

from jobs import engine
from jobs import messages as texts
from jobs.localized import localize_parts
from jobs.messages import job_text, verbatim
from jobs.models import Job, JobStatus
from jobs.provider_text import clean_job_fields
from jobs.stored_texts import error_fields, note_fields
from studio.api.tokens import create_token

SNIPPET = repr('{"created": 1, "data": [{"url": "http://')
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


def test_a_malformed_answer_becomes_a_sentence_and_its_snippet_a_detail():
    stored = job_text(texts.NOT_JSON, snippet=SNIPPET)

    with translation.override("en"):
        parts = localize_parts(stored)

    assert parts.sentence == "The provider answered with something that is not JSON."
    assert parts.details == (SNIPPET,)


def test_nested_raw_words_come_out_and_the_rest_is_translated():
    limited = job_text(texts.LIMITING, where="HTTP 429", message="请求过于频繁; slow down")
    stored = job_text(texts.GAVE_UP, error=limited, attempts=4)

    with translation.override("en"):
        english = localize_parts(stored)
    with translation.override("zh-hans"):
        chinese = localize_parts(stored)

    assert english.sentence == (
        "The provider is limiting requests (HTTP 429) (gave up after 4 attempts)"
    )
    assert english.details == ("请求过于频繁; slow down",)
    assert chinese.sentence.startswith("服务商正在限流（HTTP 429）")
    assert "请求过于频繁" not in chinese.sentence and "slow down" not in chinese.sentence


def test_our_own_sentences_have_no_details():
    stored = job_text(texts.NO_ANSWER_IN_TIME, seconds=30)

    with translation.override("en"):
        parts = localize_parts(stored)

    assert parts.sentence == str(stored)
    assert parts.details == ()


def test_text_of_unknown_origin_is_kept_whole():
    with translation.override("en"):
        parts = localize_parts(verbatim("something an old version wrote"))

    assert parts.sentence == "something an old version wrote" and parts.details == ()


def test_the_providers_words_are_stored_apart_and_cleaned():
    key = "sk-relay-0123456789abcdef"
    said = f"busy; your key {key} is fine"
    retrying = job_text(
        texts.RETRYING, attempt=2, error=job_text(texts.LIMITING, where="HTTP 429", message=said)
    )

    fields = clean_job_fields({**note_fields(retrying)}, api_key=key)

    assert fields["note_code"] == "retrying"
    assert fields["note_params"] == {
        "attempt": "2",
        "error": {"code": "limiting", "params": {"message": {"said": 0}, "where": "HTTP 429"}},
    }
    assert fields["note_details"] == ["busy; your key [redacted] is fine"]
    assert key not in repr(fields)


@pytest.mark.django_db
def test_a_job_failing_at_the_provider_shows_its_words_apart_on_the_page_and_in_the_api(
    client, alice, submit, sandbox
):
    job = submit("something forbidden [[fault:policy]]")
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAILED, texts.REFUSED_PROMPT.code)
    [words] = job.error_details
    assert job.error_params == {"message": {"said": 0}}
    assert job.error_message == f"The provider refused the prompt: {words}"  # the English copy

    client.force_login(alice)
    page = client.get(f"/jobs/{job.pk}/", headers={"accept_language": "zh-CN"}).content.decode()
    assert '<p class="error job-error" role="alert">服务商拒绝了提示词。</p>' in page
    assert f"<pre>{escape(words)}</pre>" in page

    _, secret = create_token(alice, name="tests")
    answer = client.get(
        f"/v1/images/jobs/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}", **CHINESE
    ).json()
    # The sentence in the caller's language, the provider's words as the provider wrote them.
    assert answer["error"]["message"] == f"服务商拒绝了提示词：{words}"
    assert answer["error"]["code"] == "provider_error"


@pytest.mark.django_db
def test_a_row_is_read_from_its_code_and_never_from_its_english_copy(client, alice):
    by_code = Job.objects.create(
        owner=alice, provider_name="p", model_name="m", prompt="x", status=JobStatus.FAILED,
        **{**error_fields(job_text(texts.FILE_EMPTY)), "error_message": "stale English"},
    )  # fmt: skip
    # A row without a code shows its text as it is, even when it reads like one of ours.
    without_code = Job.objects.create(
        owner=alice, provider_name="p", model_name="m", prompt="x", status=JobStatus.FAILED,
        error_message="The file is empty.",
    )  # fmt: skip
    client.force_login(alice)

    def error_on_page(job: Job) -> str:
        page = client.get(f"/jobs/{job.pk}/status/", headers={"accept_language": "zh-CN"})
        return page.content.decode()

    assert "文件是空的。" in error_on_page(by_code)
    assert "stale English" not in error_on_page(by_code)
    assert "The file is empty." in error_on_page(without_code)
    assert "文件是空的。" not in error_on_page(without_code)
