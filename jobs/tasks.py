"""Celery tasks: thin wrappers that pass ids to the pipeline, which owns the job's state."""

from celery import shared_task

from jobs import pipeline


@shared_task(name="jobs.tasks.run_job", ignore_result=True)
def run_job(job_id: str) -> None:
    pipeline.run_job(job_id)


@shared_task(name="jobs.tasks.poll_job", ignore_result=True)
def poll_job(job_id: str) -> None:
    pipeline.poll_job(job_id)


@shared_task(name="jobs.tasks.sweep_due_jobs", ignore_result=True)
def sweep_due_jobs() -> int:
    return pipeline.sweep_due_jobs()
