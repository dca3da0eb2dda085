"""An image's page, its files and its lightbox panel, each behind the access check."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jobs.models import ImageOrigin
from jobs.quota import charged_for_job
from studio import library
from studio.access import get_image_for
from studio.files import stored_file_response
from studio.http import AuthenticatedHttpRequest
from studio.image_links import image_links
from studio.marks import mark_favourite


@login_required
@require_GET
def image_detail(request: AuthenticatedHttpRequest, image_id: UUID) -> HttpResponse:
    image = get_image_for(request.user, image_id)
    made = library.lineage(request.user, image)
    context = {
        "image": image,
        "job": image.job,
        "sources": made.sources,
        "derivatives": made.derivatives,
        "charged": charged_for_job(image.job) if image.job else None,
        "links": image_links(image),
    }
    return render(request, "studio/image_detail.html", context)


@login_required
@require_GET
def image_lightbox(request: AuthenticatedHttpRequest, image_id: UUID) -> HttpResponse:
    """The lightbox's panel for one image (fetched as each image is shown, so the star is fresh
    and the grids stay light): the prompt, the actions and, for an edit, its source to compare."""
    image = get_image_for(request.user, image_id)
    mark_favourite(image, library.is_favourite(request.user, image))
    edited = image.origin == ImageOrigin.EDITED
    context = {
        "image": image,
        "job": image.job,
        "links": image_links(image),
        "before": library.lineage(request.user, image).sources.first() if edited else None,
    }
    return render(request, "studio/partials/lightbox_panel.html", context)


@login_required
@require_GET
def image_file(
    request: AuthenticatedHttpRequest, image_id: UUID, variant: str = "original"
) -> HttpResponseBase:
    image = get_image_for(request.user, image_id)
    if variant == "thumbnail":
        return stored_file_response(image.thumbnail.name, content_type="image/webp")
    download_as = f"image-{image.id.hex[:8]}.{image.file.name.rsplit('.', 1)[-1]}"
    return stored_file_response(
        image.file.name,
        content_type=image.content_type,
        download_as=download_as if variant == "download" else "",
    )
