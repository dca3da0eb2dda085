"""An image's page and its files, each behind the access check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jobs.quota import charged_for_job
from studio import library
from studio.access import get_image_for
from studio.files import stored_file_response


@login_required
@require_GET
def image_detail(request: HttpRequest, image_id) -> HttpResponse:
    image = get_image_for(request.user, image_id)
    made = library.lineage(request.user, image)
    context = {
        "image": image,
        "job": image.job,
        "sources": made.sources,
        "derivatives": made.derivatives,
        "charged": charged_for_job(image.job) if image.job else None,
    }
    return render(request, "studio/image_detail.html", context)


@login_required
@require_GET
def image_file(request: HttpRequest, image_id, variant: str = "original") -> HttpResponse:
    image = get_image_for(request.user, image_id)
    if variant == "thumbnail":
        return stored_file_response(image.thumbnail.name, content_type="image/webp")
    download_as = f"image-{image.id.hex[:8]}.{image.file.name.rsplit('.', 1)[-1]}"
    return stored_file_response(
        image.file.name,
        content_type=image.content_type,
        download_as=download_as if variant == "download" else "",
    )
