"""The engine with real worker processes: leases that outlive slow hops, fair limits.

Workers here hold a 3 s lease (QUICK_TAKEOVER), so a hop that takes longer than that survives only
because its process keeps renewing it. Every test but the last asks for that same worker, so the
file starts two. Killed workers: test_worker_kills.py.
"""

from __future__ import annotations

import json
import time

import pytest

from jobs import messages as texts
from jobs.messages import job_text
from jobs.models import Job, JobStatus, QuotaLimit
from jobs.quota import charged_for_job
from tests.engine.helpers import assert_books_balance
from tests.fixtures.polling import wait_for_final
from tests.fixtures.services import QUICK_TAKEOVER, wait_until

# The last test's worker: a hop may take 4 s, longer than its lease (production: 600 s; the setting
# allows no less than 10, studio/settings_test.py lets a test's worker go lower).
HOP_SECONDS = 4
SHORT_HOPS = {**QUICK_TAKEOVER, "STUDIO_TEST_HOP_SECONDS": str(HOP_SECONDS)}

pytestmark = [pytest.mark.long, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_registers_the_engines_tasks_under_the_names_queued_messages_carry(
    start_worker,
):
    """The tasks live in jobs/engine/tasks.py, where Celery's default discovery would not look;
    their names are still the ones they had in jobs/tasks.py, which messages in a broker carry."""
    worker = start_worker(QUICK_TAKEOVER)
    banner = worker.log_path.read_text()  # `-l INFO` lists the registered tasks as it starts
    for name in ("jobs.tasks.run_job", "jobs.tasks.poll_job", "jobs.tasks.sweep_due_jobs"):
        assert f". {name}" in banner, banner[:3000]


def test_a_download_slower_than_the_lease_is_not_taken_over(
    start_worker, submit, sandbox, url_answers
):
    start_worker(QUICK_TAKEOVER)
    job = wait_for_final(submit("slow files [[slowfile:4]]", model="dall-e-2", n=2, size="256x256"))
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.attempts == 1
    assert sum(r["path"].startswith("/files/") for r in sandbox.requests()) == 2
    assert_books_balance(job, sandbox, images=2)


def test_a_provider_frozen_past_the_lease_is_asked_once(start_worker, submit, sandbox):
    start_worker(QUICK_TAKEOVER)
    job = wait_for_final(submit("a frozen provider [[delay:5]]", model="gpt-image-1", n=2))
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.attempts == 1
    assert_books_balance(job, sandbox, images=2)


def test_a_model_limited_to_one_job_at_once_queues_the_rest(
    start_worker, submit, sandbox, sandbox_models
):
    start_worker(QUICK_TAKEOVER)
    model = sandbox_models["gpt-image-1"]
    model.max_concurrent = 1
    model.save()
    jobs = [submit(f"one at a time {i} [[delay:1]]", model="gpt-image-1") for i in range(3)]
    seen_waiting, most_running = "", 0

    def all_final() -> bool:
        nonlocal seen_waiting, most_running
        states = list(Job.objects.filter(pk__in=[j.pk for j in jobs]))
        most_running = max(most_running, sum(j.status == JobStatus.RUNNING for j in states))
        seen_waiting = seen_waiting or next((j.waiting_for for j in states if j.waiting_for), "")
        return all(j.is_final for j in states)

    wait_until(all_final, 60, 0.05, message="the three jobs to end")
    assert most_running == 1
    assert "Waiting for a free slot for gpt-image-1 (1 jobs at once)" in seen_waiting
    for job in jobs:
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
        assert not job.waiting_for


def test_a_person_limited_to_one_running_job_waits_and_never_fails(
    start_worker, submit, sandbox, alice
):
    start_worker(QUICK_TAKEOVER)
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, max_running_jobs=1)
    jobs = [submit(f"my batch {i} [[delay:1]]", model="gpt-image-1") for i in range(2)]

    def second_waits() -> bool:
        return "your other jobs" in Job.objects.get(pk=jobs[1].pk).waiting_for or (
            "your other jobs" in Job.objects.get(pk=jobs[0].pk).waiting_for
        )

    wait_until(second_waits, 30, 0.05, message="one job to wait for the other")
    for job in jobs:
        job = wait_for_final(job)
        assert job.status == JobStatus.SUCCEEDED


def test_an_answer_trickling_past_the_time_limit_ends_the_job_once(start_worker, submit, sandbox):
    """The threads pool enforces no Celery time limit; the hop's own deadline does. Each read of
    the answer is quick (a per-read timeout never fires), the whole answer takes 40 s."""
    worker = start_worker(SHORT_HOPS)
    started = time.monotonic()
    job = wait_for_final(submit("a trickled answer [[trickleanswer:40]]", model="gpt-image-1"), 60)
    took = time.monotonic() - started
    assert job.status == JobStatus.FAILED
    assert job.error_text == job_text(texts.STEP_TIME_LIMIT, seconds=HOP_SECONDS)
    assert took < HOP_SECONDS + 15, f"ended after {took:.0f} s, not at the {HOP_SECONDS} s deadline"
    time.sleep(3)  # a lease lapsing meanwhile would let the sweep end the job a second time
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert _ended_events(worker, job) == 1
    assert charged_for_job(job) == (0, 0)  # the ledger nets nothing
    assert_books_balance(job, sandbox, images=0)  # refunded, no Image, no file, one submit


def _ended_events(worker, job: Job) -> int:
    lines = worker.log_path.read_text().splitlines()
    mine = [json.loads(x) for x in lines if x.startswith("{") and str(job.pk) in x]
    return sum(x.get("event") == "job_ended" for x in mine)
