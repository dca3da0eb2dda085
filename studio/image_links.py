"""Where an image's actions lead. The image page and the lightbox both offer them, from here."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from jobs.models import Image, Job, JobKind


@dataclass(frozen=True)
class ImageLinks:
    edit: str  # the edit page, with this image as the one to change
    reference: str  # the studio page's dock, with this image as a reference for a new picture
    settings: str  # the job's form filled in again; "" for an uploaded image


def image_links(image: Image) -> ImageLinks:
    query = urlencode({"image": image.pk})
    return ImageLinks(
        edit=f"{reverse('edit')}?{query}",
        reference=f"{reverse('generate')}?{query}",
        settings=job_settings_url(image.job) if image.job else "",
    )


def job_settings_url(job: Job) -> str:
    """ "Use these settings": the form that made the job, filled in as it was."""
    form = reverse("edit") if job.kind == JobKind.EDIT else reverse("generate")
    return f"{form}?{urlencode({'from_job': job.pk})}"
