"""The studio page (`/` and `/generate/`): the prompt dock and the feed of the person's jobs.

Submitting with htmx answers the new job's card, which the page puts first in the feed; a plain
POST (no JavaScript, or a script) answers 302 to the job's page, or to a batch's page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jobs.models import Image, Job
from jobs.parameters import EDIT
from jobs.quota import QuotaExceeded, quota_status
from studio.access import get_image_for, get_job_for
from studio.dock import budget_refusal, cards_for, feed_jobs, model_summary
from studio.forms.edit import EditForm
from studio.forms.generate import PERSONAL, GenerateForm, initial_from_job
from studio.http import AuthenticatedHttpRequest
from studio.preferences import remember_dock, remembered_dock
from studio.submit import SubmitRefused, submit_batch, submit_edit, submit_job

MAX_REFERENCES = 16  # the most any model takes (capabilities.max_input_images)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def generate(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _submit(request)
    form = GenerateForm(user=request.user, initial=_initial(request))
    return render(request, "studio/studio.html", studio_context(request, form))


def _submit(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GenerateForm(request.POST, user=request.user)
    if _has_references(request):
        return _submit_edit(request, form)
    if form.is_valid():
        remember_dock(request.user, form.dock_settings())
        prompts = form.prompts()
        try:
            if len(prompts) > 1:
                batch = submit_batch(form.job_spec(request.user), prompts)
                if not is_htmx(request):
                    return redirect("batch-detail", batch_id=batch.pk)
                jobs = list(batch.jobs.order_by("-created_at"))
            else:
                jobs = [submit_job(form.job_spec(request.user))]
        except (QuotaExceeded, SubmitRefused) as refusal:
            form.add_error(None, str(refusal))
        else:
            if not is_htmx(request):
                return redirect("job-detail", job_id=jobs[0].pk)
            return new_cards(request, jobs)
    return _answer_errors(request, form)


def _has_references(request: HttpRequest) -> bool:
    return bool(request.POST.getlist("source") or any(request.FILES.getlist("image")))


def _submit_edit(request: AuthenticatedHttpRequest, form: GenerateForm) -> HttpResponse:
    """Reference images dropped, pasted or picked into the dock make the job an edit of them,
    checked and submitted as the Edit page does; a refusal is said in the dock."""
    caps = form.capabilities
    if caps is not None and (EDIT not in caps.operations or caps.max_input_images < 1):
        form.add_error(
            None,
            _("This model does not take reference images; choose one that shows “%(badge)s”.")
            % {"badge": _("Reference images")},
        )
        return _answer_errors(request, form)
    edit_form = EditForm(request.POST, request.FILES, user=request.user)
    if edit_form.is_valid():
        remember_dock(request.user, edit_form.dock_settings())
        try:
            job = submit_edit(
                edit_form.job_spec(request.user),
                edit_form.checked_inputs(),
                edit_form.cleaned_data["source"],
            )
        except (QuotaExceeded, SubmitRefused) as refusal:
            edit_form.add_error(None, str(refusal))
        else:
            if not is_htmx(request):
                return redirect("job-detail", job_id=job.pk)
            return new_cards(request, [job])
    form.is_valid()  # the dock's own fields, then what the edit refused, all in one list
    for errors in edit_form.errors.values():
        for error in errors:
            form.add_error(None, error)
    return _answer_errors(request, form)


def _answer_errors(request: AuthenticatedHttpRequest, form: GenerateForm) -> HttpResponse:
    if not is_htmx(request):
        return render(request, "studio/studio.html", studio_context(request, form))
    # The dock again, with its errors where the person acted; the feed is left as it is.
    response = render(request, "studio/partials/dock_form.html", form_context(request, form))
    response["HX-Retarget"] = "#dock-form"
    response["HX-Reswap"] = "outerHTML"
    return response


def new_cards(request: HttpRequest, jobs: list[Job]) -> HttpResponse:
    """Cards to put first in the feed; the budget hears that quota was used."""
    response = render(request, "studio/partials/job_cards.html", {"cards": cards_for(jobs)})
    response["HX-Trigger"] = "job-submitted"
    return response


def _initial(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """The dock as the person left it; "Use these settings" on a job or image page (or a card)
    fills it from that job instead (404: not theirs)."""
    job_id = request.GET.get("from_job")
    return (
        initial_from_job(get_job_for(request.user, job_id))
        if job_id
        else remembered_dock(request.user)
    )


def studio_context(request: AuthenticatedHttpRequest, form: GenerateForm) -> dict[str, Any]:
    team = form.workspace_team
    jobs, more = feed_jobs(request.user, team)
    return {
        **form_context(request, form),
        "cards": cards_for(jobs),
        "more_after": jobs[-1] if more else None,
        "workspace_slug": team.slug if team else PERSONAL,
    }


@login_required
@require_GET
def model_fields(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Model, workspace and the chosen model's own fields, swapped in when either changes: a team
    workspace may offer fewer models, and each model has its own fields."""
    operation = request.GET.get("operation", "generate")
    form = _form_class(operation)(user=request.user, initial=request.GET.dict())
    template = "dock_settings" if operation == "generate" else "model_and_workspace"
    response = render(request, f"studio/partials/{template}.html", form_context(request, form))
    # The estimate (and the edit page's painter) listen for this to follow the new fields; the
    # feed and the budget follow a new workspace.
    swapped = "fields-swapped"
    if request.headers.get("HX-Trigger-Name") == "workspace":
        swapped += ", workspace-changed"
    response["HX-Trigger-After-Settle"] = swapped
    return response


@login_required
@require_POST
def estimate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "N credits" next to the submit button, for the form as it stands (an htmx swap; POST so
    the form's own values travel as they would on submit). Nothing is created. The studio page
    asks for its whole budget: the estimate, every limit of the workspace, and whether it fits."""
    operation = request.GET.get("operation", "generate")
    form = _form_class(operation)(request.POST, user=request.user)
    if request.GET.get("part") == "budget":
        return render(
            request, "studio/partials/dock_budget_inner.html", form_context(request, form)
        )
    return render(request, "studio/partials/estimate_text.html", {"form": form})


def chosen_references(request: AuthenticatedHttpRequest) -> list[Image]:
    """Stored images already chosen as references: those sent with the dock, or `?image=` from
    "Use as reference" elsewhere (404 for an image that is not theirs)."""
    if request.method == "POST":
        ids = request.POST.getlist("source")
    else:
        ids = request.GET.getlist("image")
    return [get_image_for(request.user, image_id) for image_id in ids[:MAX_REFERENCES]]


def _form_class(operation: str) -> type[GenerateForm]:
    return EditForm if operation == "edit" else GenerateForm


def form_context(request: AuthenticatedHttpRequest, form: GenerateForm) -> dict[str, Any]:
    """The dock's context: the form, the model's summary and the budget of its workspace."""
    team = form.workspace_team
    lines = quota_status(user=request.user, team=team)
    credits = form.estimate_credits()
    requested = form.requested_n() or (form.capabilities.n_min if form.capabilities else 1)
    images = requested * form.prompt_count()
    n_max = form.capabilities.n_max if form.capabilities else None
    return {
        "form": form,
        "chosen_images": chosen_references(request),
        "quota_lines": lines,
        "model_summary": model_summary(form.chosen_model) if form.chosen_model else None,
        "estimate_images": images,
        "too_many": n_max is not None and requested > n_max,
        "n_max": n_max,
        "refusal": budget_refusal(lines, images, credits),
    }
