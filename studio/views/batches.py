"""A batch's page (every job's images filling in live) and "Cancel the rest"."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from jobs.models import BatchKind
from jobs.services import cancel_unfinished
from studio.access import get_batch_for
from studio.http import AuthenticatedHttpRequest


@login_required
@require_GET
def batch_detail(request: AuthenticatedHttpRequest, batch_id: UUID) -> HttpResponse:
    batch = get_batch_for(request.user, batch_id)
    if batch.kind == BatchKind.COMPARE:  # its jobs are shown side by side
        return redirect("compare-detail", batch_id=batch.pk)
    jobs = batch.jobs.order_by("created_at").prefetch_related("images")
    return render(request, "studio/batch_detail.html", {"batch": batch, "jobs": jobs})


@login_required
@require_POST
def batch_cancel(request: AuthenticatedHttpRequest, batch_id: UUID) -> HttpResponse:
    batch = get_batch_for(request.user, batch_id)
    stopped = cancel_unfinished(list(batch.jobs.all()))
    messages.info(
        request,
        ngettext(
            "Canceled %(count)s job of the batch.", "Canceled %(count)s jobs of the batch.", stopped
        )
        % {"count": stopped},
    )
    return redirect("batch-detail", batch_id=batch.pk)
