"""Where new images land: an image made in a team joins that team's library, and a job's results
join the collection it was submitted with.

The engine (`jobs`) knows nothing of libraries; it records `Image.team`, the workspace a job ran
in, and `Job.collection`. Its results are filed here after the job's ending has committed: the
engine sends its one hook, `jobs.engine.job_succeeded`, and `file_results` (connected in
StudioConfig.ready) files them in a transaction of its own. Uploads stored for an edit made in a
team join the library when the edit is submitted (`file_uploads`, called by the views and the
API that submit edits). Either way a failure is logged and changes nothing else: the job keeps
its status, its images and its charge, and the images stay in their owner's history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from jobs.models import Image, Job
from studio.library import add_to_library, collect_result
from studio.models import Collection

logger = logging.getLogger(__name__)


def file_results(sender: type[Job], job: Job, **kwargs: Any) -> None:
    """Receiver of `job_succeeded`: the job's images join its team's library and its collection.

    Idempotent (the hook may come twice for one job): an image already filed is left as it is.
    """
    _quietly(job, lambda: _file_results(job))


def _file_results(job: Job) -> None:
    images = list(Image.objects.filter(job=job).select_related("owner", "team").order_by("index"))
    for image in images:
        if image.team is not None:
            add_to_library(image.team, [image], added_by=image.owner)
    collection = (
        Collection.objects.filter(pk=job.collection_id).select_related("team").first()
        if job.collection_id
        else None
    )
    if collection is not None:
        for image in images:
            collect_result(collection, image)


def file_uploads(job: Job, chosen: Iterable[Image]) -> None:
    """The images uploaded for an edit made in a team (its sources that were not `chosen` from
    the studio) join that team's library at once, as they are stored."""
    if job.team_id is None:
        return
    chosen_ids = {image.pk for image in chosen}
    uploads = [
        image
        for image in job.source_images.select_related("owner", "team")
        if image.pk not in chosen_ids and image.team_id == job.team_id
    ]
    _quietly(job, lambda: _file_uploads(uploads))


def _file_uploads(uploads: list[Image]) -> None:
    for image in uploads:
        if image.team is not None:
            add_to_library(image.team, [image], added_by=image.owner)


def _quietly(job: Job, filing: Callable[[], None]) -> None:
    """Run `filing` in its own transaction; a failure is logged, rolled back, and goes no
    further than here."""
    try:
        with transaction.atomic():
            filing()
    except Exception:
        logger.exception("Job %s: its images could not be filed into the library", job.pk)
