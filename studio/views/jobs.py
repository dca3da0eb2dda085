"""A job's page, the live part of it, and cancel/retry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jobs.quota import QuotaExceeded
from jobs.services import cancel_job, retry_job
from studio.access import get_job_for


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id) -> HttpResponse:
    job = get_job_for(request.user, job_id)
    return render(request, "studio/job_detail.html", {"job": job, "images": job.images.all()})


@login_required
@require_GET
def job_status(request: HttpRequest, job_id) -> HttpResponse:
    """The part of the job page that htmx refreshes until the job is final."""
    job = get_job_for(request.user, job_id)
    return render(
        request, "studio/partials/job_status.html", {"job": job, "images": job.images.all()}
    )


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id) -> HttpResponse:
    job = get_job_for(request.user, job_id)
    if not cancel_job(job):
        messages.info(request, "This job had already finished.")
    return redirect("job-detail", job_id=job.pk)


@login_required
@require_POST
def job_retry(request: HttpRequest, job_id) -> HttpResponse:
    job = get_job_for(request.user, job_id)
    try:
        new_job = retry_job(job)
    except (QuotaExceeded, ValueError) as refusal:
        messages.error(request, str(refusal))
        return redirect("job-detail", job_id=job.pk)
    return redirect("job-detail", job_id=new_job.pk)
