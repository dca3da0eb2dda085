"""Job errors and notes are stored in English and read in the reader's language; what the
provider said stays exactly as it was said."""

from __future__ import annotations

from django.utils import translation

from jobs import messages as texts
from jobs.messages import job_text, localize_job_text


def in_chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return localize_job_text(text)


def test_a_nested_sentence_is_translated_and_the_providers_words_kept():
    limited = job_text(texts.LIMITING, where="HTTP 429", message="请求过于频繁; slow down")
    stored = job_text(texts.GAVE_UP, error=limited, attempts=4)
    assert stored == "The provider is limiting requests (HTTP 429): 请求过于频繁; slow down " + (
        "(gave up after 4 attempts)"
    )
    assert (
        in_chinese(stored)
        == "服务商正在限流（HTTP 429）：请求过于频繁; slow down（尝试 4 次后放弃）"
    )
    with translation.override("en"):
        assert localize_job_text(stored) == stored


def test_each_image_problem_of_a_failed_job_is_translated_in_turn():
    problems = "; ".join(
        [
            job_text(texts.IMAGE_PROBLEM, index=1, error=job_text(texts.FILE_EMPTY)),
            job_text(texts.IMAGE_PROBLEM, index=2, error="odd; provider words"),
        ]
    )
    stored = job_text(texts.NO_USABLE_IMAGE, problems=problems)
    assert in_chinese(stored) == (
        "服务商没有返回可用的图片：第 1 张图片：文件是空的。; 第 2 张图片：odd; provider words。"
    )


def test_text_the_studio_did_not_write_is_shown_as_stored():
    for stored in ("", "上游服务繁忙，请稍后再试", "Task failed: content flagged"):
        assert in_chinese(stored) == stored


def test_every_sentence_of_the_engine_has_a_chinese_translation():
    templates = [
        value
        for name, value in vars(texts).items()
        if name.isupper() and not name.startswith("_") and isinstance(value, str)
    ]
    assert len(templates) > 40
    with translation.override("zh-hans"):
        untranslated = [t for t in templates if translation.gettext(t) == t]
    assert untranslated == []
