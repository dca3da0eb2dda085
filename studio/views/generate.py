"""Generate: the form, its model-dependent part (an htmx swap), the estimate, and the submit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jobs.quota import QuotaExceeded, quota_status
from jobs.services import submit_batch, submit_job
from studio.access import SubmitRefused, get_job_for
from studio.forms.generate import GenerateForm, initial_from_job


@login_required
def generate(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = GenerateForm(request.POST, user=request.user)
    else:
        form = GenerateForm(user=request.user, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        prompts = form.prompts()
        try:
            if len(prompts) > 1:
                batch = submit_batch(form.job_spec(request.user), prompts)
                return redirect("batch-detail", batch_id=batch.pk)
            job = submit_job(form.job_spec(request.user))
        except (QuotaExceeded, SubmitRefused) as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("job-detail", job_id=job.pk)
    return render(request, "studio/generate.html", form_context(request, form))


def _initial(request: HttpRequest) -> dict:
    """ "Use these settings" on a job or image page opens this form filled in (404: not theirs)."""
    job_id = request.GET.get("from_job")
    return initial_from_job(get_job_for(request.user, job_id)) if job_id else {}


@login_required
@require_GET
def model_fields(request: HttpRequest) -> HttpResponse:
    """Model, workspace and the chosen model's own fields, swapped in when either changes: a team
    workspace may offer fewer models, and each model has its own fields."""
    form_class = _form_class(request.GET.get("operation", "generate"))
    form = form_class(user=request.user, initial=request.GET.dict())
    response = render(
        request, "studio/partials/model_and_workspace.html", form_context(request, form)
    )
    # The estimate (and the edit page's painter) listen for this to follow the new fields.
    response["HX-Trigger-After-Settle"] = "fields-swapped"
    return response


@login_required
@require_POST
def estimate(request: HttpRequest) -> HttpResponse:
    """ "N credits" next to the submit button, for the form as it stands (an htmx swap; POST so
    the form's own values travel as they would on submit). Nothing is created."""
    form = _form_class(request.GET.get("operation", "generate"))(request.POST, user=request.user)
    return render(request, "studio/partials/estimate_text.html", {"form": form})


def _form_class(operation: str) -> type[GenerateForm]:
    if operation == "edit":
        from studio.forms.edit import EditForm

        return EditForm
    return GenerateForm


def form_context(request: HttpRequest, form: GenerateForm) -> dict:
    team = form.cleaned_data.get("workspace") if form.is_bound and form.is_valid() else None
    return {"form": form, "quota_lines": quota_status(user=request.user, team=team)}
