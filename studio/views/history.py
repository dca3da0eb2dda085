"""A person's own images, newest first."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jobs.models import Image


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    images = (
        Image.objects.filter(owner=request.user, job__isnull=False)
        .select_related("job")
        .order_by("-created_at", "-index")
    )
    page = Paginator(images, settings.STUDIO_HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "studio/history.html", {"page": page})
