"""Generate: the form, the model-dependent part of it (an htmx swap), and the submit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from jobs.quota import QuotaExceeded, quota_status
from jobs.services import submit_job
from studio.forms.create import CreateForm


@login_required
def generate(request: HttpRequest) -> HttpResponse:
    form = CreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = submit_job(form.job_spec(request.user))
        except QuotaExceeded as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("job-detail", job_id=job.pk)
    return render(request, "studio/generate.html", _form_context(request, form))


@login_required
@require_GET
def model_fields(request: HttpRequest) -> HttpResponse:
    """The fields the chosen model supports, swapped into the form when the model changes."""
    form_class = _form_class(request.GET.get("operation", "generate"))
    form = form_class(user=request.user, initial={"model": request.GET.get("model")})
    return render(request, "studio/partials/model_fields.html", _form_context(request, form))


def _form_class(operation: str) -> type[CreateForm]:
    if operation == "edit":
        from studio.forms.edit import EditForm

        return EditForm
    return CreateForm


def _form_context(request: HttpRequest, form: CreateForm) -> dict:
    team = form.cleaned_data.get("workspace") if form.is_bound and form.is_valid() else None
    return {"form": form, "quota_lines": quota_status(user=request.user, team=team)}
