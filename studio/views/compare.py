"""Compare models: one prompt, one job per model, side by side with what each cost and took."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jobs.models import BatchKind
from jobs.quota import QuotaExceeded, quota_status
from studio.access import get_batch_for, get_job_for
from studio.forms.compare import CompareForm
from studio.http import AuthenticatedHttpRequest
from studio.submit import SubmitRefused, submit_comparison


@login_required
def compare(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CompareForm(request.POST, user=request.user)
    else:
        form = CompareForm(user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = submit_comparison(form.job_specs(request.user))
        except (QuotaExceeded, SubmitRefused) as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("compare-detail", batch_id=batch.pk)
    quota_lines = quota_status(user=request.user, team=form.workspace_team)
    return render(request, "studio/compare.html", {"form": form, "quota_lines": quota_lines})


@login_required
@require_GET
def compare_fields(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every model slot with its model's fields, for the form as it stands (an htmx swap: a model
    select keeps only its own slot's fields; the workspace takes them all, since a team's
    workspace may offer fewer models)."""
    form = CompareForm(user=request.user, initial=request.GET.dict())
    response = render(request, "studio/partials/compare_slots.html", {"form": form})
    response["HX-Trigger-After-Settle"] = "fields-swapped"  # the estimate follows
    return response


@login_required
@require_POST
def compare_estimate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "N credits" for the whole comparison as the form stands; nothing is created."""
    form = CompareForm(request.POST, user=request.user)
    return render(request, "studio/partials/estimate_text.html", {"form": form})


@login_required
@require_GET
def compare_detail(request: AuthenticatedHttpRequest, batch_id: UUID) -> HttpResponse:
    batch = get_batch_for(request.user, batch_id)
    if batch.kind != BatchKind.COMPARE:
        return redirect("batch-detail", batch_id=batch.pk)
    jobs = list(
        batch.jobs.order_by("created_at").select_related("model").prefetch_related("images")
    )
    unfinished = any(not job.is_final for job in jobs)
    context = {"batch": batch, "jobs": jobs, "unfinished": unfinished}
    return render(request, "studio/compare_detail.html", context)


@login_required
@require_GET
def compare_cell(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    """One model's cell of a comparison, which htmx refreshes until its job is final."""
    job = get_job_for(request.user, job_id)
    return render(request, "studio/partials/compare_cell.html", {"job": job})
