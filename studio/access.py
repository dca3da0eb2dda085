"""The one place that decides who may see or change a job or an image.

Everything a person can reach by URL goes through these helpers; anything they may not see is a
404, so a stranger cannot even learn that it exists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from jobs.models import Image, Job


def visible_jobs(user) -> QuerySet[Job]:
    return Job.objects.filter(owner=user)


def visible_images(user) -> QuerySet[Image]:
    """Images a person may look at: their own, and those in libraries of teams they belong to."""
    return Image.objects.filter(Q(owner=user) | Q(team__memberships__user=user)).distinct()


def get_job_for(user, job_id) -> Job:
    try:
        return visible_jobs(user).select_related("model__provider").get(pk=job_id)
    except (Job.DoesNotExist, ValueError) as error:
        raise Http404("No such job.") from error


def get_image_for(user, image_id) -> Image:
    try:
        return visible_images(user).select_related("job", "owner", "team").get(pk=image_id)
    except (Image.DoesNotExist, ValueError) as error:
        raise Http404("No such image.") from error
