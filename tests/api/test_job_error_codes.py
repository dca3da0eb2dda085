"""A failed job's API error is chosen by the code stored on the job, never by its English words:
a provider that ran out of time is a 504 `provider_timeout`, anything else a 502."""

from __future__ import annotations

import pytest

from jobs import messages as texts
from jobs.messages import job_text, verbatim
from jobs.models import Job, JobStatus
from jobs.stored_texts import error_fields
from studio.api.answers import job_error

NETWORK_TIMEOUT = job_text(texts.NETWORK_TIMEOUT, error="ReadTimeout", detail="read timed out")
TIMEOUTS = {
    "network": NETWORK_TIMEOUT,
    "no answer": job_text(texts.NO_ANSWER_IN_TIME, seconds=30),
    "task deadline": job_text(texts.TASK_DEADLINE, minutes=10),
    "step limit": job_text(texts.STEP_TIME_LIMIT, seconds=600),
    "download too long": job_text(texts.DOWNLOAD_TOO_LONG),
    "download timed out": job_text(texts.DOWNLOAD_TIMEOUT),
    "gave up on timeouts": job_text(
        texts.GAVE_UP_IN, error=NETWORK_TIMEOUT, attempts=5, seconds=301
    ),
    "an image's download": job_text(
        texts.NO_USABLE_IMAGE,
        problems=[job_text(texts.IMAGE_PROBLEM, index=1, error=job_text(texts.DOWNLOAD_TIMEOUT))],
    ),
}


def failed_job(text) -> Job:
    return Job(status=JobStatus.FAILED, **error_fields(text))


@pytest.mark.parametrize("text", TIMEOUTS.values(), ids=TIMEOUTS.keys())
def test_a_provider_out_of_time_is_a_504_by_its_code(text):
    error = job_error(failed_job(text))

    assert (error.status, error.code, error.message) == (504, "provider_timeout", str(text))


@pytest.mark.parametrize(
    "text",
    [
        # The provider's own words are never read for meaning, whatever they say.
        job_text(texts.REFUSED_PROMPT, message="the model did not answer in time"),
        # Nor is text without a code: a row from before codes that matched none of our sentences.
        verbatim("The image download timed out, said the relay"),
        job_text(texts.TASK_FAILED),
    ],
)
def test_any_other_failure_is_a_502(text):
    error = job_error(failed_job(text))

    assert (error.status, error.code, error.message) == (502, "provider_error", str(text))


def test_a_job_that_failed_without_a_sentence_still_says_so():
    error = job_error(failed_job(None))

    assert (error.status, error.code) == (502, "provider_error")
    assert error.message == "The provider reported that the job failed."
