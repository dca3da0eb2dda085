"""Sending job hops to Celery. Only ids travel; the job row says what to do.

Hops are sent by task name, so the engine does not import the tasks module that imports it.
The names are defined here, once: the tasks (tasks.py) register under them and the beat
schedule (studio/settings.py) names the sweep by them. They are the names the tasks had in
`jobs/tasks.py` and must stay so: messages already in a broker carry them. This module imports
nothing of Django, so the settings can import them (through `jobs.engine`).
"""

from __future__ import annotations

import logging
from uuid import UUID

from celery import current_app
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a send raises when the broker cannot be reached (kombu wraps most, not all, of them).
BROKER_ERRORS = (KombuError, RedisError, OSError)

RUN_TASK = "jobs.tasks.run_job"
POLL_TASK = "jobs.tasks.poll_job"
SWEEP_TASK = "jobs.tasks.sweep_due_jobs"


def send_run(job_id: UUID | str, countdown: float = 0) -> None:
    current_app.send_task(RUN_TASK, args=[str(job_id)], countdown=countdown)


def send_poll(job_id: UUID | str, countdown: float = 0) -> None:
    current_app.send_task(POLL_TASK, args=[str(job_id)], countdown=countdown)


def send_run_after_commit(job_id: UUID | str) -> None:
    """Queue a job just committed; when the broker is down, log it and leave it to the sweep.

    The job and its quota reservation are committed already: raising here would answer the
    person with an error for a job that exists (and a retry would pay twice). The row is due
    now, so `sweep_due_jobs` sends it once Redis answers again.
    """
    try:
        send_run(job_id)
    except BROKER_ERRORS as error:
        logger.warning(
            "job %s created but not queued (broker unreachable: %s); the sweep will send it",
            job_id,
            error,
            extra={"job_id": str(job_id), "event": "queue_send_failed"},
        )
