"""The sweep: the safety net that re-sends a hop that got lost (a message dropped by a broker
outage, a worker that died holding one). Celery beat runs it every STUDIO_SWEEP_SECONDS.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import DateTimeField, ExpressionWrapper, Q
from django.db.models.functions import Now

from jobs.engine import queue
from jobs.models import Job, JobStatus


def sweep_due_jobs() -> int:
    """Re-send the hop of every job that is overdue and held by nobody. Returns how many.

    Safe to run twice at once (two beats): each job's re-send is claimed by a conditional update.
    """
    grace = timedelta(seconds=settings.STUDIO_SWEEP_GRACE_SECONDS)  # how late a hop may be
    overdue_by_now = ExpressionWrapper(Now() - grace, output_field=DateTimeField())
    overdue = (
        Job.objects.filter(
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING], due_at__lte=overdue_by_now
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=Now()))
        .values_list("pk", "remote_task_id")[:500]
    )
    sent = 0
    for pk, remote_task_id in overdue:
        # Move due_at first: the next sweep sends this hop again only after another grace period,
        # so a busy worker is not flooded with copies of the same hop. The claim asks "still
        # overdue?", not "due_at unchanged?": SQLite keeps Now() with fewer digits than the
        # datetime it reads back, so an equality never matched there and nothing was re-sent.
        if not Job.objects.filter(pk=pk, due_at__lte=overdue_by_now).update(due_at=Now()):
            continue
        if remote_task_id:
            queue.send_poll(pk, countdown=0)
        else:
            queue.send_run(pk, countdown=0)
        sent += 1
    return sent
