"""A provider's words never carry the key to people: text is cleaned, usage keeps known counters."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs import pipeline
from jobs.models import Job, JobStatus
from jobs.provider_text import clean_provider_text, clean_usage

# Not shaped like any well-known key, so only knowing the key itself can hide it.
RELAY_KEY = "relay7f3a9c2e1b4d8e6f"


def test_the_key_is_redacted_wherever_it_appears():
    text = f"denied for {RELAY_KEY} (header Authorization: Bearer {RELAY_KEY})"
    cleaned = clean_provider_text(text, api_key=RELAY_KEY)
    assert RELAY_KEY not in cleaned
    assert cleaned.startswith("denied for [redacted]")


def test_a_key_cut_off_at_the_end_is_still_redacted():
    cleaned = clean_provider_text(f"status {RELAY_KEY[:12]}", api_key=RELAY_KEY)
    assert cleaned == "status [redacted]"


@pytest.mark.parametrize(
    "secret",
    [
        "Bearer abc.def-ghi",
        "sk-proj-0123456789abcdef",
        "api_key=zzzz9999",
        '"authorization": "Basic dXNlcjpwYXNz"',
    ],
)
def test_other_tokens_are_redacted_too(secret):
    cleaned = clean_provider_text(f"failed: {secret} !", api_key="")
    assert "[redacted]" in cleaned
    for part in ("abc.def-ghi", "0123456789abcdef", "zzzz9999", "dXNlcjpwYXNz"):
        assert part not in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "The provider refused the prompt: unsafe content [policy].",
        "a slice of key-lime-pie on a blue plate",
    ],
)
def test_ordinary_words_are_kept(text):
    assert clean_provider_text(text, api_key=RELAY_KEY) == text


def test_usage_keeps_only_known_numeric_counters():
    usage = {
        "input_tokens": 10,
        "output_tokens": "sk-leaked-0123456789",
        "total_tokens": 10.5,
        "api_key": RELAY_KEY,
        "images": True,
        "input_tokens_details": {"text_tokens": 3, "note": RELAY_KEY},
        "output_tokens_details": "nope",
    }
    assert clean_usage(usage) == {
        "input_tokens": 10,
        "total_tokens": 10.5,
        "input_tokens_details": {"text_tokens": 3},
    }
    assert clean_usage(["not", "a", "dict"]) == {}


# --- end to end through the sandbox, which echoes the key when told `[[echo_key]]` ----------------


@pytest.fixture
def relay_models(sandbox_models):
    provider = sandbox_models["gpt-image-1"].provider
    provider.set_api_key(RELAY_KEY)
    provider.save()
    return sandbox_models


def run_to_the_end(job: Job) -> Job:
    pipeline.run_job(job.pk)
    for _poll in range(40):
        job.refresh_from_db()
        if job.is_final:
            return job
        time.sleep(0.1)
        Job.objects.filter(pk=job.pk).update(due_at=timezone.now())
        pipeline.poll_job(job.pk)
    raise AssertionError(f"job still {job.status}")


def pages_of(client, job: Job) -> str:
    pages = [reverse("job-detail", args=[job.pk]), reverse("job-status", args=[job.pk])]
    pages += [reverse("image-detail", args=[image.pk]) for image in job.images.all()]
    return "".join(client.get(page).content.decode() for page in pages)


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["gpt-image-1.5", "wanx2.1-t2i-turbo"])
def test_a_failure_reason_and_usage_that_echo_the_key_never_reach_the_page(
    client, alice, relay_models, submit, model
):
    job = run_to_the_end(submit("a quiet bay [[pending:0]] [[final:failed]] [[echo_key]]", model))
    assert job.status == JobStatus.FAILED
    assert "[redacted]" in job.error_message
    assert RELAY_KEY not in job.error_message + repr(job.usage)
    client.force_login(alice)
    assert RELAY_KEY not in pages_of(client, job)


@pytest.mark.django_db
def test_per_image_errors_and_usage_that_echo_the_key_never_reach_the_image_page(
    client, alice, relay_models, submit
):
    job = run_to_the_end(
        submit("two boats [[pending:0]] [[fewer:1]] [[echo_key]]", "wanx2.1-t2i-turbo", n=2)
    )
    assert job.status == JobStatus.SUCCEEDED and job.images.count() == 1
    assert "[redacted]" in job.note
    assert job.usage == {"image_count": 1}
    client.force_login(alice)
    assert RELAY_KEY not in pages_of(client, job)
