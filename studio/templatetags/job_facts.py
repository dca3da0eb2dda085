"""What a job cost and how long it took, for cards and comparison cells.

The cost is read from the quota ledger (jobs.quota.charged_for_job), never priced again here.
"""

from __future__ import annotations

from django import template

from jobs.models import Job
from jobs.quota import charged_for_job

register = template.Library()


@register.filter
def charged_credits(job: Job) -> int:
    """Credits the job counts for now: reserved while it runs, then what it really cost."""
    return charged_for_job(job)[1]


@register.filter
def seconds_to_image(job: Job) -> float | None:
    """Seconds from the submit to the first stored image; None while there is none.

    Uses `job.images.all()`, so a page that prefetches the images asks nothing more.
    """
    stored = [image.created_at for image in job.images.all()]
    if not stored:
        return None
    return max((min(stored) - job.created_at).total_seconds(), 0.0)
