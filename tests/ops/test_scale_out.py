"""Several hosts and beats: the sweep sends each overdue hop once, SIGTERM loses nothing."""

import os
import signal
import threading
from datetime import timedelta

import pytest
import redis
from django.db import connection
from django.utils import timezone

from jobs import engine
from jobs.models import Job, JobStatus
from tests.fixtures.services import TEST_QUEUE, wait_until

pytestmark = [pytest.mark.long, pytest.mark.django_db(transaction=True)]


@pytest.mark.postgres
def test_two_beats_sweeping_at_once_send_each_overdue_job_once(submit, redis_url, worker_pool):
    if connection.vendor != "postgresql":
        pytest.skip("two sweeps in parallel need PostgreSQL")
    worker_pool.ensure()  # a worker has declared the queue (Redis drops unroutable messages) …
    worker_pool.stop()  # … and is gone: the messages are counted, not run
    queue = TEST_QUEUE
    jobs = [submit(f"overdue {i}") for i in range(40)]
    broker = redis.Redis.from_url(redis_url)
    broker.delete(queue)  # the submits' own sends: what is left is what the sweeps send
    Job.objects.update(due_at=timezone.now() - timedelta(minutes=5))

    sent, start = [], threading.Barrier(2)

    def sweep():
        start.wait()
        try:
            sent.append(engine.sweep_due_jobs())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(sent) == len(jobs)
    assert broker.llen(queue) == len(jobs)
    broker.delete(queue)


@pytest.mark.worker
def test_sigterm_lets_the_running_hop_finish_and_loses_no_job(worker_pool, submit, sandbox):
    worker = worker_pool.ensure()
    slow = submit("[[delay:4]] a slow lighthouse")
    polled = [submit(f"[[pending:6]] kite {i}", model="gpt-image-1.5") for i in range(3)]
    wait_until(
        lambda: Job.objects.filter(pk=slow.pk, status=JobStatus.RUNNING).exists(),
        20,
        0.1,
        message="the slow job to run",
    )
    # As `docker stop` does: SIGTERM to the main process only, then wait.
    os.kill(worker.process.pid, signal.SIGTERM)
    assert worker.process.wait(30) == 0
    slow.refresh_from_db()
    assert slow.status == JobStatus.SUCCEEDED  # the hop in progress finished before the exit

    worker_pool.ensure()  # another host takes over the rest

    def all_final():
        return not Job.objects.exclude(status=JobStatus.SUCCEEDED).exists()

    wait_until(all_final, 60, 0.3, message="every job to succeed after the restart")
    submits = [r for r in sandbox.requests() if r["method"] == "POST" and "kite" in str(r)]
    assert len(submits) == len(polled)
