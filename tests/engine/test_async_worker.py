"""Asynchronous jobs with a real worker process: polls are hops, and a dead worker only delays."""

import pytest

from jobs.models import Job, JobStatus
from tests.fixtures.services import QUICK_TAKEOVER, wait_until

pytestmark = [pytest.mark.long, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(job: Job, condition, timeout: float, what: str) -> Job:
    def check():
        job.refresh_from_db()
        return condition(job)

    wait_until(check, timeout, 0.2, message=what)
    return job


def submits(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] == "POST" and "/_sandbox" not in r["path"]]


def test_a_task_pending_for_several_polls_completes(celery_worker, submit, sandbox):
    job = wait_for(
        submit("[[polls:3]] a harbour at night", model="gpt-image-1.5"),
        lambda j: j.is_final,
        40,
        "the async job to finish",
    )
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.poll_count == 3  # the task ends on its third poll, and the worker stops there
    assert len(submits(sandbox)) == 1
    assert job.images.count() == 1


def test_a_task_that_never_finishes_fails_at_its_deadline(
    celery_worker, submit, sandbox, sandbox_models
):
    model = sandbox_models["wanx2.1-t2i-turbo"]
    model.limits = {"poll_deadline_seconds": 4}
    model.save()
    job = wait_for(
        submit("[[never]] a clock", model="wanx2.1-t2i-turbo"),
        lambda j: j.is_final,
        40,
        "the deadline to end the job",
    )
    assert job.status == JobStatus.FAILED
    assert "did not finish" in job.error_message


def test_a_worker_killed_while_polling_is_replaced_and_the_job_completes_once(
    worker_pool, submit, sandbox
):
    worker_pool.ensure()  # a worker is running
    job = submit("[[polls:4]] a kite over dunes", model="gpt-image-1.5", n=2)
    wait_for(job, lambda j: j.remote_task_id and j.poll_count >= 1, 30, "the first poll")
    worker_pool.current.kill()
    # The replacement: its beat sweeps overdue jobs back into the queue, 2 s late (not 10).
    worker_pool.ensure(QUICK_TAKEOVER)
    job = wait_for(job, lambda j: j.is_final, 60, "the job to finish after the crash")
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert len(submits(sandbox)) == 1
    assert job.images.count() == 2
