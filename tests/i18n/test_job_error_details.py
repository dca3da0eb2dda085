"""A failed job's text split for a person: our sentence in their language, the provider's own
words apart (for a "Details" disclosure), never lost and never translated."""

from __future__ import annotations

from django.utils import translation

from jobs import messages as texts
from jobs.messages import job_text, split_job_text

SNIPPET = repr('{"created": 1, "data": [{"url": "http://')


def test_a_malformed_answer_becomes_a_sentence_and_its_snippet_a_detail():
    stored = job_text(texts.NOT_JSON, snippet=SNIPPET)

    with translation.override("en"):
        parts = split_job_text(stored)

    assert parts.sentence == "The provider answered with something that is not JSON."
    assert parts.details == (SNIPPET,)


def test_nested_raw_words_come_out_and_the_rest_is_translated():
    limited = job_text(texts.LIMITING, where="HTTP 429", message="请求过于频繁; slow down")
    stored = job_text(texts.GAVE_UP, error=limited, attempts=4)

    with translation.override("en"):
        english = split_job_text(stored)
    with translation.override("zh-hans"):
        chinese = split_job_text(stored)

    assert english.sentence == (
        "The provider is limiting requests (HTTP 429) (gave up after 4 attempts)"
    )
    assert english.details == ("请求过于频繁; slow down",)
    assert chinese.sentence.startswith("服务商正在限流（HTTP 429）")
    assert "请求过于频繁" not in chinese.sentence and "slow down" not in chinese.sentence


def test_our_own_sentences_have_no_details():
    stored = job_text(texts.NO_ANSWER_IN_TIME, seconds=30)

    with translation.override("en"):
        parts = split_job_text(stored)

    assert parts.sentence == stored
    assert parts.details == ()


def test_text_of_unknown_origin_is_kept_whole():
    with translation.override("en"):
        parts = split_job_text("something an old version wrote")

    assert parts.sentence == "something an old version wrote" and parts.details == ()
