"""The engine's one hook for what happens next: `job_succeeded`, sent once a success has committed.

The engine owns a job until its ending commits: status, `Image` rows and quota settlement stand
or fall together. What other parts of the studio do with the images afterwards (the web side
files them into a team's library and the collection the job was sent to: studio/filing.py) runs
after that commit, in its own transaction, so it can never fail a job the provider has billed.

    job_succeeded(sender=Job, job=<the Job>)

is sent from the after-ending step (endings.after_ending), after the commit, in the process that
ended the job. The job's images are rows by then (`job.images`). It may come again for the same
job: a submit message delivered after the ending (the broker redelivers the message of a worker
that died after its commit) runs the after-ending step once more, so receivers must be
idempotent. Whatever a receiver raises is logged by `send_robust` ("django.dispatch") and goes no
further: the job stays as it ended.
"""

from __future__ import annotations

from django.dispatch import Signal

from jobs.models import Job

job_succeeded = Signal()


def announce_success(job: Job) -> None:
    """Send `job_succeeded` for `job`; a receiver's failure never reaches the engine."""
    job_succeeded.send_robust(sender=Job, job=job)
