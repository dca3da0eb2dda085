"""Asynchronous dialects in-process: the task id is kept, polls are hops, deadlines end jobs."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import pipeline
from jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db

ASYNC_MODELS = ["gpt-image-1.5", "wanx2.1-t2i-turbo"]


def make_due(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(due_at=timezone.now())


@pytest.mark.parametrize("model", ASYNC_MODELS)
def test_the_task_id_is_saved_and_the_job_is_polled_until_done(submit, sandbox, model):
    job = submit("a slow relay [[pending:0.5]]", model=model)
    pipeline.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.remote_task_id and job.lease_until is None
    assert job.due_at > timezone.now()
    pipeline.poll_job(job.pk)  # not due yet: nothing happens
    assert Job.objects.get(pk=job.pk).poll_count == 1
    import time

    time.sleep(0.6)
    make_due(job)
    pipeline.poll_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.images.count() == 1 and job.usage


def test_poll_intervals_grow_from_two_to_ten_seconds(submit, sandbox):
    job = submit("[[never]]", model="gpt-image-1.5")
    pipeline.run_job(job.pk)
    intervals = []
    for _ in range(12):
        before = timezone.now()
        make_due(job)
        pipeline.poll_job(job.pk)
        job.refresh_from_db()
        intervals.append((job.due_at - before).total_seconds())
    assert 2 <= intervals[0] < 3.5
    # Measured against the clock, so allow a few milliseconds of scheduling noise.
    assert all(later >= earlier - 0.05 for earlier, later in itertools.pairwise(intervals))
    assert 9.5 <= intervals[-1] <= 10.5


def test_a_task_past_its_deadline_fails(submit, sandbox):
    job = submit("[[never]]", model="gpt-image-1.5")
    pipeline.run_job(job.pk)
    Job.objects.filter(pk=job.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    make_due(job)
    pipeline.poll_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "did not finish" in job.error_message


def test_a_canceled_async_job_is_no_longer_polled(submit, sandbox):
    from jobs.services import cancel_job

    job = submit("[[never]]", model="wanx2.1-t2i-turbo")
    pipeline.run_job(job.pk)
    polls_before = len(sandbox.requests())
    assert cancel_job(job)
    make_due(job)
    pipeline.poll_job(job.pk)
    assert len(sandbox.requests()) == polls_before


def test_a_second_run_message_never_submits_an_async_job_twice(submit, sandbox):
    job = submit("[[pending:30]]", model="gpt-image-1.5")
    pipeline.run_job(job.pk)
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    pipeline.run_job(job.pk)  # redelivered: the job has a task id, so it is only ever polled
    submits = [
        r for r in sandbox.requests() if r["method"] == "POST" and "/_sandbox" not in r["path"]
    ]
    assert len(submits) == 1
