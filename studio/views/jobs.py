"""A job's page, the live part of it, and cancel/retry."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jobs.models import Job
from jobs.partials import latest_partial
from jobs.quota import QuotaExceeded
from jobs.services import cancel_job
from studio.access import get_job_for
from studio.http import AuthenticatedHttpRequest
from studio.submit import SubmitRefused, retry_job


@login_required
@require_GET
def job_detail(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    job = get_job_for(request.user, job_id)
    return render(request, "studio/job_detail.html", _status_context(job))


@login_required
@require_GET
def job_status(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    """The part of the job page that htmx refreshes until the job is final."""
    job = get_job_for(request.user, job_id)
    part = "batch_job" if request.GET.get("part") == "batch" else "job_status"
    return render(request, f"studio/partials/{part}.html", _status_context(job))


@login_required
@require_GET
def job_partial(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    """The newest partial image of a running job (kept in Redis only while it runs)."""
    job = get_job_for(request.user, job_id)
    partial = None if job.is_final else latest_partial(job.pk)
    if partial is None:
        raise Http404("No partial image.")
    response = HttpResponse(partial[1], content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


def _status_context(job: Job) -> dict[str, Any]:
    partial = None if job.is_final else latest_partial(job.pk)
    return {
        "job": job,
        "images": job.images.order_by("index"),  # #1 first
        "partial_index": partial[0] if partial else None,
    }


@login_required
@require_POST
def job_cancel(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    job = get_job_for(request.user, job_id)
    if not cancel_job(job):
        messages.info(request, _("This job had already finished."))
    return redirect("job-detail", job_id=job.pk)


@login_required
@require_POST
def job_retry(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    job = get_job_for(request.user, job_id)
    try:
        new_job = retry_job(job)
    except (QuotaExceeded, SubmitRefused) as refusal:
        messages.error(request, str(refusal))
        return redirect("job-detail", job_id=job.pk)
    return redirect("job-detail", job_id=new_job.pk)
