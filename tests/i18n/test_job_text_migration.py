"""Rows from before codes: the data migration turns their English into codes once, with the old
matcher, and a text it cannot recognise stays as it is."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from jobs import messages as texts
from jobs.messages import MESSAGES
from jobs.models import Job, JobStatus
from jobs.stored_texts import encode
from tests.i18n.test_job_texts import sample

migration = importlib.import_module("jobs.migrations.0018_job_texts_from_english")


@pytest.mark.parametrize("code", sorted(migration.TEMPLATES))
def test_the_migration_reads_each_sentence_as_the_studio_now_stores_it(code):
    text = sample(MESSAGES[code])

    assert migration.convert(str(text)) == encode(text)


def test_every_code_the_migration_writes_is_still_known():
    assert set(migration.TEMPLATES) <= set(MESSAGES)
    for code, template in migration.TEMPLATES.items():
        assert MESSAGES[code].placeholders == texts.Message(code, template).placeholders


@pytest.mark.django_db
def test_old_rows_get_codes_and_the_providers_words_apart(client, alice):
    gave_up = (
        "The provider is limiting requests (HTTP 429): 请求过于频繁; slow down "
        "(gave up after 4 attempts in 301 s)"
    )
    failed = Job.objects.create(
        owner=alice, provider_name="p", model_name="m", prompt="x", status=JobStatus.FAILED,
        error_message=gave_up,
        note="Attempt 1 failed (The provider had a temporary problem (HTTP 503): busy); "
        "trying again.",
    )  # fmt: skip
    waiting = Job.objects.create(
        owner=alice, provider_name="p", model_name="m", prompt="y",
        waiting_for="Waiting for a free slot for gpt-image-1 (1 jobs at once).",
    )  # fmt: skip
    unknown = Job.objects.create(
        owner=alice, provider_name="p", model_name="m", prompt="z", status=JobStatus.FAILED,
        error_message="Task failed: content flagged",
    )  # fmt: skip

    migration.forwards(apps, None)

    failed.refresh_from_db()
    assert (failed.error_code, failed.error_details) == ("gave_up_in", ["请求过于频繁; slow down"])
    assert failed.error_params == {
        "attempts": "4",
        "error": {"code": "limiting", "params": {"message": {"said": 0}, "where": "HTTP 429"}},
        "seconds": "301",
    }
    assert str(failed.error_text) == failed.error_message == gave_up  # the copy is untouched
    assert (failed.note_code, failed.note_details) == ("retrying", ["busy"])
    waiting.refresh_from_db()
    assert waiting.waiting_code == "wait_model_slot"
    assert waiting.waiting_params == {"limit": "1", "model": "gpt-image-1"}
    unknown.refresh_from_db()
    assert (unknown.error_code, unknown.error_params, unknown.error_details) == ("", {}, [])

    client.force_login(alice)
    with translation.override("zh-hans"):
        page = client.get(f"/jobs/{failed.pk}/status/", headers={"accept_language": "zh-CN"})
    assert "服务商正在限流（HTTP 429）" in page.content.decode()
    assert "<pre>请求过于频繁; slow down</pre>" in page.content.decode()
    assert "Task failed: content flagged" in client.get(f"/jobs/{unknown.pk}/").content.decode()


def test_a_text_that_would_not_read_back_the_same_is_left_alone():
    assert migration.convert("") is None
    assert migration.convert("The file is empty. And more.") is None
    assert migration.convert("The file is empty.") == ("file_empty", {}, [])
