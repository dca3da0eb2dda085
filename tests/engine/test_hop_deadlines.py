"""Every hop ends within STUDIO_TASK_SOFT_TIME_LIMIT of its start, whatever the pool enforces.

Celery's threads pool ignores task time limits, so the studio keeps the deadline itself: provider
reads are cut off at it (the hop ends the job as a soft time limit does), and the lease keeper
stops renewing the hop's lease once it passed (so a hop stuck where nothing can cut it off is left
to the sweep, as a dead worker's would be). Each test ends with the books balanced.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.db.models.functions import Now

from jobs import engine
from jobs import messages as texts
from jobs.concurrency import LeaseKeeper, lease_keeper
from jobs.engine import results
from jobs.messages import job_text
from jobs.models import Job, JobStatus
from tests.engine.helpers import assert_books_balance
from tests.fixtures.services import wait_until

LONG_AGO = "2000-01-01T00:00:00Z"
# The hops run in this process with a 1 s deadline a worker process would not see: a worker left
# running by an earlier test must not take their jobs from the queue first.
pytestmark = [pytest.mark.long, pytest.mark.usefixtures("no_worker")]


def _lease_of(job: Job):
    return Job.objects.values_list("lease_until", flat=True).get(pk=job.pk)


@pytest.mark.django_db
def test_the_lease_keeper_renews_a_hop_only_until_its_deadline(submit):
    in_time, out_of_time = submit("a hop in time"), submit("a hop past its deadline")
    holds = [engine.claim_for_submit(job.pk) for job in (in_time, out_of_time)]
    Job.objects.filter(pk__in=[in_time.pk, out_of_time.pk]).update(lease_until=LONG_AGO)
    keeper = LeaseKeeper()  # its thread is not started: renew_now is what it runs
    now = time.monotonic()
    with keeper.holding(holds[0].token, now + 60), keeper.holding(holds[1].token, now - 0.01):
        assert keeper.renew_now() == 1
    assert _lease_of(in_time).year > 2000
    assert _lease_of(out_of_time).year == 2000  # left to lapse: the sweep takes the job
    with keeper.holding(holds[1].token, now - 0.01):
        assert keeper.renew_now() == 0  # no write at all when no hop is in time


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("prompt", "model", "params"),
    [
        ("a trickled answer [[trickleanswer:8]]", "gpt-image-1", {}),
        ("a silent provider [[delay:8]]", "gpt-image-1", {}),
        ("a slow stream", "gpt-image-1", {"partial_images": 3}),
        ("a trickled file [[trickle:8]]", "dall-e-3", {}),
    ],
    ids=["JSON answer trickles", "no answer at all", "events trickle", "result file trickles"],
)
def test_a_provider_slower_than_the_hops_deadline_ends_the_job_at_the_deadline(
    submit, sandbox, settings, prompt, model, params
):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 1  # STUDIO_TASK_SOFT_TIME_LIMIT
    job = submit(prompt, model=model, **params)
    started = time.monotonic()
    engine.run_job(job.pk)
    took = time.monotonic() - started
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error_text == job_text(texts.STEP_TIME_LIMIT, seconds=1)
    # Well before the 8 s the slow providers take (generous: two busy cores stretch a second).
    assert took < 6, f"the hop went on {took:.1f} s past a 1 s deadline"
    assert job.attempts == 1  # ended, not handed back for a second submit
    assert_books_balance(job, sandbox, images=0)


def _run_job_then_close(job_id) -> None:
    try:
        engine.run_job(job_id)
    finally:
        connection.close()  # this thread's own; left open it would block dropping the test database


@pytest.mark.django_db(transaction=True)
def test_a_hop_stuck_past_its_deadline_is_left_to_the_sweep_and_its_late_ending_is_lost(
    submit, sandbox, settings, monkeypatch
):
    """A storage write that hangs cannot be cut off: the hop's lease lapses, the job ends as a
    dead worker's does (its request was sent: Failed, refunded, not sent again), and when the
    write comes back at last the hop's ending is refused and its files removed."""
    settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.STUDIO_LEASE_SECONDS = 1, 1
    stuck, release, real_write = threading.Event(), threading.Event(), results.write_result_files

    def write_when_released(job, index, data, **kwargs):
        stuck.set()
        release.wait(20)
        return real_write(job, index, data, **kwargs)

    monkeypatch.setattr(results, "write_result_files", write_when_released)
    job = submit("a stuck store", model="gpt-image-1")
    hop = threading.Thread(target=_run_job_then_close, args=(job.pk,))
    hop.start()
    try:
        wait_until(stuck.is_set, 10, 0.02, "the hop to reach storage")
        # What the worker's lease keeper does every third of a lease: nothing, once past it.
        wait_until(lambda: lease_keeper.renew_now() == 0, 5, 0.05, "the hop's deadline to pass")
        lapsed = Job.objects.filter(pk=job.pk, lease_until__lt=Now()).exists
        wait_until(lapsed, 5, 0.05, "the hop's lease to lapse")
        assert Job.objects.filter(engine.abandoned_after_sending(), pk=job.pk).exists()
        Job.objects.filter(pk=job.pk).update(due_at=engine.db_time(-60))  # past the grace
        assert engine.sweep_due_jobs() == 1
        engine.run_job(job.pk)  # what the sweep's message does next (a no-op if done)
    finally:
        release.set()
        hop.join(20)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert "not sent again" in job.error_message
    assert_books_balance(job, sandbox, images=0)  # the late hop's image was removed again
