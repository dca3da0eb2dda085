"""Job errors, notes and waits are kept as codes with their values, and read in the reader's
language; what the provider said stays exactly as it was said."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import translation

from jobs import messages as texts
from jobs.localized import localize
from jobs.messages import MESSAGES, job_text, verbatim
from jobs.models import Job
from jobs.sentences import RAW, SENTENCE_END
from jobs.stored_texts import error_fields


def in_chinese(text) -> str:
    with translation.override("zh-hans"):
        return localize(text)


def test_a_nested_sentence_is_translated_and_the_providers_words_kept():
    limited = job_text(texts.LIMITING, where="HTTP 429", message="请求过于频繁; slow down")
    stored = job_text(texts.GAVE_UP, error=limited, attempts=4)
    assert str(stored) == (
        "The provider is limiting requests (HTTP 429): 请求过于频繁; slow down "
        "(gave up after 4 attempts)"
    )
    assert (
        in_chinese(stored)
        == "服务商正在限流（HTTP 429）：请求过于频繁; slow down（尝试 4 次后放弃）"
    )
    with translation.override("en"):
        assert localize(stored) == str(stored)


def test_each_image_problem_of_a_failed_job_is_translated_in_turn():
    problems = [
        job_text(texts.IMAGE_PROBLEM, index=1, error=job_text(texts.FILE_EMPTY)),
        job_text(texts.IMAGE_PROBLEM, index=2, error="odd; provider words"),
    ]
    stored = job_text(texts.NO_USABLE_IMAGE, problems=problems)
    assert in_chinese(stored) == (
        "服务商没有返回可用的图片：第 1 张图片：文件是空的。; 第 2 张图片：odd; provider words。"
    )


def test_text_the_studio_did_not_write_is_shown_as_stored():
    for stored in ("上游服务繁忙，请稍后再试", "Task failed: content flagged"):
        assert in_chinese(verbatim(stored)) == stored
    assert in_chinese(None) == ""


def test_every_code_has_a_chinese_translation():
    templates = [message.template for message in MESSAGES.values()] + [SENTENCE_END]
    assert len(templates) > 60
    with translation.override("zh-hans"):
        untranslated = [t for t in templates if translation.gettext(t) == t]
    # A template that holds nothing but placeholders reads the same in every language.
    assert untranslated == [texts.IMAGE_ERROR_CODE.template]


def test_codes_are_unique_and_every_sentence_of_the_module_has_one():
    sentences = [value for value in vars(texts).values() if isinstance(value, texts.Message)]
    codes = [message.code for message in sentences]
    assert len(codes) == len(set(codes)) == len(MESSAGES)
    assert all(code and code.isidentifier() and code.islower() for code in codes)


def test_a_sentence_refuses_a_missing_value_and_drops_unused_ones():
    with pytest.raises(ValueError, match="model_removed: no value for model"):
        job_text(texts.MODEL_REMOVED)
    text = job_text(texts.MODEL_REMOVED, model="gpt-image-1", provider="unused")
    assert dict(text.params) == {"model": "gpt-image-1"}


def sample(message: texts.Message) -> texts.JobText:
    """`message` filled with a word per placeholder: the provider's words for RAW ones."""
    values = {name: f"«{name}»" for name in message.placeholders}
    values.update(dict.fromkeys(message.placeholders & RAW, "上游说：busy"))
    return job_text(message, **values)


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_stored_code_reads_back_in_english_and_in_chinese(code):
    text = sample(MESSAGES[code])
    job = Job.objects.create(provider_name="p", model_name="m", prompt="x", **error_fields(text))

    stored = Job.objects.get(pk=job.pk)

    assert stored.error_code == code and stored.error_text == text
    with translation.override("en"):
        assert localize(stored.error_text) == str(text) == stored.error_message
    with translation.override("zh-hans"):
        chinese = translation.gettext(text.message.template) % dict(text.params)
    assert in_chinese(stored.error_text) == chinese
    if code != texts.IMAGE_ERROR_CODE.code:
        assert chinese != str(text)


def test_the_sentence_modules_import_no_django():
    """Provider adapters import the catalogue, so it must stay plain Python."""
    program = (
        "import sys; import jobs.messages, jobs.stored_texts, jobs.providers; "
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('django')}))"
    )
    found = subprocess.run(
        [sys.executable, "-c", program], cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"
