"""Edit: images (uploaded, or already in the studio) + a painted mask + a prompt -> an edit job."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jobs.quota import QuotaExceeded, quota_status
from studio.access import get_image_for, get_job_for, user_teams
from studio.forms.edit import EditForm
from studio.forms.generate import initial_from_job
from studio.http import AuthenticatedHttpRequest
from studio.library import history_images, team_library_images
from studio.submit import SubmitRefused, submit_edit

PICKER_SIZE = 24


@login_required
def edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = EditForm(request.POST, request.FILES, user=request.user)
    else:
        form = EditForm(user=request.user, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            job = submit_edit(
                form.job_spec(request.user), form.checked_inputs(), form.cleaned_data["source"]
            )
        except (QuotaExceeded, SubmitRefused) as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("job-detail", job_id=job.pk)
    team = form.cleaned_data.get("workspace") if form.is_bound else None
    context = {
        "form": form,
        "quota_lines": quota_status(user=request.user, team=team),
        "as_reference": not form.is_bound and bool(request.GET.getlist("reference")),
    }
    return render(request, "studio/edit.html", context)


def _initial(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """ "Edit" (`?image=`: the image to change) and `?reference=` (an image to guide a new
    picture; the image page and lightbox send "Use as reference" to the studio page's dock)
    from an image page, the lightbox, or a selection in history or a
    library open this form with those images chosen; "Use these settings" of an edit job repeats
    it. 404 for an image or job that is not theirs."""
    initial = {}
    job_id = request.GET.get("from_job")
    if job_id:
        job = get_job_for(request.user, job_id)
        initial = initial_from_job(job)
        initial["source"] = [str(image.pk) for image in job.source_images.all()]
    image_ids = request.GET.getlist("image") + request.GET.getlist("reference")
    if image_ids:
        initial["source"] = [str(get_image_for(request.user, i).pk) for i in image_ids]
    return initial


@login_required
@require_GET
def pick_images(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The newest images of the person's history and of each of their teams' libraries, to pick
    as the images to edit (an htmx part of the edit page)."""
    sections = [(_("Your history"), history_images(request.user))] + [
        (_("%(team)s library") % {"team": team}, team_library_images(team))
        for team in user_teams(request.user)
    ]
    newest = [
        (title, list(images.select_related("job")[:PICKER_SIZE])) for title, images in sections
    ]
    return render(request, "studio/partials/pick_images.html", {"sections": newest})
