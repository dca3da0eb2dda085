"""Sending job hops to Celery. Only ids travel; the job row says what to do."""

from __future__ import annotations

from uuid import UUID


def send_run(job_id: UUID | str, countdown: float = 0) -> None:
    from jobs.tasks import run_job

    run_job.apply_async(args=[str(job_id)], countdown=countdown)


def send_poll(job_id: UUID | str, countdown: float = 0) -> None:
    from jobs.tasks import poll_job

    poll_job.apply_async(args=[str(job_id)], countdown=countdown)
