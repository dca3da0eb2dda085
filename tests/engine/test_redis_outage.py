"""A worker holding unacknowledged messages survives a Redis outage and finishes every job.

celery 5.7.0 alone exits here ("Unrecoverable error: AttributeError: 'NoneType' object has no
attribute 'hostname'"); studio/celery_consumer.py lets it reconnect, and the sweep re-sends the
hops an empty Redis forgot.
"""

import subprocess

import pytest

from jobs.models import Job, JobStatus, LedgerEntry
from studio.celery import app as celery_app
from studio.embedded_redis import embedded_redis_command, redis_answers
from tests.fixtures.services import (
    QUICK_TAKEOVER,
    WorkerProcess,
    free_port,
    wait_until,
    worker_env,
)

pytestmark = [pytest.mark.long, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


class PrivateRedis:
    """A Redis of this test alone, so it can be stopped and started again (empty)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            embedded_redis_command(self.port), stdout=subprocess.DEVNULL
        )
        wait_until(lambda: redis_answers(self.url), 10, message="the private Redis")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def private_redis(worker_pool):
    worker_pool.stop()  # the shared worker would not see this Redis
    server = PrivateRedis()
    server.start()
    shared_url = celery_app.conf.broker_url
    celery_app.conf.broker_url = server.url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield server
    server.stop()
    celery_app.conf.broker_url = shared_url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_the_worker_reconnects_after_redis_restarts_empty(private_redis, submit, sandbox, tmp_path):
    # Its sweep re-sends a forgotten hop 2 s late (QUICK_TAKEOVER), not 10.
    worker = WorkerProcess(worker_env(private_redis.url, QUICK_TAKEOVER), tmp_path / "worker.log")
    try:
        jobs = [submit(f"[[pending:8]] boat {i}", model="gpt-image-1.5") for i in range(6)]

        def all_polled() -> bool:
            return Job.objects.filter(poll_count__gte=1).count() == len(jobs)

        # Each job now has a poll hop waiting with a countdown: unacknowledged in the worker.
        wait_until(all_polled, 40, 0.2, message="every job's first poll")
        # And one hop is running when Redis goes: it ends after the outage began, and its
        # message is acknowledged on the channel of the connection that was lost.
        jobs.append(submit("[[delay:4]] boat in flight", model="gpt-image-1"))
        wait_until(lambda: any("in flight" in str(r) for r in sandbox.requests()), 20)
        private_redis.stop()
        wait_until(lambda: "Connection to broker lost" in worker.log_path.read_text(), 20)
        private_redis.start()

        def all_final() -> bool:
            return not Job.objects.exclude(
                status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]
            ).exists()

        wait_until(all_final, 90, 0.5, message="every job to end after the outage")
        log = worker.log_path.read_text()
        assert worker.process.poll() is None, log[-3000:]
        assert "Unrecoverable error" not in log
        assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
        submits = [r for r in sandbox.requests() if r["method"] == "POST" and "boat" in str(r)]
        assert len(submits) == len(jobs)
        for job in jobs:
            assert LedgerEntry.objects.filter(job=job).count() == 2  # reserve + settle
    finally:
        worker.stop()
