"""Submitting while Redis is down: the job page, not a 500; the sweep sends the job once."""

import logging

import pytest

from jobs.models import Job, JobStatus, LedgerEntry
from studio.celery import app as celery_app
from tests.conftest import PASSWORD
from tests.fixtures.polling import wait_for_final
from tests.fixtures.services import QUICK_TAKEOVER, free_port

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def drop_broker_connections() -> None:
    """Make the next send use whatever broker_url says now (kombu keeps one pool per URL)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down(redis_url):
    celery_app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    drop_broker_connections()
    yield
    celery_app.conf.broker_url = redis_url
    drop_broker_connections()


def test_a_submit_while_redis_is_down_runs_once_when_it_is_back(
    client, alice, sandbox_models, sandbox, broker_down, caplog, worker_pool
):
    worker_pool.stop()  # no worker: nothing may pick the job up before Redis is "back"
    client.login(username="alice", password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="jobs.engine.queue"):
        response = client.post(
            "/generate/", {"prompt": "a quiet pier", "model": sandbox_models["gpt-image-1"].pk}
        )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.QUEUED
    assert LedgerEntry.objects.filter(job=job).count() == 1
    assert f"job {job.pk} created but not queued" in caplog.text

    # Redis is back: the worker's beat sweeps the never-sent job into the queue (2 s late).
    celery_app.conf.broker_url = worker_pool.redis_url
    drop_broker_connections()
    worker_pool.ensure(QUICK_TAKEOVER)

    wait_for_final(job, 60, 0.3)
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.attempts == 1
    submits = [r for r in sandbox.requests() if r["path"].endswith("/v1/images/generations")]
    assert len(submits) == 1
