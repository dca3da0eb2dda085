"""Celery tasks: thin wrappers that pass ids to the engine, which owns the job's state.

Their names are the ones messages already in a broker carry (queue.py defines them, once), so a
message sent before the engine became a package still runs. studio/celery.py finds this module
explicitly (`autodiscover_tasks(["jobs.engine"])`).
"""

from celery import shared_task

from jobs.engine import hops, sweep
from jobs.engine.queue import POLL_TASK, RUN_TASK, SWEEP_TASK


@shared_task(name=RUN_TASK, ignore_result=True)
def run_job(job_id: str) -> None:
    hops.run_job(job_id)


@shared_task(name=POLL_TASK, ignore_result=True)
def poll_job(job_id: str) -> None:
    hops.poll_job(job_id)


@shared_task(name=SWEEP_TASK, ignore_result=True)
def sweep_due_jobs() -> int:
    return sweep.sweep_due_jobs()
