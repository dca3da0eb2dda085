"""Endings are atomic: every defect of the engine issue, reproduced in-process against the sandbox.

Each test ends with the books balanced: the images a person can see equal the images charged, no
result file is left without its row, and the provider got exactly one submit per attempt.
"""

from __future__ import annotations

import threading
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from jobs import engine, services, storage
from jobs.engine import endings, results
from jobs.models import Job, JobStatus
from jobs.providers import http
from tests.engine.helpers import assert_books_balance, make_due, provider_submits
from tests.fixtures.services import wait_until

# The hops run in this process: a worker left running by an earlier test must not take them.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_worker")]


def test_a_soft_time_limit_while_storing_ends_the_job_cleanly(submit, sandbox, monkeypatch):
    real_write, written = storage.write_result_files, []

    def write_then_time_out(job, index, data, **kwargs):
        if written:
            raise SoftTimeLimitExceeded()
        draft = real_write(job, index, data, **kwargs)
        written.append(draft)
        return draft

    monkeypatch.setattr(results, "write_result_files", write_then_time_out)
    job = submit("a slow store", model="gpt-image-1", n=2)
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "did not finish within" in job.error_message
    assert written  # one image had been written before the limit hit; it is gone again
    assert_books_balance(job, sandbox, images=0)


def test_a_database_error_while_ending_is_tried_again_without_a_second_submit(
    submit, sandbox, monkeypatch
):
    real_settle, calls = endings.quota.settle_quota, []

    def settle_after_a_blink(job):
        calls.append(job.pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        real_settle(job)

    monkeypatch.setattr(endings.quota, "settle_quota", settle_after_a_blink)
    job = submit("a database blink", model="gpt-image-1", n=2)
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and len(calls) == 2
    assert_books_balance(job, sandbox, images=2)


def _submitted(sandbox) -> bool:
    return bool(provider_submits(sandbox))


def _downloading(sandbox) -> bool:
    return any(r["path"].startswith("/files/") for r in sandbox.requests())


@pytest.mark.parametrize(
    ("prompt", "model", "n", "hop_is_under_way"),
    [
        ("cancel me while drawing [[delay:1.5]]", "gpt-image-1", 2, _submitted),
        ("cancel me while downloading [[slowfile:1.5]]", "dall-e-3", 1, _downloading),
    ],
    ids=["while the provider answers", "while results download"],
)
def test_a_cancel_mid_hop_discards_the_results(submit, sandbox, prompt, model, n, hop_is_under_way):
    job = submit(prompt, model=model, n=n)
    hop = threading.Thread(target=engine.run_job, args=(job.pk,))
    hop.start()
    wait_until(lambda: hop_is_under_way(sandbox), 10, 0.02, "the hop to reach the provider")
    assert services.cancel_job(job)
    hop.join(10)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELED
    assert_books_balance(job, sandbox, images=0)


def test_a_cancel_after_the_ending_is_refused_and_keeps_what_was_charged(submit, sandbox):
    job = submit("too late to cancel", model="gpt-image-1", n=2)
    engine.run_job(job.pk)
    assert services.cancel_job(job) is False
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert_books_balance(job, sandbox, images=2)


def test_a_hop_that_lost_its_lease_keeps_nothing_and_the_request_is_not_sent_again(submit, sandbox):
    """A frozen hop whose lease lapsed after its request left: the job ends (refunded) without a
    second submit, and the frozen hop's late answer is discarded."""
    job = submit("frozen then thawed [[delay:1]]", model="gpt-image-1")
    frozen = threading.Thread(target=engine.run_job, args=(job.pk,))
    frozen.start()
    _wait_for_requests(sandbox, 1)
    Job.objects.filter(pk=job.pk).update(lease_until="2000-01-01T00:00:00Z")  # it lapsed
    engine.run_job(job.pk)  # what the sweep's message does next
    frozen.join(10)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert "not sent again" in job.error_message
    assert_books_balance(job, sandbox, images=0)


def test_a_trickling_download_ends_at_one_wall_clock_deadline(submit, sandbox, settings):
    settings.STUDIO_DOWNLOAD_SECONDS = 1
    job = submit("a trickle [[trickle:6]]", model="dall-e-3")
    started = time.monotonic()
    engine.run_job(job.pk)
    took = time.monotonic() - started
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "took too long" in job.error_message
    assert took < 4, "the download went on past its deadline"
    assert_books_balance(job, sandbox, images=0)


def test_an_oversized_b64_result_is_refused_before_it_is_decoded(submit, sandbox, settings):
    settings.STUDIO_RESULT_MAX_BYTES = 2048
    job = submit("a huge picture", model="gpt-image-1", size="1024x1024")
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "larger than" in job.error_message
    assert_books_balance(job, sandbox, images=0)


def test_an_oversized_data_uri_result_is_refused(settings):
    from jobs.providers import ProviderError
    from jobs.providers.download import download_image

    with pytest.raises(ProviderError, match="larger than"):
        download_image("data:image/png;base64," + "A" * 8000, provider_base_url="", max_bytes=1024)


def test_an_oversized_provider_answer_is_refused(submit, sandbox, monkeypatch):
    monkeypatch.setattr(http, "max_body_bytes", 4096)
    job = submit("a heavy answer", model="gpt-image-1")
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "answer is larger than" in job.error_message
    assert_books_balance(job, sandbox, images=0)


def test_an_async_task_ending_after_n_polls_needs_no_real_clock(submit, sandbox):
    job = submit("[[polls:3]] three polls", model="gpt-image-1.5", n=2)
    engine.run_job(job.pk)
    for _ in range(3):
        make_due(job)
        engine.poll_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.poll_count == 3  # 3 polls scheduled
    assert_books_balance(job, sandbox, images=2)


def _wait_for_requests(sandbox, count: int) -> None:
    wait_until(lambda: len(provider_submits(sandbox)) >= count, 10, 0.02, "the submit")


def test_leases_and_due_times_follow_the_database_clock_not_the_workers(
    submit, sandbox, monkeypatch
):
    """A worker whose clock runs a minute ahead neither stalls nor hurries anyone's job."""
    from datetime import timedelta

    from django.db.models.functions import Now
    from django.utils import timezone

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=60))
    job = submit("[[never]] a skewed worker", model="gpt-image-1.5")
    engine.run_job(job.pk)  # due at once on the database's clock, whatever this process thinks
    job.refresh_from_db()
    db_now = Job.objects.filter(pk=job.pk).annotate(now=Now()).values_list("now", flat=True).get()
    assert job.status == JobStatus.RUNNING and job.remote_task_id
    assert timedelta(0) < job.due_at - db_now < timedelta(seconds=10)
    assert job.lease_until is None and job.started_at <= db_now
