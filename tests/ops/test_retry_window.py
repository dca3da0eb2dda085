"""Transient provider failures are retried for a window, and a poll's 404 a few times."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from jobs import engine
from jobs.engine.retry import POLL_NOT_FOUND_LIMIT, poll_error_is_transient, should_give_up
from jobs.models import Job, JobStatus
from jobs.providers import ProviderError
from tests.backbone.test_pipeline import run_until_final

pytestmark = pytest.mark.django_db


def test_the_window_is_measured_from_the_first_failure():
    first = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert not should_give_up(first, first + timedelta(seconds=299), 300)
    assert should_give_up(first, first + timedelta(seconds=300), 300)
    assert should_give_up(first, first, 0)


def test_a_poll_404_is_transient_a_few_times_only():
    missing = ProviderError("no such task", permanent=True, status=404)
    assert [poll_error_is_transient(missing, seen) for seen in range(4)] == [
        *[True] * POLL_NOT_FOUND_LIMIT,
        False,
    ]
    assert poll_error_is_transient(ProviderError("busy", permanent=False, status=503), 99)
    assert not poll_error_is_transient(ProviderError("bad", permanent=True, status=400), 0)


def test_more_failures_than_the_old_budget_still_end_succeeded(submit, sandbox, settings):
    settings.STUDIO_RETRY_WINDOW_SECONDS = 300
    job = run_until_final(submit("a flaky relay [[fault:503:6]]"), rounds=10)
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.attempts == 7
    assert job.transient_since is not None


def test_a_job_gives_up_once_the_window_has_passed(submit, sandbox, settings):
    settings.STUDIO_RETRY_WINDOW_SECONDS = 300
    job = submit("a relay that stays down [[fault:503:50]]")
    engine.run_job(job.pk)  # first failure: the window starts now
    Job.objects.filter(pk=job.pk).update(transient_since=timezone.now() - timedelta(seconds=301))
    job = run_until_final(job, rounds=1)
    assert job.status == JobStatus.FAILED
    assert "gave up after 2 attempts in 301 s" in job.error_message
    assert "temporary problem" in job.error_message


def poll_until_final(job: Job, rounds: int = 12) -> Job:
    engine.run_job(job.pk)
    for _ in range(rounds):
        Job.objects.filter(pk=job.pk).update(due_at=timezone.now())
        engine.poll_job(job.pk)
        job.refresh_from_db()
        if job.is_final:
            break
    return job


def test_a_task_unknown_for_two_polls_still_completes(submit, sandbox):
    job = poll_until_final(
        submit("[[pending:0]] [[pollfault:404:2]] a fresh relay", model="gpt-image-1.5")
    )
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.poll_not_found == 2


def test_a_task_that_stays_unknown_fails_after_the_limit(submit, sandbox):
    job = poll_until_final(
        submit("[[pending:0]] [[pollfault:404:20]] a lost task", model="gpt-image-1.5")
    )
    assert job.status == JobStatus.FAILED
    assert job.poll_not_found == POLL_NOT_FOUND_LIMIT
    assert "404" in job.error_message
