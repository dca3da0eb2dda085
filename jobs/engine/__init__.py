"""The engine: the job state machine. Every status change of a job happens here, cancel included.

    queued ──claim──▶ running ──sync answer──────────────────▶ succeeded | failed
      ▲  ▲               │ async answer: remote task id saved
      │  └─no free slot──┤ then poll hops until final ──────▶ succeeded | failed (deadline)
      └─transient error──┘
    queued | running ──cancel──▶ canceled
    running, its hop dead after sending ──next run_job──▶ failed (abandoned, never re-sent)

Each hop (a submit or a poll) starts with a claim: a conditional UPDATE on the job's row (by id,
by the state the hop expects, and only once the job is due) that only one process can win. The
winner gets a lease token; every later write of the hop names that token, so a hop that lost its
job (canceled meanwhile, or its lease lapsed because the process froze) changes nothing. Times
come from the database's clock, never from a worker's. A queued job is admitted first: it takes
its slots and a request from its provider's rate, or stays queued with the reason on its page.

An ending is one transaction: the job's final status, its `Image` rows and its quota settlement
stand or fall together. Result files are written just before it, under keys made from the job and
the position, and removed again when the ending is lost, so images shown equal images charged.
Cancel is an ending too: whichever ending commits first wins; results that arrive after a cancel
are discarded and the reservation is refunded.

After an ending commits, and only then, the engine tells the rest of the studio through ONE hook:
the Django signal `job_succeeded` (hooks.py), sent for every job that succeeded, with the job as
`job=`. The web side connects to it (studio/apps.py, studio/filing.py) to file the images into the
team's library and the chosen collection, in its own transaction; a failure there is logged and
cannot change the job, its images or its charge. No receiver of the studio runs inside an
ending.

Between polls nothing holds a worker: the job row carries `due_at`, a Celery hop is scheduled
for then, and `sweep_due_jobs` re-sends any hop that got lost.

The modules, in the order a job meets them:

    queue.py      sending hops to Celery; the task names, defined once
    tasks.py      the Celery tasks (thin: ids in, engine calls)
    admission.py  slots and rate before a claim
    claims.py     Hold, leases, claim_for_submit / claim_for_poll, update_held, db_time
    request.py    build_request: the job as a provider request
    hops.py       run_job, poll_job: one submit or one poll, and what follows it
    retry.py      the retry policy and every wait (backoff, poll and slot delays)
    results.py    the result bytes checked and written as files
    endings.py    succeeded, failed, abandoned, canceled; after_ending
    hooks.py      job_succeeded, the one hook
    sweep.py      sweep_due_jobs, the safety net

The entry points are importable from here (`from jobs.engine import run_job`), and so are the
Celery task names (RUN_TASK, POLL_TASK, SWEEP_TASK). They load on first use: the settings import
the sweep's task name before Django's models can be imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_ENTRY_POINTS = {  # name: the module it lives in
    "run_job": "jobs.engine.hops",
    "poll_job": "jobs.engine.hops",
    "cancel_job": "jobs.engine.endings",
    "finish_job": "jobs.engine.endings",
    "fail_job": "jobs.engine.endings",
    "sweep_due_jobs": "jobs.engine.sweep",
    "build_request": "jobs.engine.request",
    "next_poll_delay": "jobs.engine.retry",
    "claim_for_submit": "jobs.engine.claims",
    "claim_for_poll": "jobs.engine.claims",
    "abandoned_after_sending": "jobs.engine.claims",
    "db_time": "jobs.engine.claims",
    "Hold": "jobs.engine.claims",
    "job_succeeded": "jobs.engine.hooks",
    "RUN_TASK": "jobs.engine.queue",
    "POLL_TASK": "jobs.engine.queue",
    "SWEEP_TASK": "jobs.engine.queue",
}

__all__ = [  # the same names as above, as a list the linters can read
    "POLL_TASK",
    "RUN_TASK",
    "SWEEP_TASK",
    "Hold",
    "abandoned_after_sending",
    "build_request",
    "cancel_job",
    "claim_for_poll",
    "claim_for_submit",
    "db_time",
    "fail_job",
    "finish_job",
    "job_succeeded",
    "next_poll_delay",
    "poll_job",
    "run_job",
    "sweep_due_jobs",
]

if TYPE_CHECKING:
    from jobs.engine.claims import (
        Hold,
        abandoned_after_sending,
        claim_for_poll,
        claim_for_submit,
        db_time,
    )
    from jobs.engine.endings import cancel_job, fail_job, finish_job
    from jobs.engine.hooks import job_succeeded
    from jobs.engine.hops import poll_job, run_job
    from jobs.engine.queue import POLL_TASK, RUN_TASK, SWEEP_TASK
    from jobs.engine.request import build_request
    from jobs.engine.retry import next_poll_delay
    from jobs.engine.sweep import sweep_due_jobs


def __getattr__(name: str) -> object:
    """An entry point, imported from its module the first time it is asked for."""
    module = _ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
