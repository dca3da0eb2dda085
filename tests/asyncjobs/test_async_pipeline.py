"""Asynchronous dialects in-process: the task id is kept, polls are hops, deadlines end jobs."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import engine
from jobs.models import Job, JobStatus
from tests.engine.helpers import make_due

pytestmark = pytest.mark.django_db

ASYNC_MODELS = ["gpt-image-1.5", "wanx2.1-t2i-turbo"]


@pytest.mark.parametrize("model", ASYNC_MODELS)
def test_the_task_id_is_saved_and_the_job_is_polled_until_done(submit, sandbox, model):
    job = submit("a slow relay [[polls:1]]", model=model)  # done on its first real poll
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.remote_task_id and job.lease_until is None
    assert job.due_at > timezone.now()
    engine.poll_job(job.pk)  # not due yet: nothing happens, so the task is not polled
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.poll_count == 1
    make_due(job)
    engine.poll_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.images.count() == 1 and job.usage


def test_polls_come_often_while_a_task_is_young_and_spread_out_as_it_runs(
    submit, sandbox, settings
):
    settings.STUDIO_POLL_MIN_SECONDS, settings.STUDIO_POLL_MAX_SECONDS = 1.0, 10.0
    job = submit("[[never]]", model="gpt-image-1.5")
    engine.run_job(job.pk)
    job.refresh_from_db()
    deadline = job.model.capabilities().poll_deadline_seconds

    def delay_after(seconds_running: float) -> float:
        job.deadline_at = timezone.now() + timedelta(seconds=deadline - seconds_running)
        return engine.next_poll_delay(job)

    delays = [delay_after(t) for t in (0, 5, 10, 30, 60, 120, 600)]
    assert delays[0] == 1.0 and delays[1] == 1.0  # young tasks: every second
    assert 1.1 < delays[2] < 1.3  # a 10 s task is seen done within about a second
    assert all(later >= earlier for earlier, later in itertools.pairwise(delays))
    assert delays[-1] == 10.0  # never less often than the maximum


def test_a_task_past_its_deadline_fails(submit, sandbox):
    job = submit("[[never]]", model="gpt-image-1.5")
    engine.run_job(job.pk)
    Job.objects.filter(pk=job.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    make_due(job)
    engine.poll_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "did not finish" in job.error_message


def test_a_canceled_async_job_is_no_longer_polled(submit, sandbox):
    from jobs.services import cancel_job

    job = submit("[[never]]", model="wanx2.1-t2i-turbo")
    engine.run_job(job.pk)
    polls_before = len(sandbox.requests())
    assert cancel_job(job)
    make_due(job)
    engine.poll_job(job.pk)
    assert len(sandbox.requests()) == polls_before


def test_a_second_run_message_never_submits_an_async_job_twice(submit, sandbox):
    job = submit("[[pending:30]]", model="gpt-image-1.5")
    engine.run_job(job.pk)
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    engine.run_job(job.pk)  # redelivered: the job has a task id, so it is only ever polled
    submits = [
        r for r in sandbox.requests() if r["method"] == "POST" and "/_sandbox" not in r["path"]
    ]
    assert len(submits) == 1
